from datetime import timedelta

from odoo.tests import Form, freeze_time, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningPause(DunningCommon):
    """Disputes, customer exclusions and promises to pay stop reminders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Chatter notes are part of what is checked here.
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        # 20 days late: first reminder, 600 due.
        cls.invoice = cls._create_invoice(cls.partner_a, 600.0, 20)

    def test_disputed_invoice_leaves_dunning_and_is_tracked(self):
        self.invoice.write(
            {"credit_dispute": True, "credit_dispute_reason": "Wrong quantity"}
        )
        self.assertFalse(self._new_run().line_ids)
        # TODO: assert the tracking message itself; account.move's tracking
        # is not flushed in this test setup.
        self.assertTrue(self.invoice._fields["credit_dispute"].tracking)
        self.invoice.credit_dispute = False
        self.assertEqual(self._new_run().line_ids.move_id, self.invoice)

    def test_customer_excluded_until_a_date(self):
        partner = self.partner_a.with_company(self.company)
        with Form(partner) as partner_form:
            partner_form.credit_dunning_excluded_until = self.run_date
            partner_form.credit_dunning_exclusion_reason = "Restructuring talks"
        # Excluded up to and including the run date: nothing.
        self.assertFalse(self._new_run().line_ids)
        note = self.partner_a.message_ids[:1]
        self.assertIn("Reminders paused", note.body)
        self.assertIn("Restructuring talks", note.body)
        # The day after, reminders resume.
        run = self._new_run(run_date=self.run_date + timedelta(days=1))
        self.assertEqual(run.line_ids.move_id, self.invoice)

    def test_exclusion_is_per_company(self):
        company_2 = self.setup_other_company()["company"]
        self.partner_a.with_company(
            company_2
        ).credit_dunning_excluded_until = self.run_date
        self.assertEqual(self._new_run().line_ids.move_id, self.invoice)

    def _promise(self, days_before_run, grace_days=3, amount=600.0):
        return self.env["credit.dunning.promise"].create(
            {
                "partner_id": self.partner_a.id,
                "move_ids": [(6, 0, self.invoice.ids)],
                "amount": amount,
                "date": self.run_date - timedelta(days=days_before_run),
                "grace_days": grace_days,
            }
        )

    def test_promise_pauses_until_date_plus_grace(self):
        # Promised 2 days before the run, 3 grace days: paused until the day
        # after the run date.
        promise = self._promise(2)
        self.assertEqual(promise.paused_until, self.run_date + timedelta(days=1))
        self.assertFalse(self._new_run().line_ids)
        self.assertIn("Promise to pay", self.partner_a.message_ids[:1].body)
        # Two days after the run date, the pause is over.
        run = self._new_run(run_date=self.run_date + timedelta(days=2))
        self.assertEqual(run.line_ids.move_id, self.invoice)

    def test_promise_states(self):
        # Promised 600 on 2013-06-25, 3 grace days: until 2013-06-28.
        promise = self._promise(5)
        with freeze_time("2013-06-27"):
            promise.invalidate_recordset(["state"])
            self.assertEqual(promise.state, "open")
        with freeze_time("2013-06-30"):
            promise.invalidate_recordset(["state"])
            self.assertEqual(promise.state, "broken")
            # Paying the 600 keeps it, even late.
            self._pay(self.invoice, 600.0)
            promise.invalidate_recordset(["state", "amount_paid"])
            self.assertRecordValues(promise, [{"state": "kept", "amount_paid": 600.0}])

    def test_partly_paid_promise_is_not_kept(self):
        # 250 of the 600 promised paid: still open within the grace days.
        promise = self._promise(0)
        self._pay(self.invoice, 250.0)
        with freeze_time("2013-06-30"):
            promise.invalidate_recordset(["state", "amount_paid"])
            self.assertRecordValues(promise, [{"state": "open", "amount_paid": 250.0}])

    def test_dispute_history_kept(self):
        # Marked disputed once, the invoice stays "ever disputed" after the
        # dispute is cleared.
        self.assertFalse(self.invoice.credit_disputed_once)
        self.invoice.credit_dispute = True
        self.invoice.credit_dispute = False
        self.assertTrue(self.invoice.credit_disputed_once)

    def test_history_import_keeps_disputes(self):
        # Two rows of a history file, the second disputed (Yes), both still
        # open on 2013-03-31: the disputed one is kept as history only, its
        # reminders are not paused (the file does not say when).
        header = (
            "countrycode,customerID,PaperlessDate,invoiceNumber,InvoiceDate,"
            "DueDate,InvoiceAmount,Disputed,SettledDate,PaperlessBill,"
            "DaysToSettle,DaysLate"
        )
        rows = (
            "770,DISP-A,01/01/2013,D-1,05/01/2013,04/02/2013,100.00,No,"
            "20/04/2013,Paper,105,75",
            "770,DISP-A,01/01/2013,D-2,06/01/2013,05/02/2013,80.00,Yes,"
            "20/04/2013,Paper,104,74",
        )
        self.env.user.groups_id += self.env.ref(
            "credit_management.group_credit_manager"
        )
        self.env["credit.history.import"]._import_csv(
            "\n".join((header, *rows)) + "\n", self.company, "2013-03-31"
        )
        invoices = self.env["account.move"].search(
            [("ref", "in", ["D-1", "D-2"]), ("company_id", "=", self.company.id)],
            order="ref",
        )
        self.assertEqual(invoices.mapped("credit_disputed_once"), [False, True])
        self.assertEqual(invoices.mapped("credit_dispute"), [False, False])
