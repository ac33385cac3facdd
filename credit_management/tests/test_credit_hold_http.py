import json

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestCreditHoldRpc(HttpCase):
    """What a salesperson's client can and cannot do over JSON-RPC.

    Every call goes through ``/web/dataset/call_kw`` as a logged-in user,
    as the web client or an integration would send it.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.salesman = new_test_user(
            cls.env,
            login="rpc_salesman",
            password="rpc_salesman_pw",
            groups="sales_team.group_sale_salesman,base.group_partner_manager",
        )
        cls.controller = new_test_user(
            cls.env,
            login="rpc_controller",
            password="rpc_controller_pw",
            groups="base.group_user,credit_management.group_credit_controller",
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Rpc Credit Customer",
                "is_company": True,
                "credit_limit_mode": "custom",
                "credit_limit_amount": 100.0,
            }
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Rpc Widget", "lst_price": 100.0, "taxes_id": [Command.clear()]}
        )
        # Limit 100.00, order 3 x 100.00 = 300.00: 200.00 over, blocked.
        cls.order = (
            cls.env["sale.order"]
            .with_user(cls.salesman)
            .create(
                {
                    "partner_id": cls.customer.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": cls.product.id,
                                "product_uom_qty": 3.0,
                                "price_unit": 100.0,
                                "tax_id": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )

    def _call(self, model, method, args, kwargs=None):
        """Call ``model.method`` over JSON-RPC; return ``(result, error)``."""
        payload = {
            "id": 1,
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "model": model,
                "method": method,
                "args": args,
                "kwargs": kwargs or {},
            },
        }
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        body = response.json()
        return body.get("result"), body.get("error")

    def _assert_refused(self, error, exception):
        self.assertTrue(error, "the call was not refused")
        self.assertEqual(error["data"]["name"], exception)

    def test_salesperson_over_rpc(self):
        self.authenticate("rpc_salesman", "rpc_salesman_pw")
        order_id = self.order.id

        # Confirming puts the order on hold; no context key skips the check.
        context = {"skip_credit_check": True, "force_confirm": True}
        action, error = self._call(
            "sale.order", "action_confirm", [[order_id]], {"context": context}
        )
        self.assertFalse(error)
        self.assertEqual(action["res_model"], "credit.hold.request")
        self.assertEqual(self.order.state, "draft")
        hold = self.order.credit_hold_id
        self.assertEqual(hold.state, "pending")

        # Writing the state directly is refused with the block message.
        _result, error = self._call(
            "sale.order",
            "write",
            [[order_id], {"state": "sale"}],
            {"context": context},
        )
        self._assert_refused(error, "odoo.exceptions.UserError")
        self.assertIn("over the limit", error["data"]["message"])

        # The salesperson reads the hold's state and the customer's exposure.
        rows, error = self._call(
            "credit.hold", "read", [[hold.id], ["state", "order_amount"]]
        )
        self.assertFalse(error)
        self.assertEqual(rows[0]["state"], "pending")
        self.assertEqual(rows[0]["order_amount"], 300.0)
        rows, error = self._call(
            "res.partner",
            "read",
            [[self.customer.id], ["credit_exposure_total", "credit_limit_amount"]],
        )
        self.assertFalse(error)
        self.assertEqual(rows[0]["credit_limit_amount"], 100.0)

        # ... and asks for the release.
        wizard_id, error = self._call(
            "credit.hold.request",
            "create",
            [{"hold_id": hold.id, "comment": "Customer pays on Friday"}],
        )
        self.assertFalse(error)
        _result, error = self._call(
            "credit.hold.request", "action_request", [[wizard_id]]
        )
        self.assertFalse(error)
        self.assertTrue(hold.requested)

        # Approving, forging a release or a hold, private methods: refused.
        refused_calls = [
            ("credit.hold", "write", [[hold.id], {"state": "approved"}], "AccessError"),
            (
                "credit.hold",
                "create",
                [
                    {
                        "order_id": order_id,
                        "partner_id": self.customer.id,
                        "company_id": self.company.id,
                        "state": "approved",
                        "approved_amount": 1e6,
                    }
                ],
                "AccessError",
            ),
            ("credit.hold", "action_open_decision", [[hold.id]], "AccessError"),
            (
                "credit.hold.decision",
                "create",
                [{"hold_ids": [[6, 0, [hold.id]]], "reason": "self-approved"}],
                "AccessError",
            ),
            ("credit.hold", "_approve", [[hold.id], "self-approved"], "AccessError"),
            ("credit.hold", "_credit_use_release", [[hold.id]], "AccessError"),
            ("sale.order", "_credit_check", [[order_id]], "AccessError"),
            (
                "res.partner",
                "write",
                [[self.customer.id], {"credit_limit_amount": 1e6}],
                "AccessError",
            ),
            (
                "res.partner",
                "write",
                [[self.customer.id], {"credit_limit_mode": "none"}],
                "AccessError",
            ),
            (
                "res.partner",
                "write",
                [[self.customer.id], {"credit_risk_class": "a"}],
                "AccessError",
            ),
            (
                "credit.rule",
                "write",
                [
                    self.env["credit.rule"].search([]).ids,
                    {"active": False},
                ],
                "AccessError",
            ),
            (
                "credit.rule",
                "create",
                [{"name": "Nothing", "rule_type": "no_limit", "action": "warn"}],
                "AccessError",
            ),
            (
                "credit.approval.authority",
                "create",
                [
                    {
                        "group_id": self.env.ref("sales_team.group_sale_salesman").id,
                        "unlimited": True,
                    }
                ],
                "AccessError",
            ),
        ]
        for model, method, args, exception in refused_calls:
            with self.subTest(model=model, method=method):
                _result, error = self._call(model, method, args)
                self._assert_refused(error, f"odoo.exceptions.{exception}")
        self.assertEqual(hold.state, "pending")
        self.assertFalse(hold.approved_amount)
        self.assertEqual(self.customer.credit_limit_amount, 100.0)
        self.assertEqual(self.customer.credit_limit_mode, "custom")
        self.assertEqual(self.order.state, "draft")

        # A limit request is proposed, but only a manager can approve it.
        request_id, error = self._call(
            "credit.limit.request",
            "create",
            [
                {
                    "partner_id": self.customer.id,
                    "proposed_limit": 500.0,
                    "reason": "Growing account",
                }
            ],
        )
        self.assertFalse(error)
        _result, error = self._call(
            "credit.limit.request", "action_submit", [[request_id]]
        )
        self.assertFalse(error)
        for method, args in (
            ("action_approve", [[request_id]]),
            ("write", [[request_id], {"state": "approved"}]),
        ):
            _result, error = self._call("credit.limit.request", method, args)
            self._assert_refused(error, "odoo.exceptions.AccessError")
        self.assertEqual(self.customer.credit_limit_amount, 100.0)

    def test_controller_decides_over_rpc(self):
        self.order.with_user(self.salesman).action_confirm()
        hold = self.order.credit_hold_id
        self.authenticate("rpc_controller", "rpc_controller_pw")
        wizard_id, error = self._call(
            "credit.hold.decision",
            "create",
            [{"hold_ids": [[6, 0, [hold.id]]], "reason": "Paid on time for years"}],
        )
        self.assertFalse(error)
        # The controller cannot give themselves more authority.
        authority = self.env["credit.approval.authority"].search(
            [("company_id", "=", self.company.id)]
        )
        _result, error = self._call(
            "credit.approval.authority", "write", [authority.ids, {"unlimited": True}]
        )
        self._assert_refused(error, "odoo.exceptions.AccessError")
        _result, error = self._call(
            "credit.hold.decision", "action_approve", [[wizard_id]]
        )
        self.assertFalse(error)
        self.assertEqual(hold.state, "approved")
        self.assertEqual(hold.approved_amount, 300.0)
        self.assertEqual(hold.decided_by_id, self.controller)

    def test_other_company_sees_nothing(self):
        self.order.with_user(self.salesman).action_confirm()
        hold = self.order.credit_hold_id
        company_2 = self.env["res.company"].create({"name": "Rpc Second Company"})
        new_test_user(
            self.env,
            login="rpc_manager_2",
            password="rpc_manager_2_pw",
            groups="base.group_user,credit_management.group_credit_manager,"
            "sales_team.group_sale_salesman_all_leads",
            company_id=company_2.id,
            company_ids=[Command.set(company_2.ids)],
        )
        self.authenticate("rpc_manager_2", "rpc_manager_2_pw")
        ids, error = self._call("credit.hold", "search", [[]])
        self.assertFalse(error)
        self.assertNotIn(hold.id, ids)
        _result, error = self._call("credit.hold", "read", [[hold.id], ["state"]])
        self._assert_refused(error, "odoo.exceptions.AccessError")
        _result, error = self._call(
            "res.partner", "read", [[self.customer.id], ["credit_exposure_total"]]
        )
        # The customer is shared; its exposure there is company 2's: none.
        self.assertFalse(error)
        self.assertEqual(_result[0]["credit_exposure_total"], 0.0)


@tagged("post_install", "-at_install")
class TestCreditHoldTour(HttpCase):
    """In Chromium: blocked, release requested, approved, confirmed."""

    def test_hold_release_tour(self):
        company = self.env.company
        company.credit_hold_auto_confirm = False
        new_test_user(
            self.env,
            login="tour_salesman",
            password="tour_salesman",
            groups="sales_team.group_sale_salesman",
        )
        new_test_user(
            self.env,
            login="tour_controller",
            password="tour_controller",
            groups="base.group_user,credit_management.group_credit_controller",
        )
        salesman = self.env["res.users"].search([("login", "=", "tour_salesman")])
        customer = self.env["res.partner"].create(
            {
                "name": "Tour Credit Customer",
                "is_company": True,
                "credit_limit_mode": "custom",
                "credit_limit_amount": 100.0,
            }
        )
        product = self.env["product.product"].create(
            {"name": "Tour Widget", "lst_price": 100.0, "taxes_id": [Command.clear()]}
        )
        order = (
            self.env["sale.order"]
            .with_user(salesman)
            .create(
                {
                    "partner_id": customer.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "product_uom_qty": 3.0,
                                "tax_id": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        self.start_tour(
            f"/odoo/action-sale.action_quotations_with_onboarding/{order.id}",
            "credit_hold_request_tour",
            login="tour_salesman",
        )
        hold = order.credit_hold_id
        self.assertEqual(hold.state, "pending")
        self.assertTrue(hold.requested)
        self.start_tour(
            "/odoo/action-credit_management.credit_hold_action",
            "credit_hold_approve_tour",
            login="tour_controller",
        )
        self.assertEqual(hold.state, "approved")
        self.start_tour(
            f"/odoo/action-sale.action_quotations_with_onboarding/{order.id}",
            "credit_hold_confirm_tour",
            login="tour_salesman",
        )
        self.assertEqual(order.state, "sale")
        self.assertTrue(hold.release_used)
