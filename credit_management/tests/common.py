from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tests import new_test_user


class CreditManagementCommon(AccountTestInvoicingCommon):
    """Customers, products and helpers shared by the credit tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.company.credit_default_limit = 0.0
        cls.currency = cls.company.currency_id
        # Untaxed products keep most hand-worked figures simple.
        cls.product_order = cls._create_product(
            name="Credit Widget",
            lst_price=100.0,
            taxes_id=[Command.clear()],
            invoice_policy="order",
        )
        cls.product_delivery = cls._create_product(
            name="Credit Gadget",
            lst_price=100.0,
            taxes_id=[Command.set(cls.tax_sale_a.ids)],
            invoice_policy="delivery",
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Azure Credit Corp", "is_company": True}
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Jane Azure", "parent_id": cls.customer.id}
        )
        cls.other_customer = cls.env["res.partner"].create(
            {"name": "Deco Credit Ltd", "is_company": True}
        )
        cls.salesman = new_test_user(
            cls.env,
            login="credit_salesman",
            # Contact Creation is given to internal users by default: the
            # limit fields must be protected by this addon, not by the ACLs.
            groups="sales_team.group_sale_salesman,base.group_partner_manager",
            company_id=cls.company.id,
        )
        cls.colleague = new_test_user(
            cls.env,
            login="credit_colleague",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
        )
        cls.credit_manager = new_test_user(
            cls.env,
            login="credit_boss",
            groups="base.group_user,credit_management.group_credit_manager",
            company_id=cls.company.id,
        )
        cls.credit_controller = new_test_user(
            cls.env,
            login="credit_clerk",
            groups="base.group_user,credit_management.group_credit_controller",
            company_id=cls.company.id,
        )

    @classmethod
    def _set_limit(cls, partner, mode, amount=0.0):
        partner.with_user(cls.credit_manager).write(
            {"credit_limit_mode": mode, "credit_limit_amount": amount}
        )

    @classmethod
    def _create_order(cls, partner, qty=1.0, price=100.0, product=None, user=None):
        env = cls.env(user=user) if user else cls.env
        return env["sale.order"].create(
            {
                "partner_id": partner.id,
                "user_id": (user or cls.env.user).id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": (product or cls.product_order).id,
                            "product_uom_qty": qty,
                            "price_unit": price,
                        }
                    )
                ],
            }
        )

    @classmethod
    def _create_invoice(cls, partner, amount, move_type="out_invoice", post=True):
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
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
        if post:
            move.action_post()
        return move

    @classmethod
    def _create_due_invoice(cls, partner, amount, due_date="2024-01-15"):
        """Post an invoice of 2024-01-15 due on ``due_date``."""
        invoice = cls._create_invoice(partner, amount, post=False)
        invoice.invoice_date_due = due_date
        invoice.action_post()
        return invoice

    @classmethod
    def _register_payment(cls, invoice, amount):
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"amount": amount, "payment_date": "2024-02-01"})
            ._create_payments()
        )

    def _confirm_held(self, orders):
        """Confirm ``orders``, expecting some to be put on credit hold.

        :return: the blocking rules of the new holds, one paragraph per
            held order, as the salesperson reads them.
        """
        orders.action_confirm()
        holds = orders.sudo().credit_hold_ids.filtered(lambda h: h.state == "pending")
        self.assertTrue(holds, "no order was put on credit hold")
        for order in holds.order_id:
            self.assertIn(order.state, ("draft", "sent"))
        return "\n\n".join(holds.mapped("block_message"))

    def _held_order(self, qty=3.0, limit=100.0, user=None):
        """Limit ``limit``, an order of ``qty`` x 100.00 confirmed by the
        salesperson (or ``user``): held. Read back as the test user."""
        user = user or self.salesman
        self._set_limit(self.customer, "custom", limit)
        order = self._create_order(self.customer, qty=qty, user=user)
        order.with_user(user).action_confirm()
        order = order.with_env(self.env)
        return order, order.credit_hold_id

    def _text(self, message):
        return str(message.body).replace("&nbsp;", "\xa0")

    def _activities(self, record):
        return self.env["mail.activity"].search(
            [("res_model", "=", record._name), ("res_id", "in", record.ids)]
        )

    def _messages(self, record):
        return self.env["mail.message"].search(
            [("model", "=", record._name), ("res_id", "in", record.ids)]
        )

    def _exposure(self, partner, order=None):
        return partner._credit_get_exposure(self.company, order=order)
