from odoo.tests import tagged

from .common import CreditReportsCommon

# Risk classes as of 2024-06-30 (ADD over invoices paid since 2023-07-01):
#
#   low   100 paid 2023-04-01, 60 days late (outside the year, ignored);
#         100 due 2024-01-31 paid on 01-31 -> ADD 0, nothing open -> A
#   mid   100 due 2024-03-31 paid 04-10 -> ADD 10 > 5 -> B
#   high  300 due 2024-05-31 unpaid (overdue on 06-30), 700 due 07-10
#         (current) -> overdue share 300 / 1000 = 30 % >= 25 -> C
#   worst 100 due 2024-01-31 paid 2024-03-11: 29 + 11 = 40 days late
#         -> ADD 40 > 30 -> D


@tagged("post_install", "-at_install")
class TestCreditRisk(CreditReportsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.low, cls.mid, cls.high, cls.worst = (
            Partner.create({"name": f"Risk {name}", "is_company": True})
            for name in ("low", "mid", "high", "worst")
        )
        old = cls._create_invoice(cls.low, 100.0, "2023-01-01", "2023-01-31")
        cls._pay(old, 100.0, "2023-04-01")
        paid = cls._create_invoice(cls.low, 100.0, "2024-01-01", "2024-01-31")
        cls._pay(paid, 100.0, "2024-01-31")
        late = cls._create_invoice(cls.mid, 100.0, "2024-03-01", "2024-03-31")
        cls._pay(late, 100.0, "2024-04-10")
        cls._create_invoice(cls.high, 300.0, "2024-05-01", "2024-05-31")
        cls._create_invoice(cls.high, 700.0, "2024-06-10", "2024-07-10")
        very_late = cls._create_invoice(cls.worst, 100.0, "2024-01-01", "2024-01-31")
        cls._pay(very_late, 100.0, "2024-03-11")

    def _compute(self):
        return self.env["res.partner"]._credit_compute_risk_classes(
            self.company, "2024-06-30"
        )

    def test_classes(self):
        classes = self._compute()
        self.assertEqual(
            {p: classes[p.id] for p in self.low | self.mid | self.high | self.worst},
            {self.low: "a", self.mid: "b", self.high: "c", self.worst: "d"},
        )
        self.assertEqual(
            self.mid.with_company(self.company).credit_risk_class_computed, "b"
        )

    def test_open_habit_flag_raises_to_c(self):
        flag = self.env["credit.habit.flag"].create(
            {
                "company_id": self.company.id,
                "partner_id": self.low.id,
                "date_detected": "2024-06-30",
            }
        )
        self.assertEqual(self._compute()[self.low.id], "c")
        # Acknowledged, the change no longer weighs on the class.
        flag.action_acknowledge()
        self.assertEqual(self._compute()[self.low.id], "a")

    def test_manual_class_wins(self):
        partner = self.low.with_company(self.company)
        self._compute()
        self.assertEqual(partner.credit_risk_class_effective, "a")
        if "credit_risk_class" not in partner._fields:
            self.skipTest("credit_management has no manual risk class")
        # Only credit managers set the manual class.
        self.env.user.groups_id += self.env.ref(
            "credit_management.group_credit_manager"
        )
        partner.credit_risk_class = "d"
        self.assertEqual(partner.credit_risk_class_computed, "a")
        self.assertEqual(partner.credit_risk_class_effective, "d")

    def _confirm(self, partner):
        """Confirm an order of 1 x 100.00 for ``partner``; return it."""
        product = self.env["product.product"].create(
            {"name": "Risk Widget", "lst_price": 100.0, "taxes_id": [(5, 0, 0)]}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [(0, 0, {"product_id": product.id, "tax_id": [(5,)]})],
            }
        )
        order.action_confirm()
        return order

    def test_rules_follow_computed_class(self):
        # A rule for class D customers only: orders over 50.00 blocked. The
        # computed class is what it sees: "worst" (D) is held, "low" (A)
        # is confirmed; a manual class would win over the computed one.
        self.env.user.groups_id += self.env.ref(
            "credit_management.group_credit_manager"
        )
        self._compute()
        self.env["credit.rule"].create(
            {
                "name": "Small orders for class D",
                "company_id": self.company.id,
                "rule_type": "order_amount",
                "threshold_amount": 50.0,
                "risk_class": "d",
                "action": "block",
            }
        )
        held = self._confirm(self.worst)
        self.assertEqual(held.state, "draft")
        self.assertIn("Small orders for class D", held.credit_hold_id.block_message)
        self.assertEqual(self._confirm(self.low).state, "sale")

    def test_habit_flag_rule(self):
        # An open habit change blocks; acknowledged, it no longer does.
        self.env.user.groups_id += self.env.ref(
            "credit_management.group_credit_manager"
        )
        flag = self.env["credit.habit.flag"].create(
            {
                "company_id": self.company.id,
                "partner_id": self.mid.id,
                "date_detected": "2024-06-30",
                "baseline_median": 1.0,
                "recent_median": 12.0,
                "threshold": 5.0,
            }
        )
        self.env["credit.rule"].create(
            {
                "name": "Habit changed",
                "company_id": self.company.id,
                "rule_type": "habit_flag",
                "action": "block",
            }
        )
        held = self._confirm(self.mid)
        self.assertEqual(held.state, "draft")
        self.assertIn(
            "12.0 days late at the median, against 1.0 usually",
            held.credit_hold_id.block_message,
        )
        flag.action_acknowledge()
        held.action_confirm()
        self.assertEqual(held.state, "sale")

    def test_habit_change_lowers_tolerance(self):
        # Limit 100.00 with a 20 % tolerance: up to 120.00 accepted. "low"
        # owes nothing; an order of 1 x 110.00 is 10.00 over the limit. With
        # an open habit change the tolerance is the company's 0 %: held.
        # Once the change is acknowledged, 110.00 <= 120.00: confirmed.
        self.env.user.groups_id += self.env.ref(
            "credit_management.group_credit_manager"
        )
        self.company.credit_limit_tolerance = 20.0
        self.assertEqual(self.company.credit_flag_tolerance, 0.0)
        self.low.with_company(self.company).write(
            {"credit_limit_mode": "custom", "credit_limit_amount": 100.0}
        )
        product = self.env["product.product"].create(
            {"name": "Tolerance Widget", "lst_price": 110.0, "taxes_id": [(5, 0, 0)]}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.low.id,
                "order_line": [(0, 0, {"product_id": product.id, "tax_id": [(5,)]})],
            }
        )
        flag = self.env["credit.habit.flag"].create(
            {
                "company_id": self.company.id,
                "partner_id": self.low.id,
                "date_detected": "2024-06-30",
            }
        )
        order.action_confirm()
        self.assertEqual(order.state, "draft")
        message = order.credit_hold_id.block_message
        self.assertIn("$\xa010.00 over the limit", message)
        self.assertIn("The tolerance is 0.0% instead of 20.0%", message)
        flag.action_acknowledge()
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_disputes_raise_to_c(self):
        # "low" has one invoice dated in the year (2024-01-01), paid on time:
        # A. Disputed once (then cleared), 1 of 1 = 100 % >= 50 %: C.
        invoice = self.env["account.move"].search(
            [("partner_id", "=", self.low.id), ("invoice_date", "=", "2024-01-01")]
        )
        invoice.credit_dispute = True
        invoice.credit_dispute = False
        self.assertTrue(invoice.credit_disputed_once)
        self.assertEqual(self._compute()[self.low.id], "c")
        # A second invoice of the year, not disputed: 1 of 2 = 50 %, still C.
        self._create_invoice(self.low, 50.0, "2024-06-01", "2024-07-01")
        self.assertEqual(self._compute()[self.low.id], "c")
