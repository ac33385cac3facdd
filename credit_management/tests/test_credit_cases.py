from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import CreditManagementCommon


@tagged("post_install", "-at_install")
class TestCreditCases(CreditManagementCommon):
    """Cases reported by users, replayed with hand-worked figures."""

    def _foreign_order(self, partner, currency, amount):
        pricelist = self.env["product.pricelist"].create(
            {"name": f"Credit {currency.name}", "currency_id": currency.id}
        )
        order = self._create_order(partner, qty=1.0, price=amount)
        order.pricelist_id = pricelist
        order.order_line.price_unit = amount
        return order

    def test_foreign_invoice_counts_at_booked_residual(self):
        # The foreign currency is booked at 1,000.00 foreign = 998.00 in
        # company currency (rate 1000 / 998 foreign per company unit). An
        # unpaid invoice of 1,000.00 foreign is 998.00 of open exposure.
        foreign = self.setup_other_currency(
            "EUR", rates=[("2024-01-01", 1000.0 / 998.0)]
        )
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": "2024-01-15",
                "currency_id": foreign.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Foreign line",
                            "price_unit": 1000.0,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        invoice.action_post()
        self.assertEqual(invoice.amount_total_signed, 998.0)
        exposure = self._exposure(self.customer)
        self.assertEqual(exposure["receivable"], 998.0)
        self.assertEqual(exposure["total"], 998.0)

    def test_small_foreign_order_no_warning(self):
        # 1 company unit = 10 C; limit 50.00; an order line of 5.00 C is 0.50
        # in company currency: far within the limit, no warning.
        currency_c = self.setup_other_currency("EUR", rates=[("2017-01-01", 10.0)])
        self._set_limit(self.customer, "custom", 50.0)
        order = self._foreign_order(self.customer, currency_c, 5.0)
        self.assertEqual(order.currency_rate, 10.0)
        self.assertEqual(order.credit_order_amount, 0.5)
        self.assertFalse(order.credit_would_exceed)
        self.assertEqual(order.credit_decision_result, "pass")
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_own_documents_user_blocked_by_colleague(self):
        # Limit 1,000.00; user 1 confirmed 800.00, not invoiced; user 2
        # (own documents only) confirms 300.00: 1,100.00 > 1,000.00.
        self._set_limit(self.customer, "custom", 1000.0)
        first = self._create_order(self.customer, qty=8.0, user=self.colleague)
        first.with_user(self.colleague).action_confirm()
        self.assertFalse(
            self.salesman.has_group("sales_team.group_sale_salesman_all_leads")
        )
        second = self._create_order(self.customer, qty=3.0, user=self.salesman)
        held = self._confirm_held(second.with_user(self.salesman))
        self.assertIn("$\xa0100.00 over the limit", held)

    def test_two_customers_confirmed_together(self):
        # Limits 500.00 each, orders 400.00 each, confirmed in one call: each
        # is judged alone (400 <= 500), both confirm.
        self._set_limit(self.customer, "custom", 500.0)
        self._set_limit(self.other_customer, "custom", 500.0)
        orders = self._create_order(self.customer, qty=4.0) | self._create_order(
            self.other_customer, qty=4.0
        )
        orders.action_confirm()
        self.assertEqual(orders.mapped("state"), ["sale", "sale"])

    def test_sent_quotation_then_confirmed_blocked(self):
        # Limit 100.00; quotation 150.00 sent by email (state sent), then
        # confirmed: refused, 50.00 over.
        self._set_limit(self.customer, "custom", 100.0)
        order = self._create_order(self.customer, qty=1.0, price=150.0)
        order.action_quotation_send()
        order.action_quotation_sent()
        self.assertEqual(order.state, "sent")
        held = self._confirm_held(order)
        self.assertIn("$\xa050.00 over the limit", held)
        self.assertEqual(order.state, "sent")

    def test_other_active_company_uses_order_company(self):
        # Limit 100.00 in company 1 only, 50.00 posted there. The user works
        # with company 2 active and confirms a 500.00 quotation of company 1:
        # judged on company 1's limit and ledger, 550.00 > 100.00.
        company_2 = self.setup_other_company()["company"]
        self._set_limit(self.customer, "custom", 100.0)
        self._create_invoice(self.customer, 50.0)
        user = new_test_user(
            self.env,
            login="credit_two_companies",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=company_2.id,
            company_ids=[Command.set((self.company | company_2).ids)],
        )
        order = self._create_order(self.customer, qty=5.0)
        order.user_id = user
        self.assertEqual(order.company_id, self.company)
        order = order.with_user(user).with_context(
            allowed_company_ids=[company_2.id, self.company.id]
        )
        self.assertEqual(order.env.company, company_2)
        message = self._confirm_held(order)
        self.assertIn("credit limit $\xa0100.00", message)
        self.assertIn("open receivables $\xa050.00", message)

    def test_custom_zero_blocks_every_order(self):
        # Custom limit 0.00: even 0.01 on credit is refused.
        self._set_limit(self.customer, "custom", 0.0)
        order = self._create_order(self.customer, qty=1.0, price=0.01)
        held = self._confirm_held(order)
        self.assertIn("credit limit $\xa00.00", held)

    def test_due_today_exposure_not_overdue(self):
        # Invoice 100.00 dated and due 2024-01-15, on 2024-01-15: 100.00 of
        # exposure, nothing overdue. The next day it is 1 day overdue.
        invoice = self._create_due_invoice(self.customer, 100.0)
        self.assertEqual(str(invoice.invoice_date_due), "2024-01-15")
        with freeze_time("2024-01-15"):
            self.assertEqual(self._exposure(self.customer)["receivable"], 100.0)
            overdue = self.customer._credit_get_overdue(self.company)
            self.assertEqual((overdue["amount"], overdue["oldest_days"]), (0.0, 0))
        with freeze_time("2024-01-16"):
            overdue = self.customer._credit_get_overdue(self.company)
            self.assertEqual(
                (overdue["amount"], overdue["oldest_days"], overdue["res_ids"]),
                (100.0, 1, invoice.ids),
            )

    def test_open_contact_without_write_access(self):
        # The colleague may not write the customer; opening its contact (all
        # credit fields computed) writes nothing and raises nothing.
        self._set_limit(self.customer, "custom", 500.0)
        self._create_invoice(self.customer, 200.0)
        self.env.flush_all()
        write_date = self.contact.write_date
        contact = self.contact.with_user(self.colleague)
        self.assertFalse(contact.has_access("write"))
        contact_form = Form(contact)
        self.assertEqual(contact_form.credit_available, 300.0)
        self.assertTrue(contact_form.credit_decision_html)
        self.env.flush_all()
        self.contact.invalidate_recordset(["write_date"])
        self.assertEqual(self.contact.write_date, write_date)

    def test_cold_cache_exposure(self):
        # A request starts with an empty cache: reading the company currency
        # runs a query of its own, which must not replace the exposure rows.
        self._create_invoice(self.customer, 120.0)
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(self._exposure(self.customer)["receivable"], 120.0)

    def test_limit_in_foreign_currency(self):
        # Limit 1,000.00 EUR at 2.0 EUR per company unit = 500.00 in company
        # currency. 450.00 posted: a 100.00 order (550.00) is refused, 50.00
        # confirms; with 600.00 posted the customer is over the limit.
        eur = self.setup_other_currency("EUR")
        self.customer.with_user(self.credit_manager).write(
            {
                "credit_limit_mode": "custom",
                "credit_limit_amount": 1000.0,
                "credit_limit_currency_id": eur.id,
            }
        )
        self.assertEqual(self.contact.credit_limit_currency_id, eur)
        self.assertEqual(self.customer._credit_get_limit(self.company), 500.0)
        self._create_invoice(self.customer, 450.0)
        held = self._confirm_held(self._create_order(self.customer))
        self.assertIn("credit limit $\xa0500.00", held)
        self._create_order(self.customer, price=50.0).action_confirm()
        Partner = self.env["res.partner"]
        self.assertNotIn(
            self.customer, Partner.search([("credit_over_limit", "=", True)])
        )
        self._create_invoice(self.customer, 100.0)
        self.assertIn(self.customer, Partner.search([("credit_over_limit", "=", True)]))
        with self.assertRaises(AccessError):
            self.customer.with_user(self.salesman).credit_limit_currency_id = False

    def test_temporary_limit(self):
        # Usual limit 500.00, temporary 2,000.00 from 2024-06-01 to
        # 2024-06-30; 800.00 posted. In June the limit is 2,000.00 and a
        # 300.00 order passes (1,100.00); on 2024-07-01 the usual 500.00
        # applies again: refused, and the customer is over its limit.
        self.customer.with_user(self.credit_manager).write(
            {
                "credit_limit_mode": "custom",
                "credit_limit_amount": 500.0,
                "credit_temp_limit_amount": 2000.0,
                "credit_temp_limit_date_from": "2024-06-01",
                "credit_temp_limit_date_to": "2024-06-30",
            }
        )
        self._create_invoice(self.customer, 800.0)
        Partner = self.env["res.partner"]
        with freeze_time("2024-05-31"):
            self.assertEqual(self.customer._credit_get_limit(self.company), 500.0)
        with freeze_time("2024-06-30"):
            self.assertEqual(self.customer._credit_get_limit(self.company), 2000.0)
            self.assertNotIn(
                self.customer, Partner.search([("credit_over_limit", "=", True)])
            )
            self._create_order(self.customer, qty=3.0).action_confirm()
        with freeze_time("2024-07-01"):
            self.assertEqual(self.customer._credit_get_limit(self.company), 500.0)
            self.assertIn(
                self.customer, Partner.search([("credit_over_limit", "=", True)])
            )
            self._confirm_held(self._create_order(self.customer))
        with self.assertRaises(ValidationError):
            self.customer.with_user(
                self.credit_manager
            ).credit_temp_limit_date_from = "2024-07-15"
