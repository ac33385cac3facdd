import base64
import binascii
import csv
import io
import logging
import time
from datetime import datetime, timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

# Columns the importer reads; the others of the data set (PaperlessDate,
# PaperlessBill, DaysToSettle, DaysLate) are derived or not used by the ledger.
HISTORY_COLUMNS = (
    "countrycode",
    "customerID",
    "invoiceNumber",
    "InvoiceDate",
    "DueDate",
    "InvoiceAmount",
    "Disputed",
    "SettledDate",
)
HISTORY_DATE_FORMAT = "%d/%m/%Y"
HISTORY_PRODUCT_CODE = "AR-HISTORY"
# Invoices and payments are created and posted by chunks: big enough to share
# the ORM's batch work (prefetch, recomputes), small enough to keep memory low.
HISTORY_CHUNK_SIZE = 200
# A file with many broken rows would give an unreadable message.
HISTORY_MAX_ERRORS = 20

# Context for the bulk writes: the history is not news, so no chatter messages,
# followers or tracking values for each of the thousands of records.
HISTORY_WRITE_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}


class CreditHistoryImport(models.TransientModel):
    """Import a receivables history from a CSV file into the ledger."""

    _name = "credit.history.import"
    _description = "Receivables History Import"

    file = fields.Binary(string="CSV File", attachment=False)
    filename = fields.Char()
    as_of = fields.Date(
        string="As of",
        required=True,
        default=fields.Date.context_today,
        help="Invoices issued after this date are not imported, and payments "
        "settled after it are left open, as the ledger stood on that day.",
    )
    shift_to_today = fields.Boolean(
        string="Shift Dates to Today",
        help="Move every date of the file by the same number of days, so that "
        "the 'As of' day falls on today: overdue days and reminders then read "
        "as they would in a live company.",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        default=lambda self: self.env.company,
    )
    state = fields.Selection(
        selection=[("draft", "Draft"), ("done", "Done")],
        default="draft",
        required=True,
    )
    result_summary = fields.Text(string="Result", readonly=True)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_import(self):
        """Import the uploaded file and show what was created."""
        self.ensure_one()
        if not self.file:
            raise UserError(self.env._("Choose the CSV file to import."))
        try:
            raw = base64.b64decode(self.file)
            csv_text = raw.decode("utf-8-sig")
        except (binascii.Error, UnicodeDecodeError) as err:
            raise UserError(
                self.env._(
                    "The file %(name)s is not a UTF-8 CSV file.",
                    name=self.filename or "",
                )
            ) from err
        shift_days = 0
        if self.shift_to_today:
            shift_days = (fields.Date.context_today(self) - self.as_of).days
        summary = self._import_csv(csv_text, self.company_id, self.as_of, shift_days)
        self.write(
            {
                "state": "done",
                "file": False,
                "result_summary": self._format_summary(summary),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Import AR History"),
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _import_csv(self, csv_text, company, as_of, shift_days=0):
        """Replay a receivables history in ``company``'s ledger as of a date.

        Each row becomes a posted customer invoice when its InvoiceDate is on
        or before ``as_of``, and the invoice is paid in full (payment posted
        and reconciled) when its SettledDate is also on or before ``as_of``.
        Customers are matched by their reference (``res.partner.ref`` =
        customerID). Every row is checked before anything is written, and the
        writes run in a savepoint, so a bad file leaves nothing behind.

        The import is idempotent: invoices already in the ledger (same company,
        customer and reference) and invoices already paid are skipped, so
        running it again with a later ``as_of`` only adds the newer invoices
        and the payments that fell due in between.

        ``shift_days`` moves every date written (invoice, due and payment
        dates) by that many days. The demo database uses it so that ``as_of``
        falls on today (the CLI's ``--shift-to-today``); rows are still chosen
        by their unshifted dates against ``as_of``.

        :param csv_text: content of the file, header line included
        :param company: res.company receiving the ledger
        :param as_of: date (unshifted) the ledger is replayed to
        :param shift_days: number of days added to every date written
        :return: dict with ``rows``, ``rows_after_as_of``, ``as_of``,
            ``shift_days``, ``customers_created``, ``customers_existing``,
            ``invoices_created``, ``invoices_existing``, ``payments_created``,
            ``payments_existing``, ``payments_skipped``, the open and overdue
            figures of ``_get_import_summary`` and ``seconds``
        """
        started = time.monotonic()
        company.ensure_one()
        as_of = fields.Date.to_date(as_of)

        # 1. Check every row before writing anything.
        rows = self._parse_history_csv(csv_text)
        rows_in_scope = [row for row in rows if row["invoice_date"] <= as_of]
        rows_in_scope.sort(key=lambda row: (row["invoice_date"], row["line"]))
        shift = timedelta(days=shift_days)

        # 2. Write customers, invoices and payments, all or nothing.
        importer = self.with_context(**HISTORY_WRITE_CONTEXT)
        with self.env.cr.savepoint():
            partners, partner_counts = importer._import_history_customers(
                rows_in_scope, company
            )
            invoices, invoice_counts = importer._import_history_invoices(
                rows_in_scope, company, partners, shift
            )
            payment_counts = importer._import_history_payments(
                rows_in_scope, company, invoices, as_of, shift
            )

        # 3. Report what the ledger holds now for the rows of the file.
        summary = {
            "rows": len(rows),
            "rows_after_as_of": len(rows) - len(rows_in_scope),
            "as_of": as_of,
            "shift_days": shift_days,
            **partner_counts,
            **invoice_counts,
            **payment_counts,
            **self._get_import_summary(company, invoices, as_of + shift),
        }
        summary["seconds"] = round(time.monotonic() - started, 1)
        _logger.info(
            "AR history imported as of %s: %s invoices and %s payments created "
            "in %.1f s",
            as_of,
            summary["invoices_created"],
            summary["payments_created"],
            summary["seconds"],
        )
        return summary

    @api.model
    def _parse_history_csv(self, csv_text):
        """Parse and check the rows of a history file.

        :return: list of dicts, one per data row, with typed values and
            ``line`` (the 1-based line of the file, the header being line 1)
        :raise UserError: naming the line and the column of each bad value
        """
        if csv_text.startswith("\ufeff"):
            csv_text = csv_text[1:]
        reader = csv.DictReader(io.StringIO(csv_text))
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [column for column in HISTORY_COLUMNS if column not in header]
        if missing:
            raise UserError(
                self.env._(
                    "Line 1 of the history file lacks the column(s) %(columns)s.",
                    columns=", ".join(missing),
                )
            )
        reader.fieldnames = header

        rows, errors = [], []
        invoice_lines, customer_codes = {}, {}
        for raw in reader:
            line = reader.line_num
            row_errors = []
            row = self._parse_history_row(raw, line, row_errors)
            if not row_errors:
                # Checks across rows: an invoice number is unique, and a
                # customer has one country code.
                first_line = invoice_lines.setdefault(row["invoice_number"], line)
                if first_line != line:
                    row_errors.append(
                        self.env._(
                            "Line %(line)s, column invoiceNumber: invoice "
                            "%(number)s is already on line %(first)s.",
                            line=line,
                            number=row["invoice_number"],
                            first=first_line,
                        )
                    )
                code, code_line = customer_codes.setdefault(
                    row["customer_ref"], (row["country_code"], line)
                )
                if code != row["country_code"]:
                    row_errors.append(
                        self.env._(
                            "Line %(line)s, column countrycode: customer "
                            "%(customer)s has code %(code)s on line %(first)s.",
                            line=line,
                            customer=row["customer_ref"],
                            code=code,
                            first=code_line,
                        )
                    )
            errors += row_errors
            rows.append(row)
        if errors:
            shown = errors[:HISTORY_MAX_ERRORS]
            if len(errors) > len(shown):
                shown.append(
                    self.env._(
                        "... and %(count)s more errors.",
                        count=len(errors) - len(shown),
                    )
                )
            raise UserError("\n".join(shown))
        return rows

    @api.model
    def _parse_history_row(self, raw, line, errors):
        """Convert one CSV row to typed values, appending problems to errors."""

        def fail(column, problem):
            errors.append(
                self.env._(
                    "Line %(line)s, column %(column)s: %(problem)s (value: "
                    "'%(value)s').",
                    line=line,
                    column=column,
                    problem=problem,
                    value=(raw.get(column) or "").strip(),
                )
            )

        def text(column):
            value = (raw.get(column) or "").strip()
            if not value:
                fail(column, self.env._("a value is required"))
            return value

        def date(column, required=True):
            value = (raw.get(column) or "").strip()
            if not value and not required:
                return None
            try:
                return datetime.strptime(value, HISTORY_DATE_FORMAT).date()
            except ValueError:
                fail(column, self.env._("expected a date as day/month/year"))
                return None

        row = {
            "line": line,
            "customer_ref": text("customerID"),
            "country_code": text("countrycode"),
            "invoice_number": text("invoiceNumber"),
            "invoice_date": date("InvoiceDate"),
            "due_date": date("DueDate"),
            "settled_date": date("SettledDate", required=False),
        }
        if row["country_code"] and not row["country_code"].isalnum():
            fail("countrycode", self.env._("expected letters or digits only"))

        try:
            row["amount"] = float((raw.get("InvoiceAmount") or "").strip())
        except ValueError:
            row["amount"] = None
            fail("InvoiceAmount", self.env._("expected a number"))
        if row["amount"] is not None and not row["amount"] > 0:
            fail("InvoiceAmount", self.env._("the amount must be positive"))

        disputed = (raw.get("Disputed") or "").strip().lower()
        if disputed not in ("yes", "no"):
            fail("Disputed", self.env._("expected Yes or No"))
        row["disputed"] = disputed == "yes"

        invoice_date = row["invoice_date"]
        if invoice_date and row["due_date"] and row["due_date"] < invoice_date:
            fail("DueDate", self.env._("the due date is before the invoice date"))
        if invoice_date and row["settled_date"] and row["settled_date"] < invoice_date:
            fail(
                "SettledDate",
                self.env._("the settlement date is before the invoice date"),
            )
        return row

    @api.model
    def _import_history_customers(self, rows, company):
        """Find or create the customers of the rows, by reference.

        :return: (dict customer reference -> res.partner, dict of counts)
        """
        codes = {row["customer_ref"]: row["country_code"] for row in rows}
        Partner = self.env["res.partner"]
        existing = Partner.search(
            [
                ("ref", "in", list(codes)),
                ("is_company", "=", True),
                ("company_id", "in", [False, company.id]),
            ],
            order="id",
        )
        partners = {}
        for partner in existing:
            partners.setdefault(partner.ref, partner)
        # Older imports may predate the country code: fill it in, never
        # overwrite a code someone corrected by hand.
        for ref, partner in partners.items():
            if not partner.credit_source_country_code:
                partner.credit_source_country_code = codes[ref]

        to_create = [ref for ref in codes if ref not in partners]
        created = Partner.create(
            [self._prepare_history_partner_vals(ref, codes[ref]) for ref in to_create]
        )
        partners.update(zip(to_create, created, strict=True))
        counts = {
            "customers_created": len(created),
            "customers_existing": len(codes) - len(created),
        }
        return partners, counts

    @api.model
    def _prepare_history_partner_vals(self, ref, country_code):
        """Return the values of a customer created from the history."""
        return {
            "name": ref,
            "ref": ref,
            "is_company": True,
            "customer_rank": 1,
            "credit_source_country_code": country_code,
        }

    @api.model
    def _import_history_invoices(self, rows, company, partners, shift):
        """Create and post the invoices of the rows not yet in the ledger.

        :return: (dict invoice number -> account.move, dict of counts)
        """
        Move = self.env["account.move"]
        # 1. Invoices already imported: same company, customer and reference.
        existing = Move.search(
            [
                ("company_id", "=", company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "!=", "cancel"),
                ("ref", "in", [row["invoice_number"] for row in rows]),
                (
                    "commercial_partner_id",
                    "in",
                    [partner.id for partner in partners.values()],
                ),
            ],
            order="id",
        )
        by_key = {}
        for move in existing:
            by_key.setdefault((move.ref, move.commercial_partner_id.id), move)
        invoices, to_create = {}, []
        for row in rows:
            partner = partners[row["customer_ref"]]
            move = by_key.get((row["invoice_number"], partner.id))
            if move:
                invoices[row["invoice_number"]] = move
            else:
                to_create.append(row)

        # 2. Create and post the others, by chunks, oldest first so that the
        # invoice numbers follow the invoice dates.
        if to_create:
            journal = self._get_history_sale_journal(company)
            product = self._get_history_product()
        for start in range(0, len(to_create), HISTORY_CHUNK_SIZE):
            chunk = to_create[start : start + HISTORY_CHUNK_SIZE]
            moves = Move.with_company(company).create(
                [
                    self._prepare_history_invoice_vals(
                        row,
                        company,
                        journal,
                        product,
                        partners[row["customer_ref"]],
                        shift,
                    )
                    for row in chunk
                ]
            )
            moves.action_post()
            invoices.update(
                zip((row["invoice_number"] for row in chunk), moves, strict=True)
            )
            self._refresh_ledger_statistics(start // HISTORY_CHUNK_SIZE + 1)
            _logger.debug("AR history: %s invoices posted", start + len(chunk))
        counts = {
            "invoices_created": len(to_create),
            "invoices_existing": len(rows) - len(to_create),
        }
        return invoices, counts

    @api.model
    def _prepare_history_invoice_vals(
        self, row, company, journal, product, partner, shift
    ):
        """Return the values of the customer invoice of one history row.

        The due date is the file's, set explicitly with no payment term: the
        history's terms (30 days) are already in the due dates.
        """
        invoice_date = row["invoice_date"] + shift
        # ``row["disputed"]`` is for the modules that keep disputes (dunning).
        return {
            "move_type": "out_invoice",
            "company_id": company.id,
            "journal_id": journal.id,
            "partner_id": partner.id,
            "currency_id": company.currency_id.id,
            "ref": row["invoice_number"],
            "invoice_date": invoice_date,
            "date": invoice_date,
            "invoice_payment_term_id": False,
            "invoice_date_due": row["due_date"] + shift,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": product.id,
                        "name": product.name,
                        "quantity": 1.0,
                        "price_unit": row["amount"],
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }

    @api.model
    def _import_history_payments(self, rows, company, invoices, as_of, shift):
        """Pay in full the invoices settled on or before ``as_of``.

        An invoice counts as already paid when nothing is left to pay on it
        or when one of its payments carries its number as memo.

        :return: dict of counts
        """
        # 1. Invoices settled by as_of and not paid yet.
        to_pay, existing, skipped = [], 0, 0
        for row in rows:
            if not row["settled_date"] or row["settled_date"] > as_of:
                continue
            invoice = invoices[row["invoice_number"]]
            already_paid = invoice.payment_state in (
                "paid",
                "in_payment",
                "reversed",
            ) or invoice.matched_payment_ids.filtered(
                lambda pay, number=row["invoice_number"]: (
                    pay.memo == number and pay.state != "canceled"
                )
            )
            if already_paid:
                existing += 1
            elif invoice.state != "posted":
                # A user reset or cancelled it: leave it to them.
                skipped += 1
            else:
                to_pay.append((row, invoice))

        # 2. Create, post and reconcile the payments by chunks.
        if to_pay:
            journal = self._get_history_bank_journal(company)
        Payment = self.env["account.payment"].with_context(skip_invoice_sync=True)
        for start in range(0, len(to_pay), HISTORY_CHUNK_SIZE):
            chunk = to_pay[start : start + HISTORY_CHUNK_SIZE]
            payments = Payment.with_company(company).create(
                [
                    self._prepare_history_payment_vals(row, invoice, journal, shift)
                    for row, invoice in chunk
                ]
            )
            payments.action_post()
            plan = []
            for payment, (_row, invoice) in zip(payments, chunk, strict=True):
                receivable = invoice.line_ids.filtered(
                    lambda aml: (
                        aml.account_type == "asset_receivable" and not aml.reconciled
                    )
                )
                counterpart = payment.move_id.line_ids.filtered(
                    lambda aml, accounts=receivable.account_id: (
                        aml.account_id in accounts and not aml.reconciled
                    )
                )
                plan.append(receivable + counterpart)
            self.env["account.move.line"]._reconcile_plan(plan)
            self._refresh_ledger_statistics(start // HISTORY_CHUNK_SIZE + 1)
            _logger.debug("AR history: %s payments posted", start + len(chunk))
        return {
            "payments_created": len(to_pay),
            "payments_existing": existing,
            "payments_skipped": skipped,
        }

    @api.model
    def _refresh_ledger_statistics(self, chunk_number):
        """Let PostgreSQL see how much the ledger grew during the import.

        On an empty ledger, or one emptied by a rolled-back import, the planner
        believes the accounting tables hold no rows and picks nested loops
        that take minutes once thousands of lines exist (seen on the payment
        state query). Analysing the tables after chunks 1, 2, 4, 8... keeps
        its estimates close for a fraction of a second each time.
        """
        if chunk_number & (chunk_number - 1):
            return
        self.env.flush_all()
        self.env.cr.execute(
            "ANALYZE account_move, account_move_line, account_partial_reconcile,"
            " account_payment"
        )

    @api.model
    def _prepare_history_payment_vals(self, row, invoice, journal, shift):
        """Return the values of the payment settling one history invoice."""
        return {
            "payment_type": "inbound",
            "partner_type": "customer",
            "partner_id": invoice.commercial_partner_id.id,
            "company_id": invoice.company_id.id,
            "journal_id": journal.id,
            "currency_id": invoice.currency_id.id,
            "amount": invoice.amount_total,
            "date": row["settled_date"] + shift,
            "memo": row["invoice_number"],
            "invoice_ids": [Command.set(invoice.ids)],
        }

    @api.model
    def _get_import_summary(self, company, invoices, date):
        """Count the open and overdue invoices among the imported ones.

        :param company: the company of the invoices
        :param invoices: dict invoice number -> account.move
        :param date: the day the ledger is read on (as_of, shifted)
        :return: dict with ``open_count``, ``open_amount``, ``overdue_count``
            and ``overdue_amount`` (overdue: due strictly before ``date``)
        """
        moves = self.env["account.move"].union(*invoices.values())
        moves = moves.filtered(lambda move: move.state == "posted")
        currency = company.currency_id
        open_moves = moves.filtered(
            lambda move: (
                not move.company_currency_id.is_zero(move.amount_residual_signed)
            )
        )
        overdue = open_moves.filtered(lambda move: move.invoice_date_due < date)
        return {
            "open_count": len(open_moves),
            "open_amount": currency.round(
                sum(open_moves.mapped("amount_residual_signed"))
            ),
            "overdue_count": len(overdue),
            "overdue_amount": currency.round(
                sum(overdue.mapped("amount_residual_signed"))
            ),
        }

    @api.model
    def _get_history_sale_journal(self, company):
        """Return the sales journal receiving the history's invoices."""
        journal = self.env["account.journal"].search(
            [*self.env["account.journal"]._check_company_domain(company)]
            + [("type", "=", "sale")],
            order="sequence, id",
            limit=1,
        )
        if not journal:
            raise UserError(
                self.env._(
                    "Company %(company)s has no sales journal to import invoices into.",
                    company=company.display_name,
                )
            )
        return journal

    @api.model
    def _get_history_bank_journal(self, company):
        """Return the bank journal receiving the history's payments."""
        journal = self.env["account.journal"].search(
            [*self.env["account.journal"]._check_company_domain(company)]
            + [("type", "=", "bank")],
            order="sequence, id",
            limit=1,
        )
        if not journal:
            raise UserError(
                self.env._(
                    "Company %(company)s has no bank journal to record payments in.",
                    company=company.display_name,
                )
            )
        return journal

    @api.model
    def _get_history_product(self):
        """Return the service product of the history's invoice lines.

        Created on the first import, shared by all companies, without taxes:
        the history's amounts are totals and carry no tax detail.
        """
        Product = self.env["product.product"].with_context(active_test=False)
        product = Product.search([("default_code", "=", HISTORY_PRODUCT_CODE)], limit=1)
        if not product:
            product = Product.create(
                {
                    "name": self.env._("Goods and services (AR history)"),
                    "default_code": HISTORY_PRODUCT_CODE,
                    "type": "service",
                    "sale_ok": False,
                    "purchase_ok": False,
                    "taxes_id": [Command.clear()],
                    "supplier_taxes_id": [Command.clear()],
                    "company_id": False,
                }
            )
        return product

    @api.model
    def _apply_history_limits(self, company, as_of):
        """Give each customer of an imported history a limit from its invoicing.

        Sets the limit mode to ``custom`` with the amount suggested by
        ``res.partner._credit_suggest_limit_from_history`` (the one place of
        the rule) on every customer the importer created (those with a source
        country code). The demo and the end-to-end tests call it right after
        importing the history.

        :return: number of those customers whose exposure (the ledger as it
            stands, i.e. as imported for ``as_of``) is over the new limit
        """
        partners = (
            self.env["res.partner"]
            .sudo()
            .with_company(company)
            .search(
                [
                    ("credit_source_country_code", "!=", False),
                    ("is_company", "=", True),
                    ("company_id", "in", [False, company.id]),
                ]
            )
        )
        limits = partners._credit_suggest_limit_from_history(company, as_of)
        # One write per distinct amount rather than one per customer.
        by_amount = {}
        for partner in partners:
            by_amount[limits[partner.id]] = (
                by_amount.get(limits[partner.id], partners.browse()) | partner
            )
        for amount, group in by_amount.items():
            group.write({"credit_limit_mode": "custom", "credit_limit_amount": amount})

        over_ids = set(partners._credit_get_over_limit_ids(company))
        return len(over_ids.intersection(partners.ids))

    @api.model
    def _format_summary(self, summary):
        """Return the summary as lines of text for the wizard."""
        return self.env._(
            "As of %(as_of)s (dates shifted by %(shift)s days), %(rows)s rows "
            "read, %(later)s issued later and left out.\n"
            "Customers: %(c_new)s created, %(c_old)s already there.\n"
            "Invoices: %(i_new)s created, %(i_old)s already there.\n"
            "Payments: %(p_new)s created, %(p_old)s already there.\n"
            "Open: %(open)s invoices, %(open_amount)s.\n"
            "Overdue: %(overdue)s invoices, %(overdue_amount)s.",
            as_of=summary["as_of"],
            shift=summary["shift_days"],
            rows=summary["rows"],
            later=summary["rows_after_as_of"],
            c_new=summary["customers_created"],
            c_old=summary["customers_existing"],
            i_new=summary["invoices_created"],
            i_old=summary["invoices_existing"],
            p_new=summary["payments_created"],
            p_old=summary["payments_existing"],
            open=summary["open_count"],
            open_amount=f"{summary['open_amount']:.2f}",
            overdue=summary["overdue_count"],
            overdue_amount=f"{summary['overdue_amount']:.2f}",
        )
