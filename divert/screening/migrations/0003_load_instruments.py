from django.db import migrations

from divert.screening.registry import sync_instruments


class Migration(migrations.Migration):
    dependencies = [("screening", "0002_administration_is_prorated")]

    operations = [migrations.RunPython(sync_instruments, migrations.RunPython.noop)]
