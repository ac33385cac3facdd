import logging
import optparse
import sys
from datetime import date
from pathlib import Path

import psycopg2

import odoo
from odoo.cli import Command
from odoo.exceptions import UserError, ValidationError
from odoo.modules.registry import Registry

_logger = logging.getLogger(__name__)


class CreditImport(Command):
    """Import a receivables history (CSV) into a database's ledger"""

    name = "credit_import"

    def run(self, cmdargs):
        parser = odoo.tools.config.parser
        parser.prog = f"{Path(sys.argv[0]).name} {self.name}"
        group = optparse.OptionGroup(parser, "Receivables History Import")
        group.add_option(
            "--file",
            dest="credit_file",
            help="CSV file of the history (columns as in ar_late_payments.csv)",
        )
        group.add_option(
            "--as-of",
            dest="credit_as_of",
            help="replay the ledger as it stood on this day, YYYY-MM-DD",
        )
        group.add_option(
            "--shift-to-today",
            dest="credit_shift_to_today",
            action="store_true",
            default=False,
            help="move every date so that the --as-of day falls on today",
        )
        group.add_option(
            "--company-id",
            dest="credit_company_id",
            type="int",
            help="company receiving the ledger (default: the main company)",
        )
        parser.add_option_group(group)
        opt = odoo.tools.config.parse_config(cmdargs, setup_logging=True)
        try:
            summary = self._import(opt)
        except (UserError, ValidationError) as err:
            self._die(err.args[0])
        except (OSError, ValueError, psycopg2.OperationalError) as err:
            self._die(str(err))
        for key, value in summary.items():
            print(f"{key}: {value}")

    def _import(self, opt):
        """Check the options, import the file and commit; return the summary."""
        dbname = odoo.tools.config["db_name"]
        if not dbname:
            raise ValueError("no database given (-d DB)")
        if not opt.credit_file:
            raise ValueError("no file given (--file PATH)")
        if not opt.credit_as_of:
            raise ValueError("no date given (--as-of YYYY-MM-DD)")
        try:
            as_of = date.fromisoformat(opt.credit_as_of)
        except ValueError as err:
            raise ValueError(
                f"--as-of {opt.credit_as_of!r} is not a date as YYYY-MM-DD"
            ) from err
        csv_text = Path(opt.credit_file).read_text(encoding="utf-8-sig")

        registry = Registry(dbname)
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            if "credit.history.import" not in env:
                raise ValueError(
                    f"module credit_management is not installed in {dbname}"
                )
            company = env.company
            if opt.credit_company_id:
                company = env["res.company"].browse(opt.credit_company_id).exists()
                if not company:
                    raise ValueError(f"no company with id {opt.credit_company_id}")
            shift_days = (date.today() - as_of).days if opt.credit_shift_to_today else 0
            summary = (
                env["credit.history.import"]
                .with_company(company)
                ._import_csv(csv_text, company, as_of, shift_days)
            )
            cr.commit()
        return summary

    def _die(self, message):
        """Exit non-zero with the error on one line."""
        one_line = " / ".join(
            part.strip() for part in str(message).splitlines() if part.strip()
        )
        sys.exit(f"credit_import: {one_line}")
