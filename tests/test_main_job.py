"""The main job on the real history: limits, order blocking, dunning letters.

Limits follow the demo's rule (``_apply_history_limits``); the expected
limits, exposures and dunning levels are worked out from the CSV.
"""

import shutil
import subprocess

import ar_history
from ar_history import AS_OF

from odoo import Command
from odoo.tests.common import TransactionCase, new_test_user, tagged

FIRST_LEVEL_DAYS = 10


# Outside an addon, Odoo's metaclass gives no default tags: set them, with
# "standard" so that outgoing HTTP requests stay blocked as in Odoo's runs.
@tagged("standard", "post_install", "-at_install")
class TestMainJob(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.customers = cls.env["res.partner"].search(
            [
                ("ref", "in", sorted({row.customer for row in ar_history.issued()})),
                ("is_company", "=", True),
            ]
        )
        cls.over_limit_count = cls.env["credit.history.import"]._apply_history_limits(
            cls.company, AS_OF
        )

        # What the file says: each customer's limit and what it owes.
        cls.limits = ar_history.suggested_limits()
        cls.owed = {
            ref: float(amount) for ref, amount in ar_history.open_by_customer().items()
        }
        cls.salesman = new_test_user(
            cls.env,
            login="credit_e2e_salesman",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
        )
        cls.product = cls.env["product.product"].create(
            {
                "name": "Industrial supplies (e2e)",
                "type": "service",
                "list_price": 1.0,
                "taxes_id": [Command.clear()],
            }
        )

    def _partner(self, ref):
        return self.customers.filtered(lambda partner: partner.ref == ref)

    def _new_order(self, ref, amount):
        """A quotation of the salesman for ``amount``, without taxes."""
        return (
            self.env["sale.order"]
            .with_user(self.salesman)
            .create(
                {
                    "partner_id": self._partner(ref).id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "product_uom_qty": 1,
                                "price_unit": amount,
                                "tax_id": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )

    def test_limits_from_history(self):
        """Each customer's limit is twice its monthly average, up to 50."""
        found = {
            partner.ref: (
                partner.with_company(self.company).credit_limit_mode,
                partner.with_company(self.company).credit_limit_amount,
            )
            for partner in self.customers
        }
        self.assertEqual(
            found, {ref: ("custom", limit) for ref, limit in self.limits.items()}
        )

    def test_over_limit_count(self):
        """Customers owing more than their limit are counted and flagged."""
        over = {ref for ref, limit in self.limits.items() if self.owed[ref] > limit}
        self.assertTrue(over, "the history should put some customers over limit")
        self.assertEqual(self.over_limit_count, len(over))
        flagged = self.customers.with_company(self.company).filtered(
            "credit_over_limit"
        )
        self.assertEqual(set(flagged.mapped("ref")), over)

    def test_order_held_over_limit_then_released(self):
        """A new order of a customer already over its limit goes on credit
        hold, with the excess worked out from the CSV; once a credit
        manager releases it, the salesperson confirms it."""
        ref = max(self.limits, key=lambda ref: (self.owed[ref] - self.limits[ref], ref))
        self.assertGreater(self.owed[ref], self.limits[ref])
        order = self._new_order(ref, 100.0)
        order.action_confirm()
        self.assertEqual(order.state, "draft")
        hold = order.credit_hold_id.sudo()
        self.assertEqual(hold.state, "pending")
        self.assertIn(self._partner(ref).display_name, hold.block_message)
        # Exposure is what the CSV leaves open, plus this order of 100.00.
        self.assertAlmostEqual(hold.exposure_amount, self.owed[ref], places=2)
        self.assertAlmostEqual(
            hold.amount_over_limit,
            round(self.owed[ref] + 100.0 - self.limits[ref], 2),
            places=2,
        )
        manager = self.env.ref("base.user_admin")
        self.assertFalse(hold.with_user(manager)._approve("End-to-end release"))
        self.assertEqual(hold.state, "approved")
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertTrue(hold.release_used)

    def test_order_confirmed_with_headroom(self):
        """An order within the headroom of a customer is confirmed."""
        ref = max(self.limits, key=lambda ref: (self.limits[ref] - self.owed[ref], ref))
        headroom = self.limits[ref] - self.owed[ref]
        self.assertGreater(headroom, 1.0)
        order = self._new_order(ref, round(headroom / 2, 2))
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        # The confirmed order now counts in the customer's exposure.
        exposure = self._partner(ref)._credit_get_exposure(self.company)
        self.assertAlmostEqual(
            exposure["total"], self.owed[ref] + round(headroom / 2, 2), places=2
        )

    def _compute_run(self):
        run = self.env["credit.dunning.run"].create(
            {"date": AS_OF, "company_id": self.company.id}
        )
        run.action_compute()
        return run

    def test_dunning_run(self):
        """One line per invoice at least 10 days overdue, at the level reached."""
        policy = self.company.credit_dunning_policy_id
        level_days = sorted(policy.level_ids.mapped("days_overdue"))
        self.assertEqual(level_days[0], FIRST_LEVEL_DAYS)
        expected = ar_history.expected_dunning(level_days)
        self.assertTrue(expected, "some invoices should be 10 days overdue")

        run = self._compute_run()

        self.assertEqual(
            {
                line.move_id.ref: (line.days_overdue, line.level_id.days_overdue)
                for line in run.line_ids
            },
            expected,
        )
        rows = {row.number: row for row in ar_history.overdue_rows()}
        for line in run.line_ids:
            self.assertEqual(line.partner_id.ref, rows[line.move_id.ref].customer)
            self.assertAlmostEqual(
                line.amount_residual, float(rows[line.move_id.ref].amount), places=2
            )

    def test_dunning_letters(self):
        """A letter per customer and level, with the total of its invoices."""
        run = self._compute_run()
        rows = {row.number: row for row in ar_history.overdue_rows()}
        level_days = self.company.credit_dunning_policy_id.level_ids.mapped(
            "days_overdue"
        )
        expected = {}
        for number, (_days, level) in ar_history.expected_dunning(level_days).items():
            key = (rows[number].customer, level)
            amount = expected.get(key, 0.0) + float(rows[number].amount)
            expected[key] = round(amount, 2)
        self.assertEqual(
            {
                (letter.partner_id.ref, letter.level_id.days_overdue): round(
                    letter.amount_total, 2
                )
                for letter in run.letter_ids
            },
            expected,
        )

    def test_dunning_letter_pdf(self):
        """Each letter prints to a PDF that lists its invoices."""
        letters = self._compute_run().letter_ids
        self.assertTrue(letters)
        # No server runs beside pytest: without a reachable report.url,
        # wkhtmltopdf prints the letters without their stylesheets, quickly.
        self.env["ir.config_parameter"].set_param("report.url", "http://127.0.0.1:9")
        report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        # One letter per call: the wkhtmltopdf of Debian's package (unpatched
        # Qt) refuses more than one input document, i.e. more than one record.
        for letter in letters:
            pdf, kind = report._render_qweb_pdf(
                "credit_dunning.action_report_dunning_letter", letter.ids
            )
            self.assertEqual(kind, "pdf")
            self.assertTrue(pdf.startswith(b"%PDF"), letter.partner_id.ref)
            if not shutil.which("pdftotext"):
                continue
            text = subprocess.run(
                ["pdftotext", "-", "-"],
                input=pdf,
                capture_output=True,
                check=True,
            ).stdout.decode()
            for number in letter.line_ids.move_id.mapped("ref"):
                self.assertIn(number, text)
