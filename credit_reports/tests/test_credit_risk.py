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
