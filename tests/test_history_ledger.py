"""The imported ledger matches the AR history file as of its date."""

from collections import defaultdict

import ar_history
from ar_history import AS_OF

from odoo.tests.common import TransactionCase, tagged


# Outside an addon, Odoo's metaclass gives no default tags: set them, with
# "standard" so that outgoing HTTP requests stay blocked as in Odoo's runs.
@tagged("standard", "post_install", "-at_install")
class TestHistoryLedger(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rows = ar_history.load_rows()
        cls.company = cls.env.company
        cls.customers = (
            cls.env["res.partner"]
            .with_context(active_test=False)
            .search(
                [
                    ("ref", "in", sorted({row.customer for row in cls.rows})),
                    ("is_company", "=", True),
                ]
            )
        )
        cls.invoices = cls.env["account.move"].search(
            [
                ("company_id", "=", cls.company.id),
                ("move_type", "=", "out_invoice"),
                ("commercial_partner_id", "in", cls.customers.ids),
                ("ref", "in", [row.number for row in cls.rows]),
            ]
        )

    def test_customers(self):
        """One company per customer invoiced by then, with its source code."""
        expected = {row.customer: row.country_code for row in ar_history.issued()}
        self.assertEqual(
            {
                partner.ref: partner.credit_source_country_code
                for partner in self.customers
            },
            expected,
        )

    def test_invoices_issued(self):
        """An invoice per row dated on or before the day, none after it."""
        issued = ar_history.issued()
        self.assertEqual(len(self.invoices), len(issued))
        self.assertEqual(
            sorted(self.invoices.mapped("ref")), sorted(row.number for row in issued)
        )
        self.assertEqual(set(self.invoices.mapped("state")), {"posted"})

    def test_invoice_values(self):
        """Customer, dates and amount of every invoice are the file's."""
        expected = {
            row.number: (
                row.customer,
                row.invoice_date,
                row.due_date,
                float(row.amount),
            )
            for row in ar_history.issued()
        }
        found = {
            move.ref: (
                move.commercial_partner_id.ref,
                move.invoice_date,
                move.invoice_date_due,
                move.amount_total,
            )
            for move in self.invoices
        }
        self.assertEqual(found, expected)

    def test_open_invoices(self):
        """Invoices settled after the day are open, for their full amount."""
        open_rows = ar_history.open_rows()
        open_moves = self.invoices.filtered(
            lambda move: not move.currency_id.is_zero(move.amount_residual)
        )
        self.assertEqual(
            sorted(open_moves.mapped("ref")), sorted(row.number for row in open_rows)
        )
        self.assertAlmostEqual(
            sum(open_moves.mapped("amount_residual")),
            ar_history.total(open_rows),
            places=2,
        )
        for move in open_moves:
            self.assertEqual(move.amount_residual, move.amount_total, move.ref)

    def test_overdue_invoices(self):
        """Open invoices due strictly before the day are overdue."""
        overdue_rows = ar_history.overdue_rows()
        overdue_moves = self.invoices.filtered(
            lambda move: move.amount_residual > 0 and move.invoice_date_due < AS_OF
        )
        self.assertEqual(
            sorted(overdue_moves.mapped("ref")),
            sorted(row.number for row in overdue_rows),
        )
        self.assertAlmostEqual(
            sum(overdue_moves.mapped("amount_residual")),
            ar_history.total(overdue_rows),
            places=2,
        )

    def test_settled_invoices_paid(self):
        """Invoices settled by then are paid by one payment on that day."""
        settled = {
            row.number: row.settled_date
            for row in ar_history.issued()
            if not row.is_open(AS_OF)
        }
        paid = self.invoices.filtered(lambda move: move.ref in settled)
        self.assertEqual(len(paid), len(settled))
        self.assertLessEqual(set(paid.mapped("payment_state")), {"paid", "in_payment"})
        self.assertEqual(set(paid.mapped("amount_residual")), {0.0})
        payments = self.env["account.payment"].search(
            [("company_id", "=", self.company.id), ("memo", "in", list(settled))]
        )
        self.assertEqual({payment.memo: payment.date for payment in payments}, settled)

    def test_customer_residual(self):
        """The customer owing most has that open balance on its receivable."""
        owed = ar_history.open_by_customer()
        customer = max(owed, key=lambda ref: (owed[ref], ref))
        partner = self.customers.filtered(lambda p: p.ref == customer)
        lines = self.env["account.move.line"].search(
            [
                ("company_id", "=", self.company.id),
                ("partner_id", "=", partner.id),
                ("account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
            ]
        )
        self.assertGreater(owed[customer], 0)
        self.assertAlmostEqual(
            sum(lines.mapped("amount_residual")), float(owed[customer]), places=2
        )

    def test_receivable_balance(self):
        """All customers together owe the open amount: no stray entries."""
        lines_by_partner = defaultdict(float)
        groups = self.env["account.move.line"]._read_group(
            [
                ("company_id", "=", self.company.id),
                ("partner_id", "in", self.customers.ids),
                ("account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
            ],
            groupby=["partner_id"],
            aggregates=["amount_residual:sum", "balance:sum"],
        )
        for partner, residual, balance in groups:
            lines_by_partner[partner.ref] = residual
            # Nothing else than the history was booked on these receivables.
            self.assertAlmostEqual(residual, balance, places=2, msg=partner.ref)
        expected = {
            ref: float(amount)
            for ref, amount in ar_history.open_by_customer().items()
            if amount
        }
        self.assertEqual(
            {ref: round(value, 2) for ref, value in lines_by_partner.items() if value},
            expected,
        )
