from django.db import migrations

from divert.core.loading import sync_codelists


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(sync_codelists, migrations.RunPython.noop)]
