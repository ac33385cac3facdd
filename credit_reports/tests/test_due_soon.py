from odoo.tests import tagged

from .common import CreditReportsCommon

# On 2024-03-01, alert for invoices of at least 1000 due within 7 days
# (2024-03-01 .. 2024-03-08):
#   big_soon   1500 due 03-05            -> alerted
#   big_half   2500 due 03-08, 1000 paid -> 1500 open, alerted
#   small_soon  500 due 03-05            -> under the amount
#   big_later  1500 due 03-09            -> 8 days ahead, too far
#   big_past   1500 due 02-29            -> already overdue, dunning's job


@tagged("post_install", "-at_install")
class TestDueSoon(CreditReportsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create(
            {"name": "Due Soon Customer", "is_company": True}
        )
        cls.big_soon = cls._create_invoice(
            cls.customer, 1500.0, "2024-02-04", "2024-03-05"
        )
        cls.big_half = cls._create_invoice(
            cls.customer, 2500.0, "2024-02-07", "2024-03-08"
        )
        cls._pay(cls.big_half, 1000.0, "2024-02-20")
        cls.small_soon = cls._create_invoice(
            cls.customer, 500.0, "2024-02-04", "2024-03-05"
        )
        cls.big_later = cls._create_invoice(
            cls.customer, 1500.0, "2024-02-08", "2024-03-09"
        )
        cls.big_past = cls._create_invoice(
            cls.customer, 1500.0, "2024-01-30", "2024-02-29"
        )

    def _alert(self):
        return self.env["account.move"]._credit_alert_due_soon(
            self.company, today="2024-03-01", days=7, min_amount=1000.0
        )

    def test_alert_once(self):
        alerted = self._alert()
        self.assertEqual(alerted, self.big_soon | self.big_half)
        self.assertEqual(
            self.big_soon.activity_ids.mapped("summary"), ["Invoice falls due soon"]
        )
        self.assertEqual(str(self.big_half.activity_ids.date_deadline), "2024-03-08")
        # The next day's run does not alert the same invoices again.
        self.assertFalse(self._alert())
