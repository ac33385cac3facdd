from freezegun import freeze_time

from odoo.tests import tagged

from .common import CreditReportsCommon

# The ledger (company currency, no taxes, 30-day terms):
#
#   X  I1 1000, dated 2024-01-10, due 02-09, paid 2024-02-19 (10 days late)
#   X  I2  600, dated 2024-01-20, due 02-19, paid 2024-03-10 (20 days late)
#   X  I3  400, dated 2024-02-15, due 03-16, unpaid
#   Y  J1  300, dated 2024-02-01, due 03-02, paid 2024-02-25 (early)
#
# February 2024 has 29 days, January and March 31.


@tagged("post_install", "-at_install")
class TestCreditKpi(CreditReportsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer_x = cls.env["res.partner"].create(
            {"name": "KPI Customer X", "is_company": True}
        )
        cls.customer_y = cls.env["res.partner"].create(
            {"name": "KPI Customer Y", "is_company": True}
        )
        i1 = cls._create_invoice(cls.customer_x, 1000.0, "2024-01-10", "2024-02-09")
        i2 = cls._create_invoice(cls.customer_x, 600.0, "2024-01-20", "2024-02-19")
        cls._create_invoice(cls.customer_x, 400.0, "2024-02-15", "2024-03-16")
        j1 = cls._create_invoice(cls.customer_y, 300.0, "2024-02-01", "2024-03-02")
        cls._pay(i1, 1000.0, "2024-02-19")
        cls._pay(i2, 600.0, "2024-03-10")
        cls._pay(j1, 300.0, "2024-02-25")
        # Any day of the first and last month selects the whole month.
        cls.snapshots = cls.env["credit.kpi.snapshot"]._compute_months(
            cls.company, "2024-01-15", "2024-03-05"
        )

    def _get(self, month, partner=None):
        return self.snapshots.filtered(
            lambda s: (
                str(s.month) == month
                and (s.partner_id == partner if partner else s.is_portfolio)
            )
        )

    def test_customer_february(self):
        # X: opening (items before 02-01) = 1000 + 600 = 1600; closing =
        # 1600 + 400 (I3) - 1000 (payment of I1) = 1000; sales 400.
        # DSO = 1000 / 400 * 29 = 72.5.
        # On 02-29 I3 (due 03-16) is current: 400; I2 (due 02-19) overdue:
        # 600, share 600 / 1000 = 60 %.
        # CEI = (1600 + 400 - 1000) / (1600 + 400 - 400) = 1000 / 1600 = 62.5 %.
        # Countback: Feb sales 400 < 1000 -> 29 days, 600 left; Jan sales
        # 1600 -> 600 / 1600 * 31 = 11.625 days; total 40.625.
        # Paid in Feb: I1, 10 days late, 02-19 - 01-10 = 40 days to pay.
        # DSO trend: January's DSO is 1600 / 1600 * 31 = 31 -> +41.5.
        self.assertRecordValues(
            self._get("2024-02-01", self.customer_x),
            [
                {
                    "receivable_opening": 1600.0,
                    "receivable_closing": 1000.0,
                    "credit_sales": 400.0,
                    "receivable_current": 400.0,
                    "receivable_overdue": 600.0,
                    "dso": 72.5,
                    "dso_countback": 40.625,
                    "cei": 62.5,
                    "overdue_share": 60.0,
                    "average_days_late": 10.0,
                    "average_days_to_pay": 40.0,
                    "paid_count": 1,
                    "paid_amount": 1000.0,
                    "dso_trend": 41.5,
                }
            ],
        )

    def test_customer_paid_early(self):
        # Y in February: 300 invoiced and paid, nothing open: DSO 0 / 300 * 29
        # = 0; CEI = (0 + 300 - 0) / (0 + 300 - 0) = 100 %; no overdue share
        # without receivables; paid 5 days early -> 0 days late, 24 days to
        # pay. In March Y has no receivable activity at all: no row.
        self.assertRecordValues(
            self._get("2024-02-01", self.customer_y),
            [
                {
                    "receivable_closing": 0.0,
                    "credit_sales": 300.0,
                    "dso": 0.0,
                    "cei": 100.0,
                    "overdue_share": 0.0,
                    "average_days_late": 0.0,
                    "average_days_to_pay": 24.0,
                    "paid_count": 1,
                }
            ],
        )
        self.assertFalse(self._get("2024-03-01", self.customer_y))

    def test_customer_march(self):
        # X: opening 1000, I2 paid (-600): closing 400, no sales, so no
        # standard DSO. On 03-31 I3 (due 03-16) is overdue: share 100 %.
        # CEI = (1000 + 0 - 400) / (1000 + 0 - 0) = 60 %.
        # Countback: no March sales -> 31 days; Feb sales 400 cover the 400
        # left -> 29 days; total 60. ADD 20 (I2), trend 20 - 10 = +10;
        # days to pay 03-10 - 01-20 = 50.
        self.assertRecordValues(
            self._get("2024-03-01", self.customer_x),
            [
                {
                    "receivable_opening": 1000.0,
                    "receivable_closing": 400.0,
                    "credit_sales": 0.0,
                    "dso": 0.0,
                    "dso_countback": 60.0,
                    "cei": 60.0,
                    "overdue_share": 100.0,
                    "average_days_late": 20.0,
                    "average_days_late_trend": 10.0,
                    "average_days_to_pay": 50.0,
                }
            ],
        )

    def test_portfolio_february(self):
        # Opening 1600, closing 1000, sales 400 + 300 = 700.
        # DSO = 1000 / 700 * 29 = 41.43; current 400, overdue 600 (60 %).
        # CEI = (1600 + 700 - 1000) / (1600 + 700 - 400) = 1300 / 1900
        # = 68.42 %. Countback: Feb 700 -> 29 days, 300 left; Jan 1600 ->
        # 300 / 1600 * 31 = 5.8125; total 34.8125.
        # ADD = (1000 * 10 + 300 * 0) / 1300 = 7.69; days to pay
        # (40 + 24) / 2 = 32.
        snapshot = self._get("2024-02-01")
        self.assertEqual(len(snapshot), 1)
        self.assertFalse(snapshot.partner_id)
        self.assertRecordValues(
            snapshot,
            [
                {
                    "receivable_opening": 1600.0,
                    "receivable_closing": 1000.0,
                    "credit_sales": 700.0,
                    "receivable_overdue": 600.0,
                    "overdue_share": 60.0,
                    "dso_countback": 34.8125,
                    "average_days_to_pay": 32.0,
                    "paid_count": 2,
                }
            ],
        )
        self.assertAlmostEqual(snapshot.dso, 1000 / 700 * 29, places=6)
        self.assertAlmostEqual(snapshot.cei, 1300 / 1900 * 100, places=6)
        self.assertAlmostEqual(snapshot.average_days_late, 10000 / 1300, places=6)

    def test_recompute_replaces(self):
        # Computing February again replaces its rows: still one per customer.
        again = self.env["credit.kpi.snapshot"]._compute_months(
            self.company, "2024-02-01", "2024-02-29"
        )
        self.assertEqual(len(again), 3)
        self.assertEqual(
            self.env["credit.kpi.snapshot"].search_count(
                [("company_id", "=", self.company.id), ("month", "=", "2024-02-01")]
            ),
            3,
        )
        # The January snapshot still gives February its trend.
        self.assertEqual(
            again.filtered(lambda s: s.partner_id == self.customer_x).dso_trend, 41.5
        )

    def test_month_in_progress_counts_days_so_far(self):
        # Z: 500 invoiced on 2024-04-02, unpaid. On 2024-04-11 April has run
        # 11 days: DSO = 500 / 500 x 11 = 11, not 500 / 500 x 30.
        customer_z = self.env["res.partner"].create(
            {"name": "KPI Customer Z", "is_company": True}
        )
        self._create_invoice(customer_z, 500.0, "2024-04-02", "2024-05-02")
        with freeze_time("2024-04-11"):
            snapshots = self.env["credit.kpi.snapshot"]._compute_months(
                self.company, "2024-04-01", "2024-04-11"
            )
        snapshot = snapshots.filtered(lambda s: s.partner_id == customer_z)
        self.assertAlmostEqual(snapshot.dso, 11.0, places=6)
