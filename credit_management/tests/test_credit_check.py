from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import CreditManagementCommon


@tagged("post_install", "-at_install")
class TestCreditCheck(CreditManagementCommon):
    """Confirmation of sale orders against the credit limit."""

    def test_blocked_over_limit_names_everything(self):
        # Limit 1,000.00; posted 800.00; order 300.00:
        # 800 + 300 = 1,100.00 > 1,000.00, 100.00 over.
        self._set_limit(self.customer, "custom", 1000.0)
        self._create_invoice(self.customer, 800.0)
        order = self._create_order(self.customer, qty=3.0)
        message = self._confirm_held(order)
        self.assertIn(order.name, message)
        self.assertIn("Azure Credit Corp", message)
        self.assertIn("credit limit $\xa01,000.00", message)
        self.assertIn("current exposure $\xa0800.00", message)
        self.assertIn("open receivables $\xa0800.00", message)
        self.assertIn("order amount $\xa0300.00", message)
        self.assertIn("$\xa01,100.00 in total", message)
        self.assertIn("$\xa0100.00 over the limit", message)
        self.assertEqual(order.state, "draft")

    def test_not_blocked_with_headroom(self):
        # Limit 1,000.00; posted 600.00; order 300.00: 900.00 <= 1,000.00.
        self._set_limit(self.customer, "custom", 1000.0)
        self._create_invoice(self.customer, 600.0)
        order = self._create_order(self.customer, qty=3.0)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_exactly_at_limit_not_blocked(self):
        # Limit 1,000.00; posted 700.00; order 300.00: exactly 1,000.00.
        self._set_limit(self.customer, "custom", 1000.0)
        self._create_invoice(self.customer, 700.0)
        order = self._create_order(self.customer, qty=3.0)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_custom_zero_blocks_any_amount(self):
        # Custom limit 0.00 is cash in advance: even 1.00 is refused.
        self._set_limit(self.customer, "custom", 0.0)
        order = self._create_order(self.customer, qty=1.0, price=1.0)
        self._confirm_held(order)
        self.assertTrue(self.customer.credit_has_limit)

    def test_zero_amount_order_not_blocked(self):
        # A free order adds no risk, even for a customer over the limit.
        self._set_limit(self.customer, "custom", 0.0)
        self._create_invoice(self.customer, 500.0)
        order = self._create_order(self.customer, qty=1.0, price=0.0)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_none_never_blocks(self):
        # No limit: 5,000.00 posted and a 1,000.00 order still confirm, even
        # with a company default of 100.00.
        self.company.credit_default_limit = 100.0
        self._set_limit(self.customer, "none")
        self._create_invoice(self.customer, 5000.0)
        order = self._create_order(self.customer, qty=10.0)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertIsNone(self.customer._credit_get_limit(self.company))

    def test_company_default_used(self):
        # Mode "company" with a default of 500.00: 600.00 is refused, 400.00
        # confirms. Without a default (0.00) the customer has no limit.
        self.assertIsNone(self.customer._credit_get_limit(self.company))
        self.company.credit_default_limit = 500.0
        self.assertEqual(self.customer.credit_limit_mode, "company")
        self.assertEqual(self.customer._credit_get_limit(self.company), 500.0)
        big = self._create_order(self.customer, qty=6.0)
        held = self._confirm_held(big)
        self.assertIn("credit limit $\xa0500.00", held)
        small = self._create_order(self.customer, qty=4.0)
        small.action_confirm()
        self.assertEqual(small.state, "sale")

    def test_contact_orders_count_for_commercial_entity(self):
        # The contact's confirmed 700.00 order counts for the company:
        # limit 1,000.00, 700 + 400 = 1,100.00 blocks the company's order,
        # and an order of the contact is judged on the company's limit.
        self._create_order(self.contact, qty=7.0).action_confirm()
        self._set_limit(self.customer, "custom", 1000.0)
        order = self._create_order(self.customer, qty=4.0)
        held = self._confirm_held(order)
        self.assertIn("uninvoiced orders $\xa0700.00", held)
        contact_order = self._create_order(self.contact, qty=4.0)
        self._confirm_held(contact_order)

    def test_salesperson_blocked_by_colleague_order(self):
        # The colleague's confirmed 800.00 order is hidden from the
        # salesperson by record rules, yet counts: limit 1,000.00,
        # 800 + 300 = 1,100.00.
        self._set_limit(self.customer, "custom", 1000.0)
        colleague_order = self._create_order(
            self.customer, qty=8.0, user=self.colleague
        )
        colleague_order.with_user(self.colleague).action_confirm()
        order = self._create_order(self.customer, qty=3.0, user=self.salesman)
        SaleOrder = self.env["sale.order"].with_user(self.salesman)
        self.assertFalse(SaleOrder.search([("id", "=", colleague_order.id)]))
        held = self._confirm_held(order.with_user(self.salesman))
        self.assertIn("uninvoiced orders $\xa0800.00", held)
        self.assertEqual(order.state, "draft")

    def test_batch_confirm_reports_blocked_order_only(self):
        # Customer over: limit 100.00, order 300.00. Other customer: no
        # limit, order 300.00. The batch is refused naming only the first;
        # the second then confirms alone.
        self._set_limit(self.customer, "custom", 100.0)
        blocked = self._create_order(self.customer, qty=3.0)
        fine = self._create_order(self.other_customer, qty=3.0)
        message = self._confirm_held(blocked | fine)
        self.assertIn(blocked.name, message)
        self.assertIn("Azure Credit Corp", message)
        self.assertNotIn(fine.name, message)
        self.assertNotIn("Deco Credit Ltd", message)
        self.assertEqual(fine.state, "sale")
        self.assertEqual(blocked.state, "draft")

    def test_batch_confirm_lists_all_blocked_orders(self):
        # Both customers over their limit: one message names both orders.
        self._set_limit(self.customer, "custom", 100.0)
        self._set_limit(self.other_customer, "custom", 50.0)
        first = self._create_order(self.customer, qty=2.0)
        second = self._create_order(self.other_customer, qty=1.0)
        message = self._confirm_held(first | second)
        self.assertIn(first.name, message)
        self.assertIn(second.name, message)

    def test_no_context_key_skips_check(self):
        # Keys other code might pass do not open a way around the check.
        self._set_limit(self.customer, "custom", 100.0)
        order = self._create_order(self.customer, qty=3.0)
        order = order.with_context(
            skip_credit_check=True, credit_check_skip=True, send_email=False
        )
        self._confirm_held(order)

    def test_order_form_banner(self):
        # Limit 1,000.00, posted 800.00: the quotation form shows 200.00
        # available; 3 x 100.00 goes over, 2 x 100.00 does not.
        self._set_limit(self.customer, "custom", 1000.0)
        self._create_invoice(self.customer, 800.0)
        with Form(self.env["sale.order"]) as order_form:
            order_form.partner_id = self.customer
            with order_form.order_line.new() as line:
                line.product_id = self.product_order
                line.product_uom_qty = 3.0
            self.assertTrue(order_form.credit_has_limit)
            self.assertEqual(order_form.credit_limit, 1000.0)
            self.assertEqual(order_form.credit_exposure, 800.0)
            self.assertEqual(order_form.credit_available, 200.0)
            self.assertEqual(order_form.credit_order_amount, 300.0)
            self.assertTrue(order_form.credit_would_exceed)
            with order_form.order_line.edit(0) as line:
                line.product_uom_qty = 2.0
            self.assertFalse(order_form.credit_would_exceed)
        order = order_form.record
        order.action_confirm()
        self.assertEqual(order.state, "sale")


@tagged("post_install", "-at_install")
class TestCreditCheckBypass(CreditManagementCommon):
    """No way of confirming an order skips the credit check."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Limit 100.00 and an order of 300.00: 300.00 > 100.00, blocked.
        cls._set_limit(cls.customer, "custom", 100.0)

    def test_write_state_is_checked(self):
        order = self._create_order(self.customer, qty=3.0, user=self.salesman)
        with self.assertRaisesRegex(UserError, "over the limit"):
            order.with_user(self.salesman).write({"state": "sale"})
        self.assertEqual(order.state, "draft")

    def test_create_confirmed_is_checked(self):
        vals = {
            "partner_id": self.customer.id,
            "state": "sale",
            "order_line": [
                Command.create(
                    {"product_id": self.product_order.id, "product_uom_qty": 3}
                )
            ],
        }
        # Odoo's assertRaises rolls back to a savepoint, as a request would.
        with self.assertRaises(UserError) as caught:
            self.env["sale.order"].with_user(self.salesman).create(vals)
        self.assertIn("over the limit", str(caught.exception))
        self.assertFalse(
            self.env["sale.order"].search([("partner_id", "=", self.customer.id)])
        )

    def test_create_confirmed_within_limit(self):
        # 1 x 100.00 = 100.00, exactly the limit: created confirmed.
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "state": "sale",
                "order_line": [Command.create({"product_id": self.product_order.id})],
            }
        )
        self.assertEqual(order.state, "sale")

    def test_context_keys_do_not_skip(self):
        order = self._create_order(self.customer, qty=3.0, user=self.salesman)
        keys = {
            "skip_credit_check": True,
            "bypass_risk": True,
            "credit_check_skip": True,
            "force_confirm": True,
        }
        order.with_user(self.salesman).with_context(**keys).action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertIn("over the limit", order.credit_hold_id.block_message)
        with self.assertRaises(UserError) as caught:
            order.with_user(self.salesman).with_context(**keys).write({"state": "sale"})
        self.assertIn("over the limit", str(caught.exception))

    def test_cold_cache_first_order_blocked(self):
        # A fresh request starts with an empty cache: the first order of the
        # call must be judged on the real exposure too.
        order = self._create_order(self.customer, qty=3.0)
        self.env.invalidate_all()
        self.assertIn("over the limit", self._confirm_held(order))
