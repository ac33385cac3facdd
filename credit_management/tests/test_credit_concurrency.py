import threading

from psycopg2 import OperationalError, errorcodes

from odoo import SUPERUSER_ID, Command, api
from odoo.api import Transaction
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged


@tagged("post_install", "-at_install")
class TestCreditConcurrency(BaseCase):
    """Two users confirm orders of one customer at the same moment.

    The test needs two real transactions, so its fixtures are committed in
    their own cursor and deleted again when the test ends.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            company = env.ref("base.main_company")
            users = env["res.users"].create(
                [
                    {
                        "name": f"Concurrent Seller {n}",
                        "login": f"credit_concurrent_{n}",
                        "company_id": company.id,
                        "company_ids": [Command.set(company.ids)],
                        "groups_id": [
                            Command.set(
                                [
                                    env.ref("base.group_user").id,
                                    env.ref("sales_team.group_sale_salesman").id,
                                ]
                            )
                        ],
                    }
                    for n in (1, 2)
                ]
            )
            customer = env["res.partner"].create(
                {
                    "name": "Concurrent Credit Corp",
                    "is_company": True,
                    "credit_limit_mode": "custom",
                    "credit_limit_amount": 1000.0,
                }
            )
            product = env["product.product"].create(
                {
                    "name": "Concurrent Widget",
                    "list_price": 600.0,
                    "taxes_id": [Command.clear()],
                }
            )
            orders = env["sale.order"].create(
                [
                    {
                        "partner_id": customer.id,
                        "company_id": company.id,
                        "user_id": user.id,
                        "order_line": [
                            Command.create(
                                {"product_id": product.id, "price_unit": 600.0}
                            )
                        ],
                    }
                    for user in users
                ]
            )
            self.user_ids = users.ids
            self.user_partner_ids = users.partner_id.ids
            self.customer_id = customer.id
            self.product_tmpl_id = product.product_tmpl_id.id
            self.order_ids = orders.ids
        self.addCleanup(self._delete_fixtures)

    def _delete_fixtures(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            orders = env["sale.order"].browse(self.order_ids).exists()
            # The confirmed order's delivery (sale_stock) refers to the
            # product and the customer: cancel and delete it as well.
            pickings = orders.picking_ids
            groups = orders.procurement_group_id
            orders.filtered(lambda o: o.state == "sale")._action_cancel()
            pickings.action_cancel()
            pickings.move_ids.unlink()
            pickings.unlink()
            orders.unlink()
            groups.unlink()
            env["res.users"].browse(self.user_ids).unlink()
            env["product.template"].browse(self.product_tmpl_id).unlink()
            env["res.partner"].browse(
                [self.customer_id] + self.user_partner_ids
            ).unlink()

    def _confirm(self, order_id, uid, barrier, outcomes):
        try:
            self._confirm_with_retry(order_id, uid, barrier, outcomes)
        except Exception as error:  # noqa: BLE001 - reported by the test
            outcomes[order_id] = ("error", repr(error))
            barrier.abort()

    def _confirm_with_retry(self, order_id, uid, barrier, outcomes):
        """Confirm one order in its own transaction, as Odoo serves a request.

        Like ``odoo.service.model.retrying``, a serialization failure is
        retried in a new transaction.
        """
        for attempt in range(3):
            with self.registry.cursor() as cr:
                # The test runner holds the registry lock while tests run:
                # give the cursor its transaction so that the environment
                # does not ask for the registry again.
                cr.transaction = Transaction(self.registry)
                env = api.Environment(cr, uid, {})
                order = env["sale.order"].browse(order_id)
                # Read first, so that the transaction's snapshot is taken
                # before the other user commits.
                order.amount_total  # noqa: B018
                if not attempt:
                    barrier.wait(timeout=30)
                try:
                    order.action_confirm()
                    if order.state != "sale":
                        # Put on credit hold: the hold is committed.
                        cr.commit()
                        outcomes[order_id] = (
                            "blocked",
                            order.credit_hold_id.block_message,
                        )
                        return
                except UserError as error:
                    cr.rollback()
                    outcomes[order_id] = ("error", str(error))
                    return
                except OperationalError as error:
                    cr.rollback()
                    if error.pgcode != errorcodes.SERIALIZATION_FAILURE:
                        outcomes[order_id] = ("error", str(error))
                        return
                    continue
                cr.commit()
                outcomes[order_id] = ("confirmed", attempt)
                return
        outcomes[order_id] = ("error", "too many serialization failures")

    def test_two_users_confirm_together_one_passes(self):
        # Limit 1,000.00, two orders of 600.00: each fits alone (600 <=
        # 1,000), together 1,200.00 do not. Confirmed at once by two users:
        # exactly one is confirmed, the other is put on credit hold naming
        # the first's 600.00 as uninvoiced orders.
        barrier = threading.Barrier(2)
        outcomes = {}
        threads = [
            threading.Thread(
                target=self._confirm, args=(order_id, uid, barrier, outcomes)
            )
            for order_id, uid in zip(self.order_ids, self.user_ids, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        results = sorted(outcome[0] for outcome in outcomes.values())
        self.assertEqual(results, ["blocked", "confirmed"], outcomes)
        blocked = next(o for o in outcomes.values() if o[0] == "blocked")
        self.assertIn("uninvoiced orders $\xa0600.00", blocked[1])
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            states = env["sale.order"].browse(self.order_ids).mapped("state")
            self.assertEqual(sorted(states), ["draft", "sale"])
