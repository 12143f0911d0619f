"""Publish CIWA-Ar version 2 (the scale's own prompts and anchors) beside version 1."""

from django.db import migrations

from divert.screening.registry import sync_instruments


class Migration(migrations.Migration):
    dependencies = [("screening", "0006_publish_core10_v2")]

    operations = [migrations.RunPython(sync_instruments, migrations.RunPython.noop)]
