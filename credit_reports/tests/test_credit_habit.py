from datetime import date, timedelta

from odoo.tests import tagged

from .common import CreditReportsCommon

# Every customer gets invoice i (i = 0, 1, ...) dated BASE + 20 i days, due 30
# days later and paid DAYS_LATE[i] days after its due date.
BASE = date(2023, 1, 2)

# Shifter: baseline (8 invoices) 0,1,2,0,3,1,2,1 -> sorted 0,0,1,1,1,2,2,3,
# median 1; deviations 1,0,1,1,2,0,1,0 -> median 1, scaled MAD 1.4826;
# threshold max(3 x 1.4826, 5) = 5. Recent 15,18,20,16,22,19 -> sorted
# 15,16,18,19,20,22, median (18 + 19) / 2 = 18.5; 18.5 - 1 = 17.5 > 5.
SHIFTER = [0, 1, 2, 0, 3, 1, 2, 1, 15, 18, 20, 16, 22, 19]
# Steady: recent 1,0,2,1,0,3 -> median 1, no change.
STEADY = [0, 1, 2, 0, 3, 1, 2, 1, 1, 0, 2, 1, 0, 3]
# One invoice 60 days late among ones paid a day late: recent median 1.
SINGLE_LATE = [1] * 8 + [1, 1, 60, 1, 1, 1]
# Only 7 invoices before the recent 6: too little history.
TOO_LITTLE = [1] * 7 + [20] * 6


@tagged("post_install", "-at_install")
class TestCreditHabit(CreditReportsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = {}
        cls.invoices = {}
        for name, days_late in (
            ("shifter", SHIFTER),
            ("steady", STEADY),
            ("single_late", SINGLE_LATE),
            ("too_little", TOO_LITTLE),
        ):
            partner = cls.env["res.partner"].create(
                {"name": f"Habit {name}", "is_company": True}
            )
            cls.customers[name] = partner
            cls.invoices[name] = []
            for i, late in enumerate(days_late):
                invoice_date = BASE + timedelta(days=20 * i)
                due = invoice_date + timedelta(days=30)
                invoice = cls._create_invoice(partner, 100.0, invoice_date, due)
                cls._pay(invoice, 100.0, due + timedelta(days=late))
                cls.invoices[name].append(invoice)

    def _detect(self, as_of):
        return self.env["credit.habit.flag"]._detect(self.company, as_of)

    def test_shift_flagged_once_history_suffices(self):
        # The shifter's last invoice (i = 13, due BASE + 290 = 2023-10-19) is
        # paid 19 days late on 2023-11-07. On 2023-11-06 only 13 invoices are
        # paid (7 before the recent window): nobody is flagged.
        self.assertFalse(self._detect("2023-11-06"))
        flag = self._detect("2023-11-30")
        # Only the shifter; the shift starts with invoice 8, dated BASE + 160
        # days = 2023-06-11 (15 days late > median 1 + threshold 5).
        self.assertRecordValues(
            flag,
            [
                {
                    "partner_id": self.customers["shifter"].id,
                    "date_detected": date(2023, 11, 30),
                    "baseline_median": 1.0,
                    "recent_median": 18.5,
                    "threshold": 5.0,
                    "baseline_count": 8,
                    "shift_date": date(2023, 6, 11),
                    "state": "open",
                }
            ],
        )
        self.assertEqual(
            flag.move_ids.ids, [inv.id for inv in self.invoices["shifter"][8:]]
        )
        self.assertIn("18.5 days late", flag.explanation)
        self.assertIn("15, 18, 20, 16, 22, 19", flag.explanation)

    def test_flag_notifies_customer(self):
        flag = self._detect("2023-11-30")
        partner = self.customers["shifter"]
        activity = partner.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.summary, "Payment habit changed")
        self.assertTrue(
            activity.user_id.has_group("credit_management.group_credit_controller")
        )
        self.assertIn(
            flag.explanation,
            partner.message_ids.mapped(lambda m: m.body.striptags()),
        )

    def test_no_second_flag(self):
        # An open flag stands: no new one. Once acknowledged, the same window
        # (paid before the detection) raises nothing either.
        flag = self._detect("2023-11-30")
        self.assertFalse(self._detect("2023-12-31"))
        flag.action_acknowledge()
        self.assertEqual(flag.state, "acknowledged")
        self.assertFalse(self.customers["shifter"].activity_ids)
        self.assertFalse(self._detect("2023-12-31"))
