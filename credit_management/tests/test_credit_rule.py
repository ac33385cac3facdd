from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from .common import CreditManagementCommon


@tagged("post_install", "-at_install")
class TestCreditRule(CreditManagementCommon):
    """Blocking and warning rules, their thresholds and their defaults."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rule = cls.env["credit.rule"].with_user(cls.credit_manager)
        # Other addons may add default rules of other conditions.
        cls.limit_rule = cls.Rule.search(
            [("company_id", "=", cls.company.id), ("rule_type", "=", "limit")]
        )

    def _add_rule(self, rule_type, action="block", **values):
        return self.Rule.create(
            {
                "name": f"Test {rule_type}",
                "company_id": self.company.id,
                "rule_type": rule_type,
                "action": action,
                **values,
            }
        )

    def _results(self, order):
        return {r["rule_type"]: r["result"] for r in order._credit_evaluate()["rules"]}

    def test_default_limit_rule_per_company(self):
        # Each company, existing or new, starts with one blocking limit rule.
        self.assertRecordValues(
            self.limit_rule, [{"rule_type": "limit", "action": "block"}]
        )
        new_company = self.env["res.company"].create({"name": "Credit New Co"})
        self.assertRecordValues(
            self.env["credit.rule"]
            .sudo()
            .search([("company_id", "=", new_company.id), ("rule_type", "=", "limit")]),
            [{"rule_type": "limit", "action": "block", "active": True}],
        )

    def test_limit_rule_archived_no_block(self):
        # Without an active limit rule, the limit no longer blocks: limit
        # 100.00, order 300.00 confirms.
        self._set_limit(self.customer, "custom", 100.0)
        self.limit_rule.active = False
        order = self._create_order(self.customer, qty=3.0)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_limit_rule_warn_posts_note(self):
        # The limit rule set to warn: 300.00 over a 100.00 limit confirms,
        # with the breakdown posted as a note.
        self._set_limit(self.customer, "custom", 100.0)
        self.limit_rule.action = "warn"
        order = self._create_order(self.customer, qty=3.0)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        note = order.message_ids.filtered(lambda m: "Credit check" in m.body)
        self.assertEqual(len(note), 1)
        self.assertIn("$&nbsp;200.00 over the limit", note.body)

    @freeze_time("2024-03-01")
    def test_overdue_amount(self):
        # Invoice 500.00 of 2024-01-15 due the same day: 500.00 overdue on
        # 2024-03-01; the rule allows 400.00, so it blocks. No limit is set.
        self._create_due_invoice(self.customer, 500.0)
        self._add_rule("overdue_amount", threshold_amount=400.0)
        order = self._create_order(self.customer)
        decision = order._credit_evaluate()
        result = next(r for r in decision["rules"] if r["rule_type"] != "limit")
        self.assertEqual(result["value"], 500.0)
        self.assertEqual(result["threshold"], 400.0)
        self.assertEqual(result["result"], "block")
        held = self._confirm_held(order)
        self.assertIn("overdue amount $\xa0500.00, $\xa0400.00 allowed", held)

    def test_overdue_days_due_today_not_overdue(self):
        # Invoice due 2024-01-15. On 2024-01-15 it is not overdue (0 days);
        # on 2024-01-16 it is 1 day past due, more than the 0 days allowed;
        # with 30 days allowed, on 2024-02-14 (30 days) it passes and on
        # 2024-02-15 (31 days) it blocks.
        self._create_due_invoice(self.customer, 100.0)
        rule = self._add_rule("overdue_days", threshold_days=0)
        order = self._create_order(self.customer)
        for today, days, threshold, result in (
            ("2024-01-15", 0, 0, "pass"),
            ("2024-01-16", 1, 0, "block"),
            ("2024-02-14", 30, 30, "pass"),
            ("2024-02-15", 31, 30, "block"),
        ):
            rule.threshold_days = threshold
            with freeze_time(today):
                evaluated = rule._evaluate(order._credit_evaluate())
            self.assertEqual((evaluated["value"], evaluated["result"]), (days, result))

    def test_order_amount(self):
        # At most 250.00 per order: 200.00 passes, 300.00 is refused.
        self._add_rule("order_amount", threshold_amount=250.0)
        self.assertEqual(
            self._results(self._create_order(self.customer, qty=2.0))["order_amount"],
            "pass",
        )
        big = self._create_order(self.customer, qty=3.0)
        held = self._confirm_held(big)
        self.assertIn("at most $\xa0250.00 per order", held)

    def test_no_limit_rule_warns(self):
        # A customer without limit (mode company, no company default) gets a
        # warning; once a limit is set, it passes.
        self._add_rule("no_limit", action="warn")
        order = self._create_order(self.customer)
        self.assertEqual(order._credit_evaluate()["result"], "warn")
        self._set_limit(self.customer, "custom", 1000.0)
        self.assertEqual(order._credit_evaluate()["result"], "pass")

    def test_manual_hold_blocks_with_reason(self):
        # A credit manager puts the customer on hold: every order of it and
        # of its contacts is refused, with the reason.
        self._add_rule("manual_hold")
        self.customer.with_user(self.credit_manager).write(
            {"credit_hold": True, "credit_hold_reason": "Disputed delivery"}
        )
        self.assertTrue(self.contact.credit_hold)
        order = self._create_order(self.contact)
        held = self._confirm_held(order)
        self.assertIn("on credit hold (Disputed delivery)", held)
        self.assertIn(
            "Credit hold in",
            self.customer.message_ids[:1].body,
        )
        self.assertIn("on hold (Disputed delivery)", self.customer.message_ids[:1].body)

    def test_hold_and_risk_class_managers_only(self):
        customer = self.customer.with_user(self.salesman)
        with self.assertRaises(AccessError):
            customer.write({"credit_hold": True})
        with self.assertRaises(AccessError):
            customer.write({"credit_risk_class": "d"})
        customer.write({"credit_hold": False, "name": "Azure Credit Co"})
        self.customer.with_user(self.credit_manager).write({"credit_risk_class": "d"})
        self.assertEqual(self.contact.credit_risk_class, "d")

    def test_risk_class_filter(self):
        # A rule for class C only: at most 50.00 per order. The class A
        # customer's 100.00 order passes, the class C customer's is refused.
        self._add_rule("order_amount", threshold_amount=50.0, risk_class="c")
        self.customer.with_user(self.credit_manager).credit_risk_class = "a"
        self.other_customer.with_user(self.credit_manager).credit_risk_class = "c"
        fine = self._create_order(self.customer)
        self.assertNotIn("order_amount", self._results(fine))
        fine.action_confirm()
        self._confirm_held(self._create_order(self.other_customer))

    def test_strictest_result_wins(self):
        # Warn on orders above 50.00 and block on hold: a 100.00 order of a
        # customer on hold is blocked; without the hold, it warns.
        self._add_rule("order_amount", action="warn", threshold_amount=50.0)
        self._add_rule("manual_hold")
        self.customer.with_user(self.credit_manager).credit_hold = True
        order = self._create_order(self.customer)
        self.assertEqual(order._credit_evaluate()["result"], "block")
        self.customer.with_user(self.credit_manager).credit_hold = False
        self.assertEqual(order._credit_evaluate()["result"], "warn")

    def test_threshold_validation(self):
        with self.assertRaisesRegex(ValidationError, "Amount Threshold"):
            self._add_rule("order_amount")
        with self.assertRaisesRegex(ValidationError, "Amount Threshold"):
            self._add_rule("overdue_amount", threshold_amount=0.0)
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self._add_rule("overdue_days", threshold_days=-1)
        # Zero days is a real threshold: any overdue item.
        self._add_rule("overdue_days", threshold_days=0)

    def test_limit_and_tolerance_validation(self):
        with self.assertRaisesRegex(ValidationError, "custom credit limit"):
            self._set_limit(self.customer, "custom", -1.0)
        with self.assertRaisesRegex(ValidationError, "tolerance"):
            self.company.credit_limit_tolerance = 100.01
        with self.assertRaisesRegex(ValidationError, "tolerance"):
            self.company.credit_limit_tolerance = -1.0

    def test_tolerance(self):
        # Limit 1,000.00 with 10% tolerance: up to 1,100.00 accepted. 1,100.00
        # confirms; 1,100.01 more would not.
        self._set_limit(self.customer, "custom", 1000.0)
        self.company.credit_limit_tolerance = 10.0
        self._create_order(self.customer, qty=11.0).action_confirm()
        held = self._confirm_held(
            self._create_order(self.customer, qty=1.0, price=0.01)
        )
        self.assertIn("up to $\xa01,100.00 accepted", held)

    def test_rule_types_hook(self):
        # The hook lists the six conditions first (other addons append their
        # own); the form shows the threshold the condition needs.
        self.assertEqual(
            [key for key, _label in self.Rule._get_rule_types()][:6],
            [
                "limit",
                "overdue_amount",
                "overdue_days",
                "order_amount",
                "no_limit",
                "manual_hold",
            ],
        )
        with Form(self.Rule) as rule_form:
            rule_form.name = "Old debts"
            rule_form.rule_type = "overdue_days"
            self.assertTrue(rule_form.needs_days)
            self.assertFalse(rule_form.needs_amount)
            rule_form.threshold_days = 60
        self.assertEqual(rule_form.record.company_id, self.company)
