"""Derive the facts of episodes recorded before the table existed.

A new database has no episodes here and skips the statement (which is written against the
current schema, not this migration's). An existing one fills the table in one statement.
"""

from django.db import migrations


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    if not apps.get_model("cases", "Episode").objects.exists():
        return
    from divert.reporting import facts

    facts.refresh_all()


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_episode_facts"),
        ("people", "0002_alias_date_of_birth"),
        ("screening", "0008_administration_done"),
        ("referrals", "0002_referral_version"),
        ("sharing", "0002_consent_and_document_workflow"),
        ("imports", "0001_initial"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
