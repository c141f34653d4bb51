from django.db import migrations

from governance.tree import use_c_collation


class Migration(migrations.Migration):
    dependencies = [("partyorgs", "0002_seed_schemes")]

    operations = [
        migrations.RemoveIndex(model_name="partyorganisation", name="partyorganisation_path_like"),
        use_c_collation("partyorgs_partyorganisation"),
    ]
