"""Publish AUDIT and AUDIT-C version 2 (the UK OHID wording) beside version 1."""

from django.db import migrations

from divert.screening.registry import sync_instruments


class Migration(migrations.Migration):
    dependencies = [("screening", "0004_administration_overridden_at")]

    operations = [migrations.RunPython(sync_instruments, migrations.RunPython.noop)]
