"""Fixtures for screening: published instruments and an open episode to screen on."""

import pytest

from divert.cases.tests import factories
from divert.screening import registry
from divert.screening.models import InstrumentVersion


@pytest.fixture
def published(db):
    """Every shipped instrument's latest version as an ``InstrumentVersion`` row, keyed by slug.

    Migration 0003 publishes them, but a transactional test elsewhere may have flushed the table;
    syncing again is safe.
    """
    registry.sync_instruments()
    return {row.slug: row for row in InstrumentVersion.objects.order_by("slug", "version")}


@pytest.fixture
def practitioner(users):
    return users["practitioner"]


@pytest.fixture
def episode(service, practitioner):
    return factories.episode(
        practitioner, site=service["sites"]["north-custody"], team=service["teams"]["north"]
    )
