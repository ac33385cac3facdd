from odoo import Command
from odoo.tests import freeze_time, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningCreditHold(DunningCommon):
    """The credit rule "Dunning level reached" and the level option behind it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Printed letters are sent as soon as the run is sent: no mail queue.
        cls.policy.level_ids.channel = "letter"
        cls.level_3.credit_hold = True
        # Run of 2013-06-30: 500.00 due 65 days before reaches the final
        # notice (60 days, credit hold), 200.00 due 40 days before the
        # second reminder (30 days, no hold).
        cls.final_invoice = cls._create_invoice(cls.partner_a, 500.0, 65)
        cls.second_invoice = cls._create_invoice(cls.partner_a, 200.0, 40)
        cls.rule = cls.env["credit.rule"].search(
            [("company_id", "=", cls.company.id), ("rule_type", "=", "dunning_hold")]
        )

    def _hold_result(self, partner=None, company=None):
        decision = (partner or self.partner_a)._credit_evaluate(company or self.company)
        results = [r for r in decision["rules"] if r["rule_type"] == "dunning_hold"]
        self.assertEqual(len(results), 1)
        return results[0], decision

    def _send_run(self, run_date=None):
        run = self._new_run(run_date=run_date)
        run.action_confirm()
        self.assertEqual(run.state, "done")
        return run

    def test_default_rule_per_company(self):
        # Each company, existing or new, has one blocking rule of this type;
        # the install hook run again (module update) adds none, even when
        # the rule was archived.
        self.assertRecordValues(
            self.rule,
            [{"action": "block", "active": True, "name": "Dunning credit hold"}],
        )
        company_2 = self.setup_other_company()["company"]
        Rule = self.env["credit.rule"].with_context(active_test=False)
        domain = [("rule_type", "=", "dunning_hold")]
        self.assertEqual(
            Rule.search(domain + [("company_id", "=", company_2.id)]).action, "block"
        )
        self.rule.active = False
        self.env["res.company"]._credit_dunning_init_hold_rules()
        for company in self.company | company_2:
            self.assertEqual(
                Rule.search_count(domain + [("company_id", "=", company.id)]), 1
            )

    def test_nobody_blocked_until_a_hold_level_is_sent(self):
        # Before any reminder, after a proposal that is not sent, and after
        # sending with the option off: the rule passes, measuring 0 invoices.
        self.level_3.credit_hold = False
        result, decision = self._hold_result()
        self.assertEqual((result["result"], result["value"]), ("pass", 0))
        run = self._new_run()
        self.assertEqual(self._hold_result()[0]["result"], "pass")
        run.action_confirm()
        self.assertEqual(self.final_invoice.credit_dunning_level_id, self.level_3)
        result, decision = self._hold_result()
        self.assertEqual((result["result"], result["value"]), ("pass", 0))
        self.assertEqual(decision["result"], "pass")
        # The option is read when the rule is evaluated: ticking it now puts
        # the customer on hold for the final notice already sent.
        self.level_3.credit_hold = True
        result, decision = self._hold_result()
        self.assertEqual((result["result"], result["value"]), ("block", 1))

    @freeze_time("2013-06-30 09:00:00")
    def test_hold_level_sent_blocks_orders(self):
        self._send_run()
        # Only the final notice holds: the second reminder's invoice is not
        # named, and one invoice is counted.
        result, decision = self._hold_result()
        self.assertEqual(result["result"], "block")
        self.assertEqual(result["value"], 1)
        self.assertEqual(
            result["message"],
            "open invoices reminded at a credit hold level: Final notice sent "
            f"on 06/30/2013 for {self.final_invoice.name}.",
        )
        self.assertEqual(decision["result"], "block")
        # Another customer is not concerned.
        self.assertEqual(self._hold_result(self.partner_b)[0]["result"], "pass")

        # Confirming an order puts it on credit hold, with the level, the
        # invoice and the date.
        order = (
            self.env["sale.order"]
            .sudo()
            .create(
                {
                    "partner_id": self.partner_a.id,
                    "company_id": self.company.id,
                    "order_line": [Command.create({"product_id": self.product_a.id})],
                }
            )
        )
        order.action_confirm()
        self.assertEqual(order.state, "draft")
        hold = order.credit_hold_id
        self.assertEqual(hold.state, "pending")
        self.assertIn(
            "- Dunning credit hold: open invoices reminded at a credit hold "
            f"level: Final notice sent on 06/30/2013 for {self.final_invoice.name}.",
            hold.block_message,
        )
        # Not the limit: releasing it takes authority for the whole order.
        self.assertFalse(hold.limit_blocks_only)

        # Set to warn, the same rule lets the order through.
        self.rule.action = "warn"
        self.assertEqual(self._hold_result()[0]["result"], "warn")
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(hold.state, "cancelled")

    @freeze_time("2013-06-30 09:00:00")
    def test_paid_or_disputed_invoice_releases(self):
        self._send_run()
        # 100.00 of 500.00 paid: 400.00 still open, still on hold.
        self._pay(self.final_invoice, 100.0)
        self.assertEqual(self._hold_result()[0]["result"], "block")
        # Disputed: released; the dispute cleared: on hold again.
        self.final_invoice.credit_dispute = True
        self.assertEqual(self._hold_result()[0]["result"], "pass")
        self.final_invoice.credit_dispute = False
        self.assertEqual(self._hold_result()[0]["result"], "block")
        # The remaining 400.00 paid: released for good.
        self._pay(self.final_invoice, 400.0)
        result = self._hold_result()[0]
        self.assertEqual((result["result"], result["value"]), ("pass", 0))

    def test_queued_email_is_not_a_reminder_sent(self):
        # By email, the final notice waits in the mail queue: not sent yet.
        self.level_3.channel = "email"
        self.partner_a.email = "ap@partner-a.example.com"
        self.company.email = "credit@company.example.com"
        run = self._new_run()
        run.action_confirm()
        final_letter = run.letter_ids.filtered(lambda lt: lt.level_id == self.level_3)
        self.assertEqual(final_letter.send_state, "queued")
        self.assertEqual(self._hold_result()[0]["result"], "pass")

    def test_contact_invoice_later_run_and_other_company(self):
        # Two hold levels; invoices of a contact count for its company.
        self.level_2.credit_hold = True
        contact = self.env["res.partner"].create(
            {"name": "A's accountant", "parent_id": self.partner_a.id}
        )
        self.partner_a.is_company = True
        contact_invoice = self._create_invoice(contact, 300.0, 35)
        with freeze_time("2013-06-30 09:00:00"):
            self._send_run()
        # 2013-06-30: the final notice for the 500.00 (65 days), second
        # reminders for the 200.00 (40 days) and the contact's 300.00 (35).
        # A month later, 2013-07-30, the 200.00 is 70 days late: final
        # notice; the 300.00, 65 days late, too. Each invoice is named once,
        # at its highest hold level, with the day that reminder was sent.
        with freeze_time("2013-07-30 09:00:00"):
            self._send_run(run_date=self.run_date.replace(month=7))
        result = self._hold_result(contact)[0]
        self.assertEqual(result["value"], 3)
        second_names = ", ".join(
            move.name
            for move in (self.second_invoice | contact_invoice).sorted(
                "invoice_date_due"
            )
        )
        self.assertEqual(
            result["message"],
            "open invoices reminded at a credit hold level: Final notice sent "
            f"on 06/30/2013 for {self.final_invoice.name}; Final notice sent "
            f"on 07/30/2013 for {second_names}.",
        )
        # The rule of another company reads that company's reminders only.
        company_2 = self.setup_other_company()["company"]
        result = self._hold_result(company=company_2)[0]
        self.assertEqual((result["result"], result["value"]), ("pass", 0))
