from datetime import datetime

from odoo.addons.base.models.ir_mail_server import MailDeliveryException
from odoo.addons.mail.tests.common import MailCase
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningSend(DunningCommon, MailCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.email = "credit@company.example.com"
        cls.partner_a.email = "payables@partner-a.example.com"
        cls.partner_b.email = "ap@partner-b.example.com"
        # 1,000 with 400 paid, 20 days late: first reminder (email) for 600.
        cls.invoice_a = cls._create_invoice(cls.partner_a, 1000.0, 20)
        cls._pay(cls.invoice_a, 400.0)
        # 300, 35 days late: second reminder (email) for 300.
        cls.invoice_b = cls._create_invoice(cls.partner_b, 300.0, 35)

    def _letter_of(self, run, partner):
        return run.letter_ids.filtered(lambda letter: letter.partner_id == partner)

    def test_blacklisted_address_is_an_error_and_offers_a_letter(self):
        self.env["mail.blacklist"].sudo()._add(self.partner_a.email)
        run = self._new_run()
        run.action_confirm()
        letter = self._letter_of(run, self.partner_a)
        self.assertRecordValues(
            letter,
            [{"send_state": "error", "error_reason": "blacklisted", "mail_id": False}],
        )
        self.assertEqual(letter.line_ids.send_state, "error")
        # The level is not advanced: the customer was not reminded.
        self.assertFalse(self.invoice_a.credit_dunning_level_id)
        # partner_b was emailed meanwhile: the run waits on the mail queue.
        self.assertEqual(run.state, "sending")
        self.assertEqual(run.error_count, 1)

        # The letter is offered by post: printing it counts as sent.
        action = letter.with_context(discard_logo_check=True).action_send_by_post()
        self.assertEqual(action["report_name"], "credit_dunning.report_dunning_letter")
        self.assertRecordValues(
            letter, [{"send_state": "sent", "channel": "letter", "error_reason": False}]
        )
        self.assertEqual(self.invoice_a.credit_dunning_level_id, self.level_1)

    @freeze_time("2013-06-30 08:15:00")
    def test_two_emails_through_the_mail_queue(self):
        run = self._new_run()
        run.action_confirm()
        letter_a = self._letter_of(run, self.partner_a)
        letter_b = self._letter_of(run, self.partner_b)
        letters = letter_a | letter_b
        # Queued, not sent: levels wait for the mail queue.
        self.assertEqual(letters.mapped("send_state"), ["queued", "queued"])
        self.assertEqual(run.state, "sending")
        self.assertFalse(self.invoice_a.credit_dunning_level_id)
        mails = letters.mail_id
        self.assertEqual(len(mails), 2)
        self.assertEqual(mails.mapped("state"), ["outgoing", "outgoing"])
        # Each email carries its letter as attachment, addressed to the
        # customer and listing the invoice with its residual.
        self.assertEqual(letter_a.mail_id.recipient_ids, self.partner_a)
        self.assertEqual(len(letter_a.mail_id.attachment_ids), 1)
        self.assertIn("First reminder", letter_a.mail_id.subject)
        self.assertIn(self.invoice_a.name, letter_a.mail_id.body_html)
        self.assertIn("600.00", letter_a.mail_id.body_html)
        self.assertIn("Second reminder", letter_b.mail_id.subject)

        with self.mock_mail_gateway():
            self.env["mail.mail"].sudo().process_email_queue(ids=mails.ids)
        self.assertEqual(
            sorted(mail["email_to"][0] for mail in self._mails),
            [
                '"partner_a" <payables@partner-a.example.com>',
                '"partner_b" <ap@partner-b.example.com>',
            ],
        )
        self.assertRecordValues(
            letters,
            [
                {"send_state": "sent", "sent_date": datetime(2013, 6, 30, 8, 15)},
                {"send_state": "sent", "sent_date": datetime(2013, 6, 30, 8, 15)},
            ],
        )
        self.assertEqual(letters.line_ids.mapped("send_state"), ["sent", "sent"])
        self.assertEqual(self.invoice_a.credit_dunning_level_id, self.level_1)
        self.assertEqual(self.invoice_b.credit_dunning_level_id, self.level_2)
        self.assertEqual(run.state, "done")

    def test_failed_email_keeps_level_and_can_be_retried(self):
        run = self._new_run()
        run.action_confirm()
        letter = self._letter_of(run, self.partner_a)
        # The SMTP server refuses the message.
        with self.mock_mail_gateway():

            def _refuse(*args, **kwargs):
                raise MailDeliveryException("550 Mailbox unavailable")

            self.send_email_mocked.side_effect = _refuse
            with mute_logger("odoo.addons.mail.models.mail_mail"):
                letter.mail_id.send(raise_exception=False)
        self.assertRecordValues(
            letter,
            [
                {
                    "send_state": "error",
                    "error_reason": "exception",
                    "error_message": "550 Mailbox unavailable",
                }
            ],
        )
        self.assertFalse(self.invoice_a.credit_dunning_level_id)
        # Retried: a new email is queued, then sent.
        letter.action_retry()
        self.assertEqual(letter.send_state, "queued")
        with self.mock_mail_gateway():
            letter.mail_id.send()
        self.assertEqual(letter.send_state, "sent")
        self.assertEqual(self.invoice_a.credit_dunning_level_id, self.level_1)

    def test_bounce_restores_previous_level(self):
        run = self._new_run()
        run.action_confirm()
        letter = self._letter_of(run, self.partner_a)
        with self.mock_mail_gateway():
            letter.mail_id.send()
        self.assertEqual(self.invoice_a.credit_dunning_level_id, self.level_1)
        # The bounce comes back through the mail gateway's routing, which
        # calls the letter's hook.
        letter._message_receive_bounce(self.partner_a.email, self.partner_a)
        self.assertRecordValues(
            letter, [{"send_state": "error", "error_reason": "bounced"}]
        )
        self.assertEqual(letter.line_ids.send_state, "error")
        self.assertFalse(self.invoice_a.credit_dunning_level_id)
        # The next run may propose the reminder again.
        self.assertEqual(self._new_run().line_ids.move_id, self.invoice_a)

    def test_customer_without_email_gets_a_printed_letter(self):
        self.partner_a.email = False
        run = self._new_run()
        run.action_confirm()
        letter = self._letter_of(run, self.partner_a)
        self.assertRecordValues(
            letter, [{"send_state": "sent", "channel": "letter", "mail_id": False}]
        )
        self.assertEqual(self.invoice_a.credit_dunning_level_id, self.level_1)

    def test_invoicing_contact_receives_the_email(self):
        contact = self.env["res.partner"].create(
            {
                "name": "Accounts Payable",
                "type": "invoice",
                "parent_id": self.partner_a.id,
                "email": "invoices@partner-a.example.com",
            }
        )
        run = self._new_run()
        run.action_confirm()
        self.assertEqual(
            self._letter_of(run, self.partner_a).mail_id.recipient_ids, contact
        )

    def test_phone_level_schedules_call_for_named_user(self):
        caller = self.env["res.users"].create(
            {"name": "Collections Caller", "login": "dun_caller"}
        )
        self.level_2.write({"channel": "phone", "activity_user_id": caller.id})
        run = self._new_run()
        run.action_confirm()
        letter = self._letter_of(run, self.partner_b)
        self.assertRecordValues(letter, [{"send_state": "sent", "channel": "phone"}])
        activity = self.partner_b.activity_ids
        self.assertRecordValues(
            activity,
            [
                {
                    "user_id": caller.id,
                    "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                    "date_deadline": self.run_date,
                }
            ],
        )
        # 300.00 past due on one invoice.
        self.assertIn("$\xa0300.00", activity.summary)
        self.assertEqual(self.invoice_b.credit_dunning_level_id, self.level_2)

    def test_email_in_customer_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.partner_a.lang = "fr_FR"
        self.level_1.with_context(lang="fr_FR").name = "Premier rappel"
        run = self._new_run()
        run.action_confirm()
        mail = self._letter_of(run, self.partner_a).mail_id
        self.assertIn("Premier rappel", mail.subject)
        # French number format: 600,00.
        self.assertIn("600,00", mail.body_html)
