from odoo.tests import tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningInterest(DunningCommon):
    """Late-payment interest: reference rate plus margin, from the due date."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Policy = cls.env["credit.dunning.policy"]
        cls.eu = Policy.create(Policy._prepare_eu_policy_vals(cls.company))
        cls.partner_a.with_company(cls.company).credit_dunning_policy_id = cls.eu
        cls.reminder, cls.recovery, cls.final = cls.eu.level_ids.sorted("days_overdue")

    def test_eu_example_policy(self):
        self.assertRecordValues(
            self.eu, [{"interest_rate": 4.5, "interest_margin": 8.0, "level_count": 3}]
        )
        self.assertRecordValues(
            self.recovery, [{"days_overdue": 30, "fee_type": "fixed", "fee_amount": 40}]
        )
        self.assertIn("Despite our first reminder", self.recovery.letter_intro)

    def test_interest_on_residual_from_due_date(self):
        # 1,000 with 400 paid, 20 days late, at 4.5 + 8 = 12.5 % a year:
        # 600 * 0.125 * 20 / 365 = 4.109... -> 4.11.
        invoice = self._create_invoice(self.partner_a, 1000.0, 20)
        self._pay(invoice, 400.0)
        run = self._new_run()
        self.assertRecordValues(
            run.line_ids, [{"amount_residual": 600.0, "interest_amount": 4.11}]
        )
        self.assertRecordValues(
            run.letter_ids, [{"interest_amount": 4.11, "fee_amount": 0.0}]
        )

    def test_interest_and_recovery_costs_booked_together(self):
        # 2,000, 45 days late: 2000 * 0.125 * 45 / 365 = 30.821... -> 30.82,
        # plus the fixed 40 of the second level: one invoice of 70.82.
        self._create_invoice(self.partner_a, 2000.0, 45)
        run = self._new_run()
        self.assertEqual(run.letter_ids.level_id, self.recovery)
        run.action_confirm()
        fee = run.letter_ids.fee_move_id
        self.assertEqual(fee.amount_total, 70.82)
        self.assertEqual(
            sorted(fee.invoice_line_ids.mapped("price_unit")), [30.82, 40.0]
        )

    def test_standard_policy_charges_no_interest(self):
        self._create_invoice(self.partner_b, 1000.0, 45)
        run = self._new_run()
        self.assertEqual(run.letter_ids.interest_amount, 0.0)
        run.action_confirm()
        self.assertFalse(run.letter_ids.fee_move_id)
