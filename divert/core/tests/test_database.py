"""Connection settings that page speed depends on."""

import pytest
from django.db import connection


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
@pytest.mark.django_db
def test_postgresql_connection_compiles_no_jit():
    """JIT is off: it slowed the worklist's stage counts and saved nothing on the KPIs."""

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        setting = cursor.fetchone()[0]

    assert setting == "off"
