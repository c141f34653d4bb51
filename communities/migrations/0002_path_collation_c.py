from django.db import migrations

from governance.tree import use_c_collation


class Migration(migrations.Migration):
    """Byte-order paths on PostgreSQL; the unique index then serves subtree scans in
    path order, and the separate pattern-ops index is no longer needed."""

    dependencies = [("communities", "0001_initial")]

    operations = [
        migrations.RemoveIndex(model_name="area", name="area_path_like"),
        use_c_collation("communities_area"),
    ]
