from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningFee(DunningCommon):
    """Fees: one per letter, booked as their own customer invoice.

    The customers have no email address: letters are printed, so they are
    sent (and their fee booked) as soon as the run is sent.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.level_1.write({"fee_type": "fixed", "fee_amount": 5.0})
        cls.fee_product = cls.env.ref("credit_dunning.product_dunning_fee")

    def test_default_fee_product_is_an_untaxed_service(self):
        self.assertRecordValues(
            self.fee_product, [{"name": "Dunning fee", "type": "service"}]
        )
        self.assertFalse(self.fee_product.taxes_id)

    def test_one_fee_per_letter_not_per_invoice(self):
        # Ten invoices of 100 to 1,000, 15 days late: one first-reminder
        # letter for 5,500, and one fee of 5.00.
        for amount in range(100, 1001, 100):
            self._create_invoice(self.partner_a, float(amount), 15)
        run = self._new_run()
        letter = run.letter_ids
        self.assertRecordValues(
            letter, [{"line_count": 10, "amount_total": 5500.0, "fee_amount": 5.0}]
        )
        run.action_confirm()
        fee = letter.fee_move_id
        self.assertRecordValues(
            fee,
            [
                {
                    "move_type": "out_invoice",
                    "state": "posted",
                    "partner_id": self.partner_a.id,
                    "invoice_date": self.run_date,
                    "amount_total": 5.0,
                    "amount_tax": 0.0,
                    "journal_id": self.company_data["default_journal_sale"].id,
                }
            ],
        )
        self.assertEqual(fee.invoice_line_ids.product_id, self.fee_product)

    def test_percentage_fee(self):
        # 2 % of 600 due = 12.00.
        self.level_1.write({"fee_type": "percent", "fee_amount": 2.0})
        invoice = self._create_invoice(self.partner_a, 1000.0, 20)
        self._pay(invoice, 400.0)
        run = self._new_run()
        self.assertEqual(run.letter_ids.fee_amount, 12.0)

    def test_fee_stays_due_when_invoice_is_paid(self):
        # 100 invoiced, 5 fee booked; the customer pays the 100 only.
        invoice = self._create_invoice(self.partner_a, 100.0, 20)
        run = self._new_run()
        run.action_confirm()
        fee = run.letter_ids.fee_move_id
        self._pay(invoice, 100.0)
        self.assertTrue(invoice.currency_id.is_zero(invoice.amount_residual))
        self.assertRecordValues(
            fee, [{"amount_residual": 5.0, "payment_state": "not_paid"}]
        )

    def test_controller_waives_the_fee(self):
        self._create_invoice(self.partner_a, 100.0, 20)
        run = self._new_run()
        run.action_review()
        with Form(run.letter_ids) as letter_form:
            letter_form.fee_waive_reason = "goodwill"
        self.assertEqual(run.letter_ids.fee_amount, 0.0)
        run.action_confirm()
        self.assertFalse(run.letter_ids.fee_move_id)
        self.assertEqual(run.letter_ids.send_state, "sent")

    def test_booked_fee_cannot_be_waived(self):
        self._create_invoice(self.partner_a, 100.0, 20)
        run = self._new_run()
        run.action_confirm()
        with self.assertRaisesRegex(ValidationError, "already booked"):
            run.letter_ids.fee_waive_reason = "goodwill"

    def test_fee_needs_a_positive_amount(self):
        with self.assertRaisesRegex(ValidationError, "First reminder"):
            self.level_1.fee_amount = 0.0

    def test_configured_product_and_journal(self):
        product = self.env["product.product"].create(
            {"name": "Reminder charge", "type": "service"}
        )
        sales = self.company_data["default_journal_sale"]
        journal = sales.copy(
            {
                "name": "Fees",
                "code": "FEE",
                "sequence": sales.sequence + 10,
                "default_account_id": sales.default_account_id.id,
            }
        )
        self.company.write(
            {
                "credit_dunning_fee_product_id": product.id,
                "credit_dunning_fee_journal_id": journal.id,
            }
        )
        self._create_invoice(self.partner_a, 100.0, 20)
        run = self._new_run()
        run.action_confirm()
        fee = run.letter_ids.fee_move_id
        self.assertEqual(fee.journal_id, journal)
        self.assertEqual(fee.invoice_line_ids.product_id, product)
        # The fee line carries no tax even when the product has one.
        self.assertFalse(fee.invoice_line_ids.tax_ids)
