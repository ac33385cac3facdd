import html
from datetime import date, timedelta

from odoo import fields
from odoo.tests import new_test_user, tagged

from .common import CreditReportsCommon

# On 2024-03-01, alert for open invoices of at least 1000 overdue for at most
# 30 days (due 2024-01-31 .. 2024-02-29):
#   big_over   1500 due 02-29, salesperson not a controller
#                                       -> alerted, 1 day late, for Carla
#                                          (the customer's salesperson)
#   big_half   2500 due 02-20, 1000 paid, salesperson Dan (a controller)
#                                       -> 1500 open, 10 days late, for Dan
#   small_over  500 due 02-20           -> under the amount
#   big_today  1500 due 03-01           -> due today, not overdue yet
#   big_old    1500 due 01-15           -> 46 days late: dunning's job
#   big_paid   1500 due 02-25, paid     -> nothing open


@tagged("post_install", "-at_install")
class TestOverdueAlert(CreditReportsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company
        cls.carla = new_test_user(
            cls.env,
            login="overdue_carla",
            groups="base.group_user,credit_management.group_credit_controller",
            company_id=company.id,
        )
        cls.dan = new_test_user(
            cls.env,
            login="overdue_dan",
            groups="base.group_user,credit_management.group_credit_controller",
            company_id=company.id,
        )
        cls.seller = new_test_user(
            cls.env,
            login="overdue_seller",
            groups="sales_team.group_sale_salesman",
            company_id=company.id,
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Late Large Ltd", "is_company": True, "user_id": cls.carla.id}
        )
        invoice = cls._create_invoice
        cls.big_over = invoice(
            cls.customer,
            1500.0,
            "2024-01-30",
            "2024-02-29",
            invoice_user_id=cls.seller.id,
        )
        cls.big_half = invoice(
            cls.customer, 2500.0, "2024-01-21", "2024-02-20", invoice_user_id=cls.dan.id
        )
        cls._pay(cls.big_half, 1000.0, "2024-02-10")
        cls.small_over = invoice(cls.customer, 500.0, "2024-01-21", "2024-02-20")
        cls.big_today = invoice(cls.customer, 1500.0, "2024-01-31", "2024-03-01")
        cls.big_old = invoice(cls.customer, 1500.0, "2023-12-16", "2024-01-15")
        cls.big_paid = invoice(cls.customer, 1500.0, "2024-01-26", "2024-02-25")
        cls._pay(cls.big_paid, 1500.0, "2024-02-26")

    def _alert(self, today):
        return self.env["account.move"]._credit_alert_overdue(
            self.company, today=today, min_amount=1000.0, days=30
        )

    def test_alert_once(self):
        alerted = self._alert("2024-03-01")
        # Oldest due date first.
        self.assertEqual(alerted.ids, (self.big_half | self.big_over).ids)
        self.assertRecordValues(
            self.big_half.activity_ids | self.big_over.activity_ids,
            [
                {
                    "summary": "Large invoice overdue",
                    "user_id": self.dan.id,
                    "date_deadline": date(2024, 3, 1),
                },
                {
                    "summary": "Large invoice overdue",
                    "user_id": self.carla.id,
                    "date_deadline": date(2024, 3, 1),
                },
            ],
        )
        self.assertEqual(self.big_over.credit_overdue_alert_date, date(2024, 3, 1))
        for move in (self.small_over, self.big_today, self.big_old, self.big_paid):
            self.assertFalse(move.activity_ids, move.name)
            self.assertFalse(move.credit_overdue_alert_date, move.name)

        note = self.big_half.message_ids.filtered(
            lambda msg: "is overdue since" in (msg.body or "")
        )
        self.assertEqual(len(note), 1)
        # 2500 - 1000 paid = 1500 open; 2024-03-01 - 2024-02-20 = 10 days.
        amount = self.big_half.currency_id.format(1500.0)
        self.assertIn("is overdue since 2024-02-20 (10 day(s))", note.body)
        self.assertIn(amount, html.unescape(str(note.body)))

        # Done or not, an alerted invoice is never alerted again; the
        # invoice due on 03-01 is overdue on 03-02 and gets its own alert.
        self.big_over.activity_ids.action_feedback(feedback="Called")
        self.assertEqual(self._alert("2024-03-02"), self.big_today)
        self.assertFalse(self._alert("2024-03-03"))
        self.assertEqual(len(self.big_over.activity_ids), 0)
        self.assertEqual(
            len(
                self.big_over.message_ids.filtered(
                    lambda msg: (
                        "is overdue since" in (msg.body or "")
                        # not the message of the activity marked done
                        and not msg.mail_activity_type_id
                    )
                )
            ),
            1,
        )

    def test_cron_runs(self):
        # The cron uses the parameters and today's date: an invoice due
        # yesterday with 1000 open is alerted (1000 >= default 1000).
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("credit_reports.due_soon_min_amount", "1000")
        params.set_param("credit_reports.overdue_alert_days", "30")
        yesterday = fields.Date.context_today(self.customer) - timedelta(days=1)
        fresh = self._create_invoice(
            self.customer, 1000.0, yesterday - timedelta(days=30), yesterday
        )
        self.env["account.move"]._cron_credit_alert_overdue()
        self.assertEqual(fresh.activity_ids.user_id, self.carla)
