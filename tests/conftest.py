"""End-to-end tests on a database holding the real AR history.

Run with pytest-odoo against a database where ``odoo-bin credit_import``
imported the file of ``CREDIT_AR_CSV`` as of 2013-06-30 without date shift::

    PYTHONPATH=/opt/odoo/18.0 .venv/bin/pytest tests \\
        --odoo-config=var/odoo.conf --odoo-database=<db>

The test classes are Odoo ``TransactionCase`` classes: each test runs in a
transaction that is rolled back, so the database stays as imported.
"""

import sys
from pathlib import Path

import pytest

# The helper module sits next to this file; make it importable however
# pytest was started.
sys.path.insert(0, str(Path(__file__).resolve().parent))

import ar_history  # noqa: E402


def pytest_report_header(config):
    return f"AR history: {ar_history.CSV_PATH}, as of {ar_history.AS_OF}"


@pytest.fixture(scope="session", autouse=True)
def imported_history(load_registry):
    """Stop at once, with the reason, when the database lacks the history."""
    if not ar_history.CSV_PATH.is_file():
        pytest.exit(
            f"AR history not found at {ar_history.CSV_PATH} (set CREDIT_AR_CSV)",
            returncode=2,
        )
    import odoo
    from odoo.tests.common import get_db_name

    registry = odoo.modules.registry.Registry(get_db_name())
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        if "credit.history.import" not in env:
            pytest.exit("credit_management is not installed in the database")
        numbers = [row.number for row in ar_history.issued()]
        found = env["account.move"].search_count(
            [("move_type", "=", "out_invoice"), ("ref", "in", numbers)]
        )
    if not found:
        pytest.exit(
            f"No imported AR history in database {get_db_name()}: run "
            f"odoo-bin credit_import --file {ar_history.CSV_PATH} "
            f"--as-of {ar_history.AS_OF} first",
            returncode=2,
        )
