"""Publish CORE-10 version 2 (the form's own wording, unaltered) beside version 1."""

from django.db import migrations

from divert.screening.registry import sync_instruments


class Migration(migrations.Migration):
    dependencies = [("screening", "0005_publish_audit_v2")]

    operations = [migrations.RunPython(sync_instruments, migrations.RunPython.noop)]
