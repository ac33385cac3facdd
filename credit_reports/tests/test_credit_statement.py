from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import CreditReportsCommon

# Statement of March 2024 (2024-03-01 .. 2024-03-31):
#
#   INV1 1000 USD dated 01-05, due 02-04, 400 paid 02-10 (before the period)
#        -> 600 open, 03-31 - 02-04 = 56 days late (31-60)
#   INV2  500 USD dated 03-10, due 04-09 -> current; 100 paid 04-05 (after)
#   INV3  200 USD dated 01-10, due 02-09, paid 03-15 -> not open; the 200
#        payment is the only USD one received in the period
#   INV4  300 EUR dated 03-20, due 03-25 -> 6 days late (1-30), EUR section
#
# USD: open 600 + 500 = 1100 (31-60: 600, current: 500), received 200.
# EUR: open 300 (1-30: 300), nothing received.


@tagged("post_install", "-at_install")
class TestCreditStatement(CreditReportsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rates=[("2024-01-01", 2.0)])
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Statement Customer",
                "is_company": True,
                "email": "ap@statement.example.com",
            }
        )
        inv1 = cls._create_invoice(cls.customer, 1000.0, "2024-01-05", "2024-02-04")
        cls._pay(inv1, 400.0, "2024-02-10")
        inv2 = cls._create_invoice(cls.customer, 500.0, "2024-03-10", "2024-04-09")
        cls._pay(inv2, 100.0, "2024-04-05")
        inv3 = cls._create_invoice(cls.customer, 200.0, "2024-01-10", "2024-02-09")
        cls._pay(inv3, 200.0, "2024-03-15")
        cls._create_invoice(
            cls.customer, 300.0, "2024-03-20", "2024-03-25", currency_id=cls.eur.id
        )
        cls.invoices = inv1 | inv2 | inv3

    def _wizard(self):
        wizard_form = Form(
            self.env["credit.statement.wizard"].with_context(
                default_partner_id=self.customer.id
            )
        )
        wizard_form.date_from = "2024-03-01"
        wizard_form.date_to = "2024-03-31"
        return wizard_form.save()

    def test_statement_data(self):
        usd, eur = self._wizard()._get_statement_data()
        self.assertEqual(usd["currency"], self.company.currency_id)
        self.assertEqual(
            [
                (i["move"].amount_total, i["days_late"], i["residual"])
                for i in usd["items"]
            ],
            [(1000.0, 56, 600.0), (500.0, 0, 500.0)],
        )
        self.assertEqual(usd["total"], 1100.0)
        self.assertEqual(usd["aging"]["31_60"], 600.0)
        self.assertEqual(usd["aging"]["current"], 500.0)
        self.assertEqual([p.amount for p in usd["payments"]], [200.0])
        self.assertEqual(usd["payments_total"], 200.0)
        self.assertEqual(eur["currency"], self.eur)
        self.assertEqual(eur["total"], 300.0)
        self.assertEqual(eur["aging"]["1_30"], 300.0)
        self.assertFalse(eur["payments"])

    def test_send_posts_on_customer(self):
        # In test mode the report engine renders HTML instead of a PDF, enough
        # to check the content and that it goes to the customer.
        wizard = self._wizard()
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "credit_reports.action_report_customer_statement", wizard.ids
            )[0]
            .decode()
        )
        self.assertIn("Statement of Account", html)
        self.assertIn(self.invoices[0].name, html)
        self.assertIn(self.invoices[1].name, html)
        wizard.action_send()
        message = self.customer.message_ids[0]
        self.assertIn(self.customer, message.partner_ids)
        self.assertEqual(len(message.attachment_ids), 1)

    def test_send_needs_email(self):
        self.customer.email = False
        with self.assertRaises(UserError):
            self._wizard().action_send()
