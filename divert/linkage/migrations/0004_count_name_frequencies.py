"""Count the names of the existing linkage keys into NameFrequency (data only)."""

from django.db import migrations


def count_names(apps, schema_editor):
    from divert.linkage import frequencies

    frequencies.rebuild(
        key_model=apps.get_model("linkage", "PersonKey"),
        frequency_model=apps.get_model("linkage", "NameFrequency"),
    )


def forget_names(apps, schema_editor):
    apps.get_model("linkage", "NameFrequency").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("linkage", "0003_name_frequency"),
    ]

    operations = [
        migrations.RunPython(count_names, forget_names, elidable=True),
    ]
