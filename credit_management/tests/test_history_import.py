import base64
from datetime import date

from freezegun import freeze_time

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

HEADER = (
    "countrycode,customerID,PaperlessDate,invoiceNumber,InvoiceDate,DueDate,"
    "InvoiceAmount,Disputed,SettledDate,PaperlessBill,DaysToSettle,DaysLate"
)
# Line numbers of the file: the header is line 1, so T-9001 is on line 2.
ROWS = (
    # Paid on 20/01/2013, before both dates the tests replay.
    "770,HIST-A,01/01/2013,T-9001,05/01/2013,04/02/2013,100.00,No,20/01/2013,"
    "Paper,15,0",
    # Open on 31/03/2013 and overdue (due 12/03/2013); paid on 20/04/2013.
    "770,HIST-A,01/01/2013,T-9002,10/02/2013,12/03/2013,200.50,No,20/04/2013,"
    "Paper,69,39",
    # Open on 31/03/2013 but not due yet (due 14/04/2013); paid on 10/04/2013.
    "391,HIST-B,01/01/2013,T-9003,15/03/2013,14/04/2013,50.25,Yes,10/04/2013,"
    "Electronic,26,0",
    # Issued on 20/04/2013: not in the ledger of 31/03/2013; paid 25/05/2013.
    "391,HIST-B,01/01/2013,T-9004,20/04/2013,20/05/2013,75.00,No,25/05/2013,"
    "Electronic,35,5",
)
MARCH_END = date(2013, 3, 31)
MAY_END = date(2013, 5, 31)


def history_csv(*rows):
    return "\n".join((HEADER, *rows)) + "\n"


@tagged("post_install", "-at_install")
class TestHistoryImport(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.company_data["company"]
        # Importing a history is a credit manager's job.
        cls.env.user.groups_id += cls.env.ref("credit_management.group_credit_manager")
        cls.importer = cls.env["credit.history.import"]

    def _import(self, as_of, rows=ROWS, shift_days=0):
        return self.importer._import_csv(
            history_csv(*rows), self.company, as_of, shift_days
        )

    def _invoices(self):
        return self.env["account.move"].search(
            [
                ("company_id", "=", self.company.id),
                ("move_type", "=", "out_invoice"),
                ("ref", "in", ["T-9001", "T-9002", "T-9003", "T-9004"]),
            ],
            order="ref",
        )

    def _payments(self):
        return self.env["account.payment"].search(
            [
                ("company_id", "=", self.company.id),
                ("memo", "in", ["T-9001", "T-9002", "T-9003", "T-9004"]),
            ],
            order="memo",
        )

    def test_import_as_of(self):
        """Three invoices dated by 31/03, one paid, two open, one overdue."""
        summary = self._import(MARCH_END)

        # Open: T-9002 + T-9003 = 200.50 + 50.25 = 250.75; overdue: T-9002.
        self.assertEqual(
            {key: summary[key] for key in summary if key != "seconds"},
            {
                "rows": 4,
                "rows_after_as_of": 1,
                "as_of": MARCH_END,
                "shift_days": 0,
                "customers_created": 2,
                "customers_existing": 0,
                "invoices_created": 3,
                "invoices_existing": 0,
                "payments_created": 1,
                "payments_existing": 0,
                "payments_skipped": 0,
                "open_count": 2,
                "open_amount": 250.75,
                "overdue_count": 1,
                "overdue_amount": 200.50,
            },
        )
        partners = self.env["res.partner"].search(
            [("ref", "in", ["HIST-A", "HIST-B"])], order="ref"
        )
        self.assertRecordValues(
            partners,
            [
                {
                    "ref": "HIST-A",
                    "is_company": True,
                    "credit_source_country_code": "770",
                },
                {
                    "ref": "HIST-B",
                    "is_company": True,
                    "credit_source_country_code": "391",
                },
            ],
        )
        # Created with customer_rank 1, raised by posting their invoices.
        self.assertTrue(all(rank > 0 for rank in partners.mapped("customer_rank")))
        # Due dates are the file's own, not recomputed from a payment term.
        self.assertRecordValues(
            self._invoices(),
            [
                {
                    "ref": "T-9001",
                    "partner_id": partners[0].id,
                    "state": "posted",
                    "invoice_date": date(2013, 1, 5),
                    "invoice_date_due": date(2013, 2, 4),
                    "amount_total": 100.0,
                    "amount_tax": 0.0,
                    "amount_residual": 0.0,
                },
                {
                    "ref": "T-9002",
                    "partner_id": partners[0].id,
                    "state": "posted",
                    "invoice_date": date(2013, 2, 10),
                    "invoice_date_due": date(2013, 3, 12),
                    "amount_total": 200.5,
                    "amount_tax": 0.0,
                    "amount_residual": 200.5,
                },
                {
                    "ref": "T-9003",
                    "partner_id": partners[1].id,
                    "state": "posted",
                    "invoice_date": date(2013, 3, 15),
                    "invoice_date_due": date(2013, 4, 14),
                    "amount_total": 50.25,
                    "amount_tax": 0.0,
                    "amount_residual": 50.25,
                },
            ],
        )

    def test_nothing_issued_yet(self):
        """Before the first invoice date nothing is written."""
        summary = self._import(date(2013, 1, 4))
        self.assertEqual(
            [
                summary[key]
                for key in (
                    "rows_after_as_of",
                    "customers_created",
                    "invoices_created",
                    "open_count",
                    "open_amount",
                )
            ],
            [4, 0, 0, 0, 0.0],
        )
        self.assertFalse(self._invoices())

    def test_payment_reconciled(self):
        """The settled invoice is paid by a posted payment on the settled day."""
        self._import(MARCH_END)
        invoice = self._invoices()[0]
        payment = self._payments()
        self.assertRecordValues(
            payment,
            [
                {
                    "memo": "T-9001",
                    "date": date(2013, 1, 20),
                    "amount": 100.0,
                    "payment_type": "inbound",
                    "partner_id": invoice.partner_id.id,
                }
            ],
        )
        self.assertIn(payment.state, ("in_process", "paid"))
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        receivable = invoice.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        self.assertTrue(receivable.reconciled)
        self.assertEqual(
            receivable.matched_credit_ids.credit_move_id.move_id, payment.move_id
        )
        self.assertEqual(invoice.matched_payment_ids, payment)

    def test_import_twice(self):
        """The same file as of the same day creates nothing the second time."""
        self._import(MARCH_END)
        invoices, payments = self._invoices(), self._payments()

        summary = self._import(MARCH_END)

        self.assertEqual(
            [
                summary[key]
                for key in (
                    "customers_created",
                    "customers_existing",
                    "invoices_created",
                    "invoices_existing",
                    "payments_created",
                    "payments_existing",
                    "open_count",
                    "open_amount",
                )
            ],
            [0, 2, 0, 3, 0, 1, 2, 250.75],
        )
        self.assertEqual(self._invoices(), invoices)
        self.assertEqual(self._payments(), payments)
        self.assertEqual(
            self.env["res.partner"].search_count([("ref", "=", "HIST-A")]), 1
        )

    def test_import_later(self):
        """A later date adds T-9004 and the three payments settled since."""
        self._import(MARCH_END)
        invoices, payments = self._invoices(), self._payments()

        summary = self._import(MAY_END)

        self.assertEqual(
            [
                summary[key]
                for key in (
                    "rows_after_as_of",
                    "invoices_created",
                    "invoices_existing",
                    "payments_created",
                    "payments_existing",
                    "open_count",
                    "open_amount",
                )
            ],
            [0, 1, 3, 3, 1, 0, 0.0],
        )
        self.assertEqual(self._invoices() - invoices, self._invoices()[3])
        self.assertEqual(len(self._payments()), 4)
        self.assertLess(payments, self._payments())
        self.assertEqual(set(self._invoices().mapped("amount_residual")), {0.0})

    def test_existing_customer_reused(self):
        """A company with the customer's reference is the customer."""
        customer = self.env["res.partner"].create(
            {"name": "Hist A Ltd", "ref": "HIST-A", "is_company": True}
        )
        summary = self._import(MARCH_END)
        self.assertEqual(summary["customers_existing"], 1)
        self.assertEqual(self._invoices()[:2].partner_id, customer)
        self.assertEqual(customer.credit_source_country_code, "770")

    def test_malformed_rows(self):
        """A bad value names its line and column; nothing is written."""
        good = ROWS[0]
        cases = [
            # (row, column named in the error)
            (good.replace("05/01/2013", "2013-01-05"), "InvoiceDate"),
            (good.replace("04/02/2013", "31/02/2013"), "DueDate"),
            (good.replace("04/02/2013", "01/01/2013"), "DueDate"),
            (good.replace("100.00", "-100.00"), "InvoiceAmount"),
            (good.replace("100.00", "abc"), "InvoiceAmount"),
            (good.replace(",No,", ",Maybe,"), "Disputed"),
            (good.replace("HIST-A", ""), "customerID"),
            (good.replace("T-9001", ""), "invoiceNumber"),
            (good.replace("770,", ",", 1), "countrycode"),
            (good.replace("20/01/2013", "01/01/2013"), "SettledDate"),
        ]
        for row, column in cases:
            with self.subTest(column=column, row=row):
                # The bad row comes third: line 4 of the file.
                with self.assertRaises(UserError) as error:
                    self._import(MARCH_END, rows=(ROWS[1], ROWS[2], row))
                message = str(error.exception)
                self.assertTrue(message.startswith("Line 4, column"), message)
                self.assertIn(column, message)
                self.assertFalse(self._invoices())
                self.assertFalse(
                    self.env["res.partner"].search([("ref", "like", "HIST-")])
                )

    def test_inconsistent_rows(self):
        """A repeated invoice number or a second country code is refused."""
        duplicate = ROWS[1].replace("T-9002", "T-9001")
        with self.assertRaisesRegex(UserError, "Line 3, column invoiceNumber"):
            self._import(MARCH_END, rows=(ROWS[0], duplicate))
        recoded = ROWS[1].replace("770,", "406,", 1)
        with self.assertRaisesRegex(UserError, "Line 3, column countrycode"):
            self._import(MARCH_END, rows=(ROWS[0], recoded))
        with self.assertRaisesRegex(UserError, "Line 1 .* InvoiceAmount"):
            self.importer._import_csv(
                "countrycode,customerID,invoiceNumber,InvoiceDate,DueDate,"
                "Disputed,SettledDate\n",
                self.company,
                MARCH_END,
            )

    def test_failure_after_writes_leaves_nothing(self):
        """An error while writing rolls back the customers and invoices."""
        self.company_data["default_journal_bank"].active = False
        self.env["account.journal"].search(
            [("company_id", "=", self.company.id), ("type", "=", "bank")]
        ).active = False
        with self.assertRaisesRegex(UserError, "no bank journal"):
            self._import(MARCH_END)
        self.assertFalse(self._invoices())
        self.assertFalse(self.env["res.partner"].search([("ref", "like", "HIST-")]))

    def test_shift_days(self):
        """Every date moves by the shift; rows are still chosen unshifted."""
        # 31/03/2013 + 10 days = 10/04/2013: T-9002 (due 12/03 + 10 = 22/03)
        # is overdue on that day, T-9003 (due 14/04 + 10 = 24/04) is not.
        summary = self._import(MARCH_END, shift_days=10)
        self.assertEqual(
            [summary[key] for key in ("invoices_created", "overdue_count")], [3, 1]
        )
        self.assertRecordValues(
            self._invoices(),
            [
                {
                    "invoice_date": date(2013, 1, 15),
                    "invoice_date_due": date(2013, 2, 14),
                },
                {
                    "invoice_date": date(2013, 2, 20),
                    "invoice_date_due": date(2013, 3, 22),
                },
                {
                    "invoice_date": date(2013, 3, 25),
                    "invoice_date_due": date(2013, 4, 24),
                },
            ],
        )
        self.assertEqual(self._payments().date, date(2013, 1, 30))

    @freeze_time("2024-04-10")
    def test_wizard_shift_to_today(self):
        """The wizard shifts the dates so that the as of day is today."""
        # 31/03/2013 -> 10/04/2024 is 4028 days; T-9001 moves from 05/01/2013
        # to 05/01/2013 + 4028 days = 16/01/2024.
        form = Form(self.importer.with_company(self.company))
        form.file = base64.b64encode(history_csv(*ROWS).encode())
        form.as_of = MARCH_END
        form.shift_to_today = True
        wizard = form.save()
        wizard.action_import()
        self.assertEqual(wizard.state, "done")
        self.assertIn("Invoices: 3 created", wizard.result_summary)
        self.assertEqual(self._invoices()[0].invoice_date, date(2024, 1, 16))

    def test_suggest_limit(self):
        """Twice the monthly average over a year, rounded up to 50."""
        self._import(MAY_END)
        partners = self.env["res.partner"].search(
            [("ref", "in", ["HIST-A", "HIST-B"])], order="ref"
        )
        newcomer = self.env["res.partner"].create({"name": "No History"})
        limits = (partners | newcomer)._credit_suggest_limit_from_history(
            self.company, MAY_END
        )
        # HIST-A: 2 x (100.00 + 200.50) / 12 = 50.08 -> 100.
        # HIST-B: 2 x (50.25 + 75.00) / 12 = 20.88 -> 50. No history: 0.
        self.assertEqual(
            limits, {partners[0].id: 100.0, partners[1].id: 50.0, newcomer.id: 0.0}
        )
        # Six months later T-9001 (05/01/2013) is out of the window:
        # HIST-A: 2 x 200.50 / 12 = 33.42 -> 50.
        later = partners._credit_suggest_limit_from_history(
            self.company, date(2014, 1, 6)
        )
        self.assertEqual(later[partners[0].id], 50.0)

    def test_apply_history_limits(self):
        """Imported customers get a custom limit; over limit ones are counted."""
        self._import(MARCH_END)
        over = self.importer._apply_history_limits(self.company, MARCH_END)
        partners = (
            self.env["res.partner"]
            .with_company(self.company)
            .search([("ref", "in", ["HIST-A", "HIST-B"])], order="ref")
        )
        # HIST-A: 2 x 300.50 / 12 = 50.08 -> 100, owes 200.50: over.
        # HIST-B: 2 x 50.25 / 12 = 8.38 -> 50, owes 50.25: over.
        self.assertRecordValues(
            partners,
            [
                {"credit_limit_mode": "custom", "credit_limit_amount": 100.0},
                {"credit_limit_mode": "custom", "credit_limit_amount": 50.0},
            ],
        )
        self.assertEqual(over, 2)
