from datetime import timedelta
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, RecordCapturer, freeze_time, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningRun(DunningCommon):
    def test_partial_payment_gives_residual_at_first_level(self):
        # 1,000 invoiced, 400 paid: 600 open. Due 20 days before the run:
        # 20 >= 10 (first level) and < 30 (second), so level 1.
        invoice = self._create_invoice(self.partner_a, 1000.0, 20)
        self._pay(invoice, 400.0)
        run = self._new_run()
        self.assertEqual(run.state, "computed")
        self.assertRecordValues(
            run.line_ids,
            [
                {
                    "move_id": invoice.id,
                    "partner_id": self.partner_a.id,
                    "level_id": self.level_1.id,
                    "days_overdue": 20,
                    "amount_residual": 600.0,
                    "amount_total": 1000.0,
                }
            ],
        )

    def test_cancelled_and_draft_invoices_are_ignored(self):
        # Both due 30 days ago, which would be level 2 if they were open.
        cancelled = self._create_invoice(self.partner_a, 500.0, 30)
        cancelled.button_draft()
        cancelled.button_cancel()
        self._create_invoice(self.partner_a, 700.0, 30, post=False)
        run = self._new_run()
        self.assertFalse(run.line_ids)
        self.assertFalse(run.letter_ids)

    def test_invoice_due_on_run_date_is_not_overdue(self):
        self._create_invoice(self.partner_a, 500.0, 0)
        self.assertFalse(self._new_run().line_ids)

    def test_one_day_overdue_is_below_first_level(self):
        # 1 day past due, the first level needs 10.
        self._create_invoice(self.partner_a, 500.0, 1)
        self.assertFalse(self._new_run().line_ids)

    def test_first_level_is_reached_on_its_day(self):
        # Exactly 10 days past due reaches the 10-day level; 9 does not.
        on_day = self._create_invoice(self.partner_a, 100.0, 10)
        self._create_invoice(self.partner_a, 200.0, 9)
        run = self._new_run()
        self.assertEqual(run.line_ids.move_id, on_day)
        self.assertEqual(run.line_ids.level_id, self.level_1)

    def test_35_days_overdue_is_second_level(self):
        # 35 >= 30 (second level) and < 60 (final notice).
        self._create_invoice(self.partner_a, 500.0, 35)
        run = self._new_run()
        self.assertRecordValues(
            run.line_ids, [{"level_id": self.level_2.id, "days_overdue": 35}]
        )

    def test_paid_invoice_is_ignored(self):
        invoice = self._create_invoice(self.partner_a, 500.0, 40)
        self._pay(invoice, 500.0)
        self.assertFalse(self._new_run().line_ids)

    def test_confirm_records_level_on_invoice_and_notes_customer(self):
        invoice = self._create_invoice(self.partner_a, 500.0, 20)
        run = self._new_run()
        run.action_confirm()
        self.assertEqual(run.state, "done")
        self.assertRecordValues(
            invoice,
            [
                {
                    "credit_dunning_level_id": self.level_1.id,
                    "credit_dunning_last_date": self.run_date,
                }
            ],
        )
        notes = self.partner_a.message_ids.filtered(
            lambda m: invoice.name in (m.body or "")
        )
        self.assertEqual(len(notes), 1)
        self.assertIn(f"First reminder sent for {invoice.name}", notes.body)

    def test_second_run_same_date_after_confirm_creates_nothing(self):
        self._create_invoice(self.partner_a, 500.0, 20)
        self._create_invoice(self.partner_b, 300.0, 65)
        first = self._new_run()
        self.assertEqual(len(first.line_ids), 2)
        first.action_confirm()
        second = self._new_run()
        self.assertFalse(second.line_ids)
        self.assertFalse(second.letter_ids)

    def test_escalation_to_second_level_later(self):
        # Day 0: 20 days past due -> level 1, confirmed.
        # Day 25: the same invoice is 45 days past due -> level 2 (30 days).
        invoice = self._create_invoice(self.partner_a, 500.0, 20)
        self._new_run().action_confirm()
        later = self._new_run(run_date=self.run_date + timedelta(days=25))
        self.assertRecordValues(
            later.line_ids,
            [
                {
                    "move_id": invoice.id,
                    "level_id": self.level_2.id,
                    "days_overdue": 45,
                }
            ],
        )
        later.action_confirm()
        self.assertEqual(invoice.credit_dunning_level_id, self.level_2)

    def test_one_letter_per_customer_and_level(self):
        # partner_a: 300 (15 days) + 200 (12 days) at level 1 -> one letter
        # of 500; 450 (40 days) at level 2 -> a second letter of 450.
        # partner_b: 100 (11 days) at level 1 -> its own letter of 100.
        a_300 = self._create_invoice(self.partner_a, 300.0, 15)
        a_200 = self._create_invoice(self.partner_a, 200.0, 12)
        a_450 = self._create_invoice(self.partner_a, 450.0, 40)
        b_100 = self._create_invoice(self.partner_b, 100.0, 11)
        run = self._new_run()
        letters = run.letter_ids.sorted(
            lambda let: (let.partner_id.name, let.level_id.days_overdue)
        )
        self.assertRecordValues(
            letters,
            [
                {
                    "partner_id": self.partner_a.id,
                    "level_id": self.level_1.id,
                    "amount_total": 500.0,
                },
                {
                    "partner_id": self.partner_a.id,
                    "level_id": self.level_2.id,
                    "amount_total": 450.0,
                },
                {
                    "partner_id": self.partner_b.id,
                    "level_id": self.level_1.id,
                    "amount_total": 100.0,
                },
            ],
        )
        self.assertEqual(letters[0].line_ids.move_id, a_300 | a_200)
        self.assertEqual(letters[1].line_ids.move_id, a_450)
        self.assertEqual(letters[2].line_ids.move_id, b_100)
        self.assertRecordValues(
            run, [{"line_count": 4, "letter_count": 3, "partner_count": 2}]
        )

    def test_invoice_of_a_contact_goes_to_commercial_entity(self):
        contact = self.env["res.partner"].create(
            {"name": "Accounts Payable", "parent_id": self.partner_a.id}
        )
        self._create_invoice(contact, 500.0, 20)
        run = self._new_run()
        self.assertEqual(run.letter_ids.partner_id, self.partner_a)

    def test_compute_again_replaces_lines(self):
        invoice = self._create_invoice(self.partner_a, 500.0, 20)
        self._create_invoice(self.partner_b, 300.0, 20)
        run = self._new_run()
        run.action_compute()
        self.assertEqual(len(run.line_ids), 2)
        self.assertEqual(len(run.letter_ids), 2)
        # The customer paid before the letters went out.
        self._pay(invoice, 500.0)
        run.action_compute()
        self.assertEqual(run.line_ids.partner_id, self.partner_b)
        self.assertEqual(len(run.letter_ids), 1)

    def test_partner_policy_overrides_company_default(self):
        fast = self.env["credit.dunning.policy"].create(
            {
                "name": "Fast",
                "level_ids": [
                    Command.create({"name": "Nudge", "days_overdue": 3}),
                    Command.create({"name": "Call", "days_overdue": 7}),
                ],
            }
        )
        self.partner_b.with_company(self.company).credit_dunning_policy_id = fast
        # 5 days late: "Nudge" for partner_b, nothing for partner_a.
        self._create_invoice(self.partner_a, 500.0, 5)
        self._create_invoice(self.partner_b, 300.0, 5)
        run = self._new_run()
        self.assertRecordValues(
            run.line_ids,
            [{"partner_id": self.partner_b.id, "level_id": fast.level_ids[0].id}],
        )

    def test_two_companies_on_same_date_are_independent(self):
        company_2 = self.setup_other_company()["company"]
        self.assertTrue(company_2.credit_dunning_policy_id)
        policy_2 = company_2.credit_dunning_policy_id
        level_2_c2 = policy_2.level_ids.filtered(lambda lvl: lvl.days_overdue == 30)
        inv_1 = self._create_invoice(self.partner_a, 500.0, 20)
        inv_2 = self._create_invoice(self.partner_a, 800.0, 35, company=company_2)
        run_1 = self._new_run()
        run_2 = self._new_run(company=company_2)
        self.assertRecordValues(
            run_1.line_ids, [{"move_id": inv_1.id, "level_id": self.level_1.id}]
        )
        self.assertRecordValues(
            run_2.line_ids, [{"move_id": inv_2.id, "level_id": level_2_c2.id}]
        )
        # Confirming one company's run leaves the other's proposal intact.
        run_1.action_confirm()
        run_2.action_compute()
        self.assertEqual(run_2.line_ids.move_id, inv_2)
        self.assertNotEqual(run_1.name, run_2.name)

    def test_second_open_run_proposes_nothing_new(self):
        # The first run still waits for review: a second run the same day
        # must not propose the same invoice at the same level again.
        invoice = self._create_invoice(self.partner_a, 500.0, 20)
        run_1 = self._new_run()
        run_2 = self._new_run()
        self.assertEqual(run_1.line_ids.move_id, invoice)
        self.assertFalse(run_2.line_ids)
        run_1.action_confirm()
        self.assertFalse(self._new_run().line_ids)

    def test_cancel(self):
        self._create_invoice(self.partner_a, 500.0, 20)
        run = self._new_run()
        run.action_cancel()
        self.assertEqual(run.state, "cancelled")
        with self.assertRaises(UserError):
            run.action_confirm()
        done = self._new_run()
        done.action_confirm()
        with self.assertRaises(UserError):
            done.action_cancel()
        with self.assertRaises(UserError):
            done.action_compute()

    def test_reset_to_draft_drops_proposal(self):
        invoice = self._create_invoice(self.partner_a, 500.0, 20)
        run = self._new_run()
        run.action_reset_draft()
        self.assertRecordValues(run, [{"state": "draft", "line_count": 0}])
        # A new date (10 days later: 30 days past due) gives level 2.
        run.date = self.run_date + timedelta(days=10)
        run.action_compute()
        self.assertRecordValues(
            run.line_ids, [{"move_id": invoice.id, "level_id": self.level_2.id}]
        )

    def test_run_reference_follows_run_year(self):
        run = self._new_run(compute=False)
        self.assertRegex(run.name, r"^DUN/2013/\d{4}$")

    @freeze_time("2013-06-30")
    def test_wizard_creates_and_computes_run(self):
        self._create_invoice(self.partner_a, 500.0, 20)
        wizard_form = Form(self.env["credit.dunning.run.wizard"])
        self.assertEqual(str(wizard_form.date), "2013-06-30")
        wizard = wizard_form.save()
        action = wizard.action_create_run()
        run = self.env["credit.dunning.run"].browse(action["res_id"])
        self.assertRecordValues(
            run,
            [{"state": "computed", "company_id": self.company.id, "line_count": 1}],
        )

    @freeze_time("2013-06-30")
    def test_cron_confirms_one_run_per_company_with_something_to_send(self):
        invoice = self._create_invoice(self.partner_a, 500.0, 20)
        Run = self.env["credit.dunning.run"]
        with RecordCapturer(Run, []) as capture:
            Run._cron_dunning_run()
        self.assertRecordValues(
            capture.records,
            [{"company_id": self.company.id, "state": "done", "line_count": 1}],
        )
        self.assertEqual(invoice.credit_dunning_level_id, self.level_1)
        # Nothing new to send the same day: no empty run either.
        with RecordCapturer(Run, []) as capture:
            Run._cron_dunning_run()
        self.assertFalse(capture.records)

    @freeze_time("2013-06-30")
    def test_cron_runs_each_company_on_its_own(self):
        company_2 = self.setup_other_company()["company"]
        inv_1 = self._create_invoice(self.partner_a, 500.0, 20)
        inv_2 = self._create_invoice(self.partner_a, 800.0, 35, company=company_2)
        Run = self.env["credit.dunning.run"]
        with RecordCapturer(Run, []) as capture:
            Run._cron_dunning_run()
        runs = capture.records.sorted(lambda run: run.company_id.id)
        # Company 1: level 1 (20 days); company 2: its level 2 (35 days).
        self.assertRecordValues(
            runs,
            [
                {"company_id": self.company.id, "state": "done", "line_count": 1},
                {"company_id": company_2.id, "state": "done", "line_count": 1},
            ],
        )
        self.assertEqual(runs[0].line_ids.move_id, inv_1)
        self.assertEqual(runs[1].line_ids.move_id, inv_2)
        self.assertEqual(inv_2.credit_dunning_level_id.days_overdue, 30)

    @freeze_time("2013-06-30")
    def test_cron_resumes_an_interrupted_run(self):
        # Yesterday's job stopped after its first batch: partner_a's lines
        # were written, partner_b's not, nothing was sent.
        inv_a = self._create_invoice(self.partner_a, 500.0, 20)
        inv_b = self._create_invoice(self.partner_b, 300.0, 65)
        Run = self.env["credit.dunning.run"]
        run = Run.create(
            {"date": self.run_date, "company_id": self.company.id, "is_scheduled": True}
        )
        rows = Run._get_overdue_invoice_rows(self.company, self.run_date, run=run)
        run._add_lines([row for row in rows if row["partner_id"] == self.partner_a.id])
        with RecordCapturer(Run, []) as capture:
            Run._cron_dunning_run()
        # No second run: the same one went on and sent both.
        self.assertFalse(capture.records)
        self.assertRecordValues(run, [{"state": "done", "line_count": 2}])
        self.assertEqual(inv_a.credit_dunning_level_id, self.level_1)
        self.assertEqual(inv_b.credit_dunning_level_id, self.level_3)

    def test_cron_hands_over_when_time_budget_spent(self):
        # Two customers, one per batch, and a budget spent after the proposal:
        # the call sends nothing more, asks the scheduler for another call,
        # and that call (with time again) finishes the same run.
        self._create_invoice(self.partner_a, 500.0, 20)
        self._create_invoice(self.partner_b, 300.0, 20)
        Run = self.env["credit.dunning.run"]
        cron = self.env.ref("credit_dunning.ir_cron_credit_dunning_run")
        with (
            patch.object(type(Run), "_get_send_batch_size", return_value=1),
            patch.object(type(Run), "_get_time_budget", return_value=0),
            RecordCapturer(
                self.env["ir.cron.trigger"], [("cron_id", "=", cron.id)]
            ) as triggers,
        ):
            Run._cron_dunning_run()
        run = Run.search([("company_id", "=", self.company.id)])
        self.assertEqual(run.state, "sending")
        self.assertEqual(len(triggers.records), 1)
        self.assertEqual(set(run.letter_ids.mapped("send_state")), {"pending"})
        with patch.object(type(Run), "_get_send_batch_size", return_value=1):
            Run._cron_dunning_run()
        self.assertEqual(run.state, "done")
        self.assertEqual(set(run.letter_ids.mapped("send_state")), {"sent"})

    def test_lock_next_partners_in_batches(self):
        self._create_invoice(self.partner_a, 500.0, 20)
        self._create_invoice(self.partner_b, 300.0, 20)
        run = self._new_run()
        # One customer per batch, in id order; sent ones are not taken again.
        first = run._lock_next_partners(1)
        self.assertEqual(len(first), 1)
        run._send_letters(run.letter_ids.filtered(lambda lt: lt.partner_id == first))
        second = run._lock_next_partners(1)
        self.assertEqual(second, (self.partner_a | self.partner_b) - first)

    def test_friendly_reminder_before_due_date(self):
        # Friendly reminder 3 days before the due date, then the usual ladder.
        friendly = self.env["credit.dunning.level"].create(
            {
                "policy_id": self.policy.id,
                "sequence": 1,
                "name": "Friendly reminder",
                "days_overdue": -3,
            }
        )
        # Due in 2 days (-2 >= -3): friendly. Due in 5 days (-5): nothing yet.
        # Due today (0): friendly too, it is not overdue. 12 days late: level 1.
        soon = self._create_invoice(self.partner_a, 100.0, -2)
        self._create_invoice(self.partner_a, 200.0, -5)
        today = self._create_invoice(self.partner_a, 300.0, 0)
        late = self._create_invoice(self.partner_a, 400.0, 12)
        run = self._new_run()
        self.assertEqual(
            sorted((ln.move_id.id, ln.level_id.id) for ln in run.line_ids),
            sorted(
                [
                    (soon.id, friendly.id),
                    (today.id, friendly.id),
                    (late.id, self.level_1.id),
                ]
            ),
        )
        self.assertEqual(
            run.line_ids.filtered(lambda ln: ln.move_id == soon).days_overdue, -2
        )
        run.action_confirm()
        # 10 days later the friendly-reminded invoice (8 days late) waits;
        # 12 days later (10 late) it reaches the first level.
        self.assertFalse(
            self._new_run(
                run_date=self.run_date + timedelta(days=10)
            ).line_ids.filtered(lambda ln: ln.move_id == soon)
        )
        run_12 = self._new_run(run_date=self.run_date + timedelta(days=12))
        self.assertEqual(
            run_12.line_ids.filtered(lambda ln: ln.move_id == soon).level_id,
            self.level_1,
        )

    def test_empty_run_explains_missing_policy(self):
        # An invoice 20 days late, but no default policy and none on the
        # customer: the run is empty and says why.
        self._create_invoice(self.partner_a, 100.0, 20)
        self.company.credit_dunning_policy_id = False
        run = self._new_run()
        self.assertFalse(run.line_ids)
        self.assertTrue(
            run.message_ids.filtered(lambda m: "no default dunning policy" in m.body)
        )
