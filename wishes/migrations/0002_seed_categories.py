from django.db import migrations


def seed(apps, schema_editor):
    from wishes.defaults import CATEGORIES, DEFAULT_LIMITS

    Category = apps.get_model("wishes", "Category")
    TimeLimit = apps.get_model("wishes", "TimeLimit")
    for order, (code, name, description, escalate) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            code=code,
            defaults={"name": name, "description": description,
                      "escalate_when_overdue": escalate, "sort_order": order},
        )
    for level, (accept, resolve) in DEFAULT_LIMITS.items():
        TimeLimit.objects.get_or_create(
            category=None, level=level, defaults={"accept_hours": accept, "resolve_hours": resolve}
        )


class Migration(migrations.Migration):
    dependencies = [("wishes", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
