from django.db import migrations


def seed(apps, schema_editor):
    from partyorgs.schemes import SCHEMES

    Scheme = apps.get_model("partyorgs", "HierarchyScheme")
    Level = apps.get_model("partyorgs", "SchemeLevel")
    for data in SCHEMES:
        scheme, _ = Scheme.objects.get_or_create(
            code=data["code"], defaults={"name": data["name"], "description": data["description"]}
        )
        for number, name, covers in data["levels"]:
            Level.objects.get_or_create(
                scheme=scheme, number=number, defaults={"name": name, "covers": covers}
            )


class Migration(migrations.Migration):
    dependencies = [("partyorgs", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
