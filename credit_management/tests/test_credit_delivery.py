from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import CreditManagementCommon


@tagged("post_install", "-at_install")
class TestCreditDelivery(CreditManagementCommon):
    """The credit checkpoint at the validation of deliveries."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.Rule = cls.env["credit.rule"].with_user(cls.credit_manager)

    def _confirmed_delivery(self, partner, qty=3.0, price=100.0):
        """Confirm an order and return its delivery, quantities set."""
        order = self._create_order(partner, qty=qty, price=price)
        order.action_confirm()
        picking = order.picking_ids
        self.assertEqual(len(picking), 1)
        self.assertEqual(picking.picking_type_code, "outgoing")
        picking.move_ids.quantity = qty
        picking.move_ids.picked = True
        return picking

    def _over_limit_delivery(self):
        # Limit 1,000.00. The order of 3 x 100.00 = 300.00 (untaxed) is
        # confirmed with no exposure; an invoice of 800.00 is posted after:
        # exposure 800.00 receivable + 300.00 uninvoiced order = 1,100.00,
        # 100.00 over the limit.
        self._set_limit(self.customer, "custom", 1000.0)
        picking = self._confirmed_delivery(self.customer)
        self._create_invoice(self.customer, 800.0)
        return picking

    def test_setting_off_over_limit_validates(self):
        picking = self._over_limit_delivery()
        self.assertFalse(self.company.credit_check_on_delivery)
        self.assertIs(picking.button_validate(), True)
        self.assertEqual(picking.state, "done")

    def test_setting_on_over_limit_refused(self):
        picking = self._over_limit_delivery()
        self.company.credit_check_on_delivery = True
        with self.assertRaises(UserError) as caught:
            picking.button_validate()
        message = str(caught.exception)
        self.assertIn(picking.name, message)
        self.assertIn("Azure Credit Corp", message)
        self.assertIn("credit limit $\xa01,000.00", message)
        self.assertIn("current exposure $\xa01,100.00", message)
        self.assertIn("open receivables $\xa0800.00", message)
        self.assertIn("uninvoiced orders $\xa0300.00", message)
        self.assertIn("$\xa0100.00 over the limit", message)
        self.assertNotEqual(picking.state, "done")

    def test_no_context_key_skips(self):
        picking = self._over_limit_delivery()
        self.company.credit_check_on_delivery = True
        picking = picking.with_context(
            skip_credit_check=True, skip_sanity_check=True, credit_bypass=True
        )
        with self.assertRaises(UserError):
            picking.button_validate()

    def test_stock_user_refused_over_limit(self):
        # A warehouse clerk cannot read invoices: the 800.00 receivable still
        # counts (same figures as above).
        picking = self._over_limit_delivery()
        self.company.credit_check_on_delivery = True
        clerk = new_test_user(
            self.env,
            login="credit_stock_clerk",
            groups="stock.group_stock_user",
            company_id=self.company.id,
        )
        with self.assertRaises(UserError) as caught:
            picking.with_user(clerk).button_validate()
        self.assertIn("current exposure $\xa01,100.00", str(caught.exception))

    def test_setting_on_within_limit_validates(self):
        # Limit 1,000.00; 300.00 uninvoiced order + 700.00 receivable =
        # 1,000.00, exactly at the limit: validated.
        self._set_limit(self.customer, "custom", 1000.0)
        picking = self._confirmed_delivery(self.customer)
        self._create_invoice(self.customer, 700.0)
        self.company.credit_check_on_delivery = True
        self.assertIs(picking.button_validate(), True)
        self.assertEqual(picking.state, "done")

    def test_receipt_never_checked(self):
        # Over the limit (limit 100.00, receivable 800.00) and on hold: a
        # receipt from the customer (e.g. returned goods) is validated.
        self._set_limit(self.customer, "custom", 100.0)
        self._create_invoice(self.customer, 800.0)
        self.Rule.create(
            {
                "name": "Hold",
                "company_id": self.company.id,
                "rule_type": "manual_hold",
                "action": "block",
            }
        )
        self.customer.with_user(self.credit_manager).credit_hold = True
        self.company.credit_check_on_delivery = True
        receipt_type = self.warehouse.in_type_id
        receipt = self.env["stock.picking"].create(
            {
                "partner_id": self.customer.id,
                "picking_type_id": receipt_type.id,
                "location_id": self.env.ref("stock.stock_location_customers").id,
                "location_dest_id": receipt_type.default_location_dest_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": "Returned widgets",
                            "product_id": self.product_order.id,
                            "product_uom_qty": 2.0,
                            "product_uom": self.product_order.uom_id.id,
                            "location_id": self.env.ref(
                                "stock.stock_location_customers"
                            ).id,
                            "location_dest_id": (
                                receipt_type.default_location_dest_id.id
                            ),
                        }
                    )
                ],
            }
        )
        receipt.action_confirm()
        receipt.move_ids.quantity = 2.0
        receipt.move_ids.picked = True
        self.assertEqual(receipt.picking_type_code, "incoming")
        self.assertIs(receipt.button_validate(), True)
        self.assertEqual(receipt.state, "done")

    def test_manual_hold_refused(self):
        # No limit (company default 0.00): only the hold rule can block.
        picking = self._confirmed_delivery(self.customer)
        self.Rule.create(
            {
                "name": "Hold",
                "company_id": self.company.id,
                "rule_type": "manual_hold",
                "action": "block",
            }
        )
        self.customer.with_user(self.credit_manager).write(
            {"credit_hold": True, "credit_hold_reason": "Disputed delivery"}
        )
        self.company.credit_check_on_delivery = True
        with self.assertRaises(UserError) as caught:
            picking.button_validate()
        self.assertIn(
            "Hold: the customer is on credit hold (Disputed delivery).",
            str(caught.exception),
        )
        self.assertNotEqual(picking.state, "done")

    def test_warning_posts_note_and_validates(self):
        # A warn-only hold rule: the delivery is validated with a note.
        picking = self._confirmed_delivery(self.customer)
        self.Rule.create(
            {
                "name": "Hold",
                "company_id": self.company.id,
                "rule_type": "manual_hold",
                "action": "warn",
            }
        )
        self.customer.with_user(self.credit_manager).credit_hold = True
        self.company.credit_check_on_delivery = True
        self.assertIs(picking.button_validate(), True)
        self.assertEqual(picking.state, "done")
        notes = picking.message_ids.filtered(
            lambda m: "Credit check of Azure Credit Corp" in (m.body or "")
        )
        self.assertEqual(len(notes), 1)
        self.assertIn("the customer is on credit hold.", notes.body)
