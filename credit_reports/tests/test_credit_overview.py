from datetime import date, timedelta

from odoo import Command, fields
from odoo.tests import Form, new_test_user, tagged

from .common import CreditReportsCommon

# One customer (with a contact) and another customer, in company currency.
#
# Invoices of the customer:
#   INV1 1000 due 2024-02-04, disputed; 100 paid after a promise -> 900 open
#   INV2  400 due 2024-03-02, disputed, unpaid                   -> 400 open
#   INV3  250 due 2024-02-09, disputed, paid in full             -> not open
#   Open disputed: INV1 + INV2 = 2 invoices, 900 + 400 = 1300.
# Other customer: INV4 700, disputed, unpaid -> 1 invoice, 700.
#
# Promises to pay (today = T):
#   customer: 150 on INV2 by T+10                  -> open
#             100 on INV1 by T+10, then 100 paid    -> kept (100 >= 100)
#              50 on INV2 by 2024-03-10, 3 days     -> broken (T > 2024-03-13)
#   other:     70 on INV4 by T+10                   -> open
#   Customer: 1 open promise of 150. Other: 1 of 70.
#
# Letters: customer 2024-02-20 level 1 sent, 2024-03-10 level 2 sent,
#   2024-03-20 level 2 in error; other 2024-03-10 sent.
#   Customer: 3 letters, last reminder sent 2024-03-10 (the error is not one).
#
# KPI snapshots: customer January, February, March 2024; the portfolio's
#   March and the other customer's April are not the customer's.
#   Customer: 3 months, last closed one March: DSO 41.5 (35 -> 41.5: +6.5),
#   ADD 12 (8 -> 12: +4).
#
# Habit flags: customer acknowledged (2024-01-31) and open (2024-03-31);
#   other: open. Customer: 2 flags, the open one of 2024-03-31.


@tagged("post_install", "-at_install")
class TestCreditOverview(CreditReportsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env.user)
        Partner = cls.env["res.partner"]
        cls.customer = Partner.create({"name": "Overview Customer", "is_company": True})
        cls.contact = Partner.create(
            {"name": "Ann Overview", "parent_id": cls.customer.id}
        )
        cls.other = Partner.create({"name": "Other Customer", "is_company": True})

        cls.inv1 = cls._create_invoice(cls.customer, 1000.0, "2024-01-05", "2024-02-04")
        cls.inv2 = cls._create_invoice(cls.customer, 400.0, "2024-02-01", "2024-03-02")
        cls.inv3 = cls._create_invoice(cls.customer, 250.0, "2024-01-10", "2024-02-09")
        cls._pay(cls.inv3, 250.0, "2024-02-20")
        cls.inv4 = cls._create_invoice(cls.other, 700.0, "2024-02-01", "2024-03-02")
        (cls.inv1 | cls.inv2 | cls.inv3 | cls.inv4).write(
            {"credit_dispute": True, "credit_dispute_reason": "Goods damaged"}
        )

        Promise = cls.env["credit.dunning.promise"]
        soon = cls.today + timedelta(days=10)
        cls.promise_open = Promise.create(cls._promise_vals(cls.inv2, 150.0, soon))
        cls.promise_kept = Promise.create(cls._promise_vals(cls.inv1, 100.0, soon))
        cls._pay(cls.inv1, 100.0, "2024-03-01")
        cls.promise_broken = Promise.create(
            cls._promise_vals(cls.inv2, 50.0, date(2024, 3, 10))
        )
        cls.promise_other = Promise.create(cls._promise_vals(cls.inv4, 70.0, soon))

        level_1, level_2 = cls.company.credit_dunning_policy_id.level_ids.sorted(
            "days_overdue"
        )[:2]
        cls.letter_1 = cls._letter(cls.customer, "2024-02-20", level_1, "sent")
        cls.letter_2 = cls._letter(cls.customer, "2024-03-10", level_2, "sent")
        cls.letter_3 = cls._letter(cls.customer, "2024-03-20", level_2, "error")
        cls.letter_other = cls._letter(cls.other, "2024-03-10", level_1, "sent")

        Snapshot = cls.env["credit.kpi.snapshot"]
        base = {"company_id": cls.company.id}
        cls.kpi_jan, cls.kpi_feb, cls.kpi_mar = Snapshot.create(
            [
                {**base, "partner_id": cls.customer.id, "month": "2024-01-01",
                 "dso": 30.0, "average_days_late": 5.0},
                {**base, "partner_id": cls.customer.id, "month": "2024-02-01",
                 "dso": 35.0, "average_days_late": 8.0, "dso_trend": 5.0,
                 "average_days_late_trend": 3.0},
                {**base, "partner_id": cls.customer.id, "month": "2024-03-01",
                 "dso": 41.5, "average_days_late": 12.0, "dso_trend": 6.5,
                 "average_days_late_trend": 4.0, "overdue_share": 62.5,
                 "cei": 40.0},
            ]
        )  # fmt: skip
        Snapshot.create(
            [
                {**base, "is_portfolio": True, "month": "2024-03-01", "dso": 50.0},
                {**base, "partner_id": cls.other.id, "month": "2024-04-01",
                 "dso": 10.0},
            ]
        )  # fmt: skip

        Flag = cls.env["credit.habit.flag"]
        cls.flag_old = Flag.create(
            cls._flag_vals(cls.customer, "2024-01-31", "acknowledged", "Old change")
        )
        cls.flag_new = Flag.create(
            cls._flag_vals(cls.customer, "2024-03-31", "open", "Now 20 days late")
        )
        cls.flag_other = Flag.create(
            cls._flag_vals(cls.other, "2024-03-31", "open", "Other change")
        )

        cls.customer.write(
            {
                "credit_dunning_excluded_until": cls.today + timedelta(days=5),
                "credit_dunning_exclusion_reason": "Negotiating a payment plan",
            }
        )

    @classmethod
    def _promise_vals(cls, invoice, amount, on):
        return {
            "partner_id": invoice.partner_id.id,
            "company_id": cls.company.id,
            "move_ids": [Command.set(invoice.ids)],
            "amount": amount,
            "date": on,
            "grace_days": 3,
        }

    @classmethod
    def _letter(cls, partner, run_date, level, send_state):
        run = cls.env["credit.dunning.run"].create(
            {"date": run_date, "company_id": cls.company.id, "state": "done"}
        )
        return cls.env["credit.dunning.letter"].create(
            {
                "run_id": run.id,
                "partner_id": partner.id,
                "level_id": level.id,
                "currency_id": cls.company.currency_id.id,
                "channel": "email",
                "send_state": send_state,
            }
        )

    @classmethod
    def _flag_vals(cls, partner, detected, state, explanation):
        return {
            "company_id": cls.company.id,
            "partner_id": partner.id,
            "date_detected": detected,
            "state": state,
            "explanation": explanation,
        }

    def test_figures_of_customer_and_contact(self):
        # A contact shows the figures of its commercial entity.
        for partner in (self.customer, self.contact):
            with self.subTest(partner=partner.name):
                self.assertEqual(partner.credit_dunning_letter_count, 3)
                self.assertEqual(
                    partner.credit_dunning_letter_ids.ids,
                    [self.letter_3.id, self.letter_2.id, self.letter_1.id],
                )
                self.assertEqual(partner.credit_dunning_last_date, date(2024, 3, 10))
                self.assertEqual(partner.credit_disputed_count, 2)
                self.assertEqual(partner.credit_disputed_amount, 1300.0)
                self.assertEqual(partner.credit_promise_open_count, 1)
                self.assertEqual(partner.credit_promise_open_amount, 150.0)
                self.assertTrue(partner.credit_dunning_paused)
                self.assertEqual(partner.credit_kpi_count, 3)
                self.assertEqual(partner.credit_kpi_last_id, self.kpi_mar)
                self.assertEqual(partner.credit_kpi_last_month, date(2024, 3, 1))
                self.assertEqual(partner.credit_kpi_dso, 41.5)
                self.assertEqual(partner.credit_kpi_dso_trend, 6.5)
                self.assertEqual(partner.credit_kpi_add, 12.0)
                self.assertEqual(partner.credit_kpi_add_trend, 4.0)
                self.assertEqual(partner.credit_kpi_overdue_share, 62.5)
                self.assertEqual(partner.credit_habit_flag_count, 2)
                self.assertEqual(partner.credit_habit_flag_open_id, self.flag_new)
                self.assertEqual(
                    partner.credit_habit_flag_explanation, "Now 20 days late"
                )

    def test_promise_states(self):
        # The figures above rest on these states (see the header).
        self.assertEqual(self.promise_open.state, "open")
        self.assertEqual(self.promise_kept.state, "kept")
        self.assertEqual(self.promise_kept.amount_paid, 100.0)
        self.assertEqual(self.promise_broken.state, "broken")

    def test_figures_of_other_customer(self):
        other = self.other
        self.assertEqual(other.credit_dunning_letter_count, 1)
        self.assertEqual(other.credit_dunning_last_date, date(2024, 3, 10))
        self.assertEqual(other.credit_disputed_count, 1)
        self.assertEqual(other.credit_disputed_amount, 700.0)
        self.assertEqual(other.credit_promise_open_count, 1)
        self.assertEqual(other.credit_promise_open_amount, 70.0)
        self.assertFalse(other.credit_dunning_paused)
        self.assertEqual(other.credit_kpi_count, 1)
        self.assertEqual(other.credit_kpi_last_month, date(2024, 4, 1))
        self.assertEqual(other.credit_habit_flag_open_id, self.flag_other)

    def test_no_history(self):
        newcomer = self.env["res.partner"].create({"name": "Newcomer"})
        self.assertEqual(newcomer.credit_dunning_letter_count, 0)
        self.assertFalse(newcomer.credit_dunning_last_date)
        self.assertEqual(newcomer.credit_disputed_count, 0)
        self.assertEqual(newcomer.credit_disputed_amount, 0.0)
        self.assertEqual(newcomer.credit_kpi_count, 0)
        self.assertFalse(newcomer.credit_kpi_last_id)
        self.assertEqual(newcomer.credit_kpi_dso, 0.0)
        self.assertFalse(newcomer.credit_habit_flag_open_id)

    def test_month_in_progress_not_the_last_closed(self):
        # The current month counts among the months (3 + 1 = 4), but the
        # figures shown are those of the last closed month, March 2024.
        self.env["credit.kpi.snapshot"].create(
            {
                "company_id": self.company.id,
                "partner_id": self.customer.id,
                "month": self.today.replace(day=1),
                "dso": 0.0,
            }
        )
        self.assertEqual(self.customer.credit_kpi_count, 4)
        self.assertEqual(self.customer.credit_kpi_last_id, self.kpi_mar)
        self.assertEqual(self.customer.credit_kpi_dso, 41.5)

    def test_pause_ends_after_its_day(self):
        # Reminders stay paused on the last day, not the day after.
        self.customer.credit_dunning_excluded_until = self.today
        self.assertTrue(self.contact.credit_dunning_paused)
        self.customer.credit_dunning_excluded_until = self.today - timedelta(days=1)
        self.assertFalse(self.contact.credit_dunning_paused)

    def test_resolved_dispute_and_acknowledged_flag(self):
        self.inv2.credit_dispute = False
        # 2 - INV2 = 1 disputed invoice; 1300 - 400 = 900.
        self.assertEqual(self.customer.credit_disputed_count, 1)
        self.assertEqual(self.customer.credit_disputed_amount, 900.0)
        self.flag_new.action_acknowledge()
        self.assertFalse(self.customer.credit_habit_flag_open_id)
        self.assertEqual(self.customer.credit_habit_flag_count, 2)

    def _records(self, action):
        return self.env[action["res_model"]].search(action["domain"])

    def test_smart_buttons(self):
        # From the contact as from the customer: the entity's records.
        letters = self.contact.action_view_credit_dunning_letters()
        self.assertEqual(
            self._records(letters), self.letter_1 | self.letter_2 | self.letter_3
        )
        disputed = self.contact.action_view_credit_disputed_invoices()
        self.assertEqual(disputed["res_model"], "account.move")
        self.assertEqual(self._records(disputed), self.inv1 | self.inv2)
        promises = self.contact.action_view_credit_promises()
        # All promises, kept and broken ones too: the history.
        self.assertEqual(
            self._records(promises),
            self.promise_open | self.promise_kept | self.promise_broken,
        )
        self.assertEqual(promises["context"]["default_partner_id"], self.customer.id)
        kpis = self.contact.action_view_credit_kpis()
        self.assertEqual(
            self._records(kpis), self.kpi_jan | self.kpi_feb | self.kpi_mar
        )
        graph = self.env.ref("credit_reports.credit_kpi_snapshot_view_graph_partner")
        self.assertEqual(kpis["views"][0], (graph.id, "graph"))
        self.assertIn("Overview Customer", kpis["display_name"])
        flags = self.contact.action_view_credit_habit_flags()
        self.assertEqual(self._records(flags), self.flag_old | self.flag_new)

    def test_form_views(self):
        # The controller's form shows the page; the values are those above.
        form = Form(self.customer)
        self.assertEqual(form.credit_disputed_count, 2)
        self.assertEqual(form.credit_kpi_count, 3)
        self.assertEqual(len(form.credit_dunning_letter_ids), 3)
        # A salesperson's form leaves the controller's figures out.
        salesman = new_test_user(
            self.env,
            login="overview_salesman",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        arch = (
            self.env["res.partner"]
            .with_user(salesman)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn('name="credit_management"', arch)
        self.assertNotIn("credit_dunning_letter_count", arch)
        Form(self.customer.with_user(salesman))
