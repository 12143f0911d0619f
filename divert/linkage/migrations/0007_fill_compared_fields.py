"""Fill the compared fields of the existing linkage keys (data only)."""

from django.db import migrations


def fill(apps, schema_editor):
    from divert.linkage.lookup import fill_compared_fields

    fill_compared_fields(key_model=apps.get_model("linkage", "PersonKey"))


class Migration(migrations.Migration):
    dependencies = [
        ("linkage", "0006_compared_fields_on_keys"),
    ]

    operations = [
        # Keys left unfilled are normalised at lookup time, so there is nothing to undo.
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
