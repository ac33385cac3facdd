from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import CreditManagementCommon


@tagged("post_install", "-at_install")
class TestCreditMultiCompany(CreditManagementCommon):
    """Exposure across companies, credit groups and the invoice checkpoint."""

    def _order_in(self, company, partner, amount):
        return (
            self.env["sale.order"]
            .with_company(company)
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product_order.id,
                                "product_uom_qty": 1.0,
                                "price_unit": amount,
                                "tax_id": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )

    def _invoice_in(self, company, partner, amount):
        move = (
            self.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": "2024-01-15",
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Credit test line",
                                "quantity": 1.0,
                                "price_unit": amount,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        move.action_post()
        return move

    # -------------------------------------------------------------------------
    # Global exposure
    # -------------------------------------------------------------------------

    def test_other_company_orders_count_only_when_global(self):
        # Company 1 in USD, company 2 in EUR; 1 USD = 2 EUR for company 1.
        # Company 2 confirms 1,600.00 EUR not invoiced (no limit there).
        # Company 1: limit 1,000.00, new order 300.00.
        # Scope "company": 0.00 + 300.00 <= 1,000.00, passes.
        # Scope "global": 1,600 EUR / 2 = 800.00 USD of orders,
        # 800.00 + 300.00 = 1,100.00 > 1,000.00, blocked.
        eur = self.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])
        company_2 = self.setup_other_company(currency_id=eur.id)["company"]
        self.assertEqual(company_2.currency_id, eur)
        other = self._order_in(company_2, self.customer, 1600.0)
        other.action_confirm()
        self.assertEqual(other.currency_id, eur)

        self._set_limit(self.customer, "custom", 1000.0)
        order = self._create_order(self.customer, qty=3.0)
        self.assertEqual(self.company.credit_exposure_scope, "company")
        self.assertEqual(self._exposure(self.customer)["orders"], 0.0)
        self.assertEqual(order._credit_evaluate()["result"], "pass")

        self.company.credit_exposure_scope = "global"
        exposure = self._exposure(self.customer, order=order)
        self.assertEqual(exposure["orders"], 800.0)
        self.assertEqual(exposure["total"], 1100.0)
        self.customer.invalidate_recordset()
        self.assertFalse(self.customer.credit_over_limit)
        message = self._confirm_held(order)
        self.assertIn("uninvoiced orders $\xa0800.00", message)
        self.assertIn("$\xa0100.00 over the limit", message)
        self.assertEqual(order.state, "draft")
        # The breakdown lists the order of company 2.
        decision = order._credit_evaluate()
        orders = next(c for c in decision["components"] if c["key"] == "orders")
        self.assertEqual(orders["res_ids"], other.ids)

    def test_global_open_items_block(self):
        # Limit 1,000.00 in company 1; 600.00 open in company 1 and 600.00 in
        # company 2 (same currency). Company scope: 600 + 10 = 610, passes.
        # Global: 600 + 600 + 10 = 1,210.00 > 1,000.00, blocked.
        company_2 = self.setup_other_company(currency_id=self.currency.id)["company"]
        self._set_limit(self.customer, "custom", 1000.0)
        self._create_invoice(self.customer, 600.0)
        self._invoice_in(company_2, self.customer, 600.0)
        order = self._create_order(self.customer, qty=1.0, price=10.0)
        self.assertEqual(order._credit_evaluate()["result"], "pass")

        self.company.credit_exposure_scope = "global"
        self.assertEqual(self._exposure(self.customer)["receivable"], 1200.0)
        self.customer.invalidate_recordset()
        self.assertTrue(self.customer.credit_over_limit)
        self.assertIn(
            self.customer,
            self.env["res.partner"].search([("credit_over_limit", "=", True)]),
        )
        held = self._confirm_held(order)
        self.assertIn("open receivables $\xa01,200.00", held)

    def test_limit_currency_in_other_company(self):
        # Company B keeps its books in PLN; for company B, 1 PLN = 0.9 EUR.
        # The customer's limit in company B is 100.00 EUR = 100 / 0.9 =
        # 111.11 PLN. An order of 101.00 PLN (90.90 EUR) passes; one of
        # 112.00 PLN (100.80 EUR) is blocked.
        eur = self.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])
        pln = self.setup_other_currency("PLN", rates=[("2000-01-01", 4.0)])
        company_b = self.setup_other_company(name="Company B", currency_id=pln.id)[
            "company"
        ]
        self.env["res.currency.rate"].create(
            {
                "name": "2000-01-01",
                "currency_id": eur.id,
                "rate": 0.9,
                "company_id": company_b.id,
            }
        )
        self.customer.with_company(company_b).sudo().write(
            {
                "credit_limit_mode": "custom",
                "credit_limit_amount": 100.0,
                "credit_limit_currency_id": eur.id,
            }
        )
        self.assertAlmostEqual(
            self.customer._credit_get_limit(company_b), 111.11, places=2
        )
        big = self._order_in(company_b, self.customer, 112.0)
        self.assertEqual(big.currency_id, pln)
        self.assertEqual(big._credit_evaluate()["result"], "block")
        order = self._order_in(company_b, self.customer, 101.0)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    # -------------------------------------------------------------------------
    # Credit groups
    # -------------------------------------------------------------------------

    def test_credit_group_pools_exposure(self):
        # Two subsidiaries without a limit of their own. 600.00 open on the
        # first, order of 500.00 on the second.
        # Without a group: no limit, passes.
        # In a group with limit 1,000.00: 600 + 500 = 1,100.00, blocked.
        self._set_limit(self.customer, "none")
        self._set_limit(self.other_customer, "none")
        self._create_invoice(self.customer, 600.0)
        order = self._create_order(self.other_customer, qty=5.0)
        self.assertEqual(order._credit_evaluate()["result"], "pass")

        group = (
            self.env["credit.group"]
            .with_user(self.credit_manager)
            .create(
                {
                    "name": "Azure Holding",
                    "partner_ids": [
                        Command.set((self.customer | self.other_customer).ids)
                    ],
                    "limit_amount": 1000.0,
                }
            )
        )
        message = self._confirm_held(order)
        self.assertIn("Deco Credit Ltd", message)
        self.assertIn("credit limit $\xa01,000.00", message)
        self.assertIn("open receivables $\xa0600.00", message)
        self.assertIn("$\xa0100.00 over the limit", message)
        self.assertEqual(order.state, "draft")

        group.active = False
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_credit_group_single_membership(self):
        # A customer in two groups of the same company has no single limit.
        Group = self.env["credit.group"].with_user(self.credit_manager)
        Group.create({"name": "First", "partner_ids": [Command.set(self.customer.ids)]})
        with self.assertRaises(ValidationError):
            Group.create(
                {"name": "Second", "partner_ids": [Command.set(self.customer.ids)]}
            )

    # -------------------------------------------------------------------------
    # Invoice checkpoint
    # -------------------------------------------------------------------------

    def test_invoice_checkpoint(self):
        # Limit 1,000.00, 800.00 posted. A draft invoice of 300.00 is already
        # exposure: 800 + 300 = 1,100.00 (not 1,400.00) > 1,000.00.
        self._set_limit(self.customer, "custom", 1000.0)
        self._create_invoice(self.customer, 800.0)
        draft = self._create_invoice(self.customer, 300.0, post=False)

        self.company.credit_check_on_invoice = True
        with self.assertRaises(UserError) as caught:
            draft.action_post()
        message = str(caught.exception)
        self.assertIn("draft invoices $\xa0300.00", message)
        self.assertIn("$\xa01,100.00 in total", message)
        self.assertIn("$\xa0100.00 over the limit", message)
        self.assertEqual(draft.state, "draft")

        # 200.00 brings the exposure exactly to the limit: posted.
        draft.invoice_line_ids.price_unit = 200.0
        draft.action_post()
        self.assertEqual(draft.state, "posted")

    def test_invoice_checkpoint_off(self):
        # Same figures, checkpoint off (the default): the invoice posts.
        self._set_limit(self.customer, "custom", 1000.0)
        self._create_invoice(self.customer, 800.0)
        draft = self._create_invoice(self.customer, 300.0, post=False)
        self.assertFalse(self.company.credit_check_on_invoice)
        draft.action_post()
        self.assertEqual(draft.state, "posted")

    # -------------------------------------------------------------------------
    # Portal
    # -------------------------------------------------------------------------

    def test_portal_signature_over_limit_held(self):
        # In Odoo 18 the portal route /my/orders/<id>/accept writes the
        # signature as superuser, commits, then calls _validate_order() on
        # the sudo order, i.e. action_confirm() with send_email in context.
        # Limit 100.00; quotation 150.00: 50.00 over, held.
        portal_user = new_test_user(
            self.env, login="credit_portal", groups="base.group_portal"
        )
        portal_user.partner_id.parent_id = self.customer
        self._set_limit(self.customer, "custom", 100.0)
        order = self._create_order(portal_user.partner_id, qty=1.0, price=150.0)
        order_sudo = order.with_user(portal_user).sudo()
        order_sudo.write({"signed_by": "Portal Customer"})
        # Signed in the portal over the limit: held and submitted at once.
        order_sudo._validate_order()
        self.assertEqual(order.state, "draft")
        hold = order.credit_hold_ids
        self.assertEqual(hold.state, "pending")
        self.assertEqual(hold.origin, "portal")
        self.assertTrue(hold.requested)
        self.assertIn("$\xa050.00 over the limit", hold.block_message)
