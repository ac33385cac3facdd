from psycopg2 import IntegrityError

from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningReview(DunningCommon):
    """Review before sending, and the guards against reminding twice.

    The customers have no email address: reminders go as printed letters,
    which count as sent as soon as the run is sent.
    """

    def test_controller_skips_a_line_and_adds_a_note(self):
        # Both 20 days late: one first-reminder letter for 500 + 200 = 700.
        skipped = self._create_invoice(self.partner_a, 500.0, 20)
        kept = self._create_invoice(self.partner_a, 200.0, 20)
        run = self._new_run()
        self.assertEqual(run.letter_ids.amount_total, 700.0)
        run.action_review()
        self.assertEqual(run.state, "review")
        line_skipped = run.line_ids.filtered(lambda ln: ln.move_id == skipped)
        line_skipped.action_skip()
        with Form(run) as run_form:
            index = run.line_ids.ids.index(
                run.line_ids.filtered(lambda ln: ln.move_id == kept).id
            )
            with run_form.line_ids.edit(index) as line_form:
                line_form.note = "Promised by phone, remind anyway"
        # The letter now lists 200 only.
        self.assertEqual(run.letter_ids.amount_total, 200.0)
        run.action_confirm()
        self.assertEqual(run.state, "done")
        self.assertEqual(line_skipped.send_state, "skipped")
        self.assertFalse(skipped.credit_dunning_level_id)
        self.assertEqual(kept.credit_dunning_level_id, self.level_1)
        self.assertEqual(
            run.line_ids.filtered(lambda ln: ln.move_id == kept).note,
            "Promised by phone, remind anyway",
        )
        # The skipped invoice is proposed again by the next run.
        self.assertEqual(self._new_run().line_ids.move_id, skipped)

    def test_controller_changes_the_level_of_a_line(self):
        # 20 days late: level 1 proposed; the controller escalates to level 2.
        invoice = self._create_invoice(self.partner_a, 500.0, 20)
        run = self._new_run()
        first_letter = run.letter_ids
        run.action_review()
        with Form(run) as run_form:
            with run_form.line_ids.edit(0) as line_form:
                line_form.level_id = self.level_2
        # The line moved to a letter of the second level; the first,
        # left empty, is gone.
        self.assertFalse(first_letter.exists())
        self.assertRecordValues(
            run.letter_ids, [{"level_id": self.level_2.id, "amount_total": 500.0}]
        )
        run.action_confirm()
        self.assertEqual(invoice.credit_dunning_level_id, self.level_2)

    def _send_after(self, change):
        """Propose a 500 invoice 20 days late, apply ``change``, then send."""
        invoice = self._create_invoice(self.partner_a, 500.0, 20)
        run = self._new_run()
        run.action_review()
        change(invoice)
        run.action_confirm()
        return invoice, run

    def test_invoice_paid_since_proposal_is_cancelled(self):
        invoice, run = self._send_after(lambda inv: self._pay(inv, 500.0))
        self.assertRecordValues(
            run.line_ids, [{"send_state": "cancelled", "cancel_reason": "paid"}]
        )
        self.assertEqual(run.letter_ids.send_state, "skipped")
        self.assertFalse(invoice.credit_dunning_level_id)

    def test_invoice_credited_since_proposal_is_cancelled(self):
        invoice, run = self._send_after(lambda inv: inv._reverse_moves(cancel=True))
        self.assertRecordValues(
            run.line_ids, [{"send_state": "cancelled", "cancel_reason": "credited"}]
        )
        self.assertFalse(invoice.credit_dunning_level_id)

    def test_invoice_reset_to_draft_since_proposal_is_cancelled(self):
        invoice, run = self._send_after(lambda inv: inv.button_draft())
        self.assertRecordValues(
            run.line_ids, [{"send_state": "cancelled", "cancel_reason": "draft"}]
        )
        self.assertFalse(invoice.credit_dunning_level_id)

    def test_invoice_disputed_since_proposal_is_cancelled(self):
        def dispute(invoice):
            invoice.write(
                {"credit_dispute": True, "credit_dispute_reason": "Goods damaged"}
            )

        invoice, run = self._send_after(dispute)
        self.assertRecordValues(
            run.line_ids, [{"send_state": "cancelled", "cancel_reason": "disputed"}]
        )
        self.assertFalse(invoice.credit_dunning_level_id)
        # While disputed, no run proposes it.
        self.assertFalse(self._new_run().line_ids)

    def test_partial_payment_since_proposal_updates_the_amount(self):
        # 1,000 proposed; 250 paid before sending: the letter asks for 750.
        invoice = self._create_invoice(self.partner_a, 1000.0, 20)
        run = self._new_run()
        self._pay(invoice, 250.0)
        run.action_confirm()
        self.assertRecordValues(
            run.line_ids, [{"send_state": "sent", "amount_residual": 750.0}]
        )
        self.assertEqual(run.letter_ids.amount_total, 750.0)

    def test_interrupted_compute_started_again(self):
        # Three customers' invoices; the first batch (partner_a) was written
        # before the computation stopped.
        invoices = (
            self._create_invoice(self.partner_a, 100.0, 20)
            | self._create_invoice(self.partner_a, 200.0, 35)
            | self._create_invoice(self.partner_b, 300.0, 65)
        )
        contact_c = self.env["res.partner"].create({"name": "partner_c"})
        invoices |= self._create_invoice(contact_c, 400.0, 12)
        run = self._new_run(compute=False)
        rows = run._get_overdue_invoice_rows(self.company, self.run_date, run=run)
        run._add_lines([row for row in rows if row["partner_id"] == self.partner_a.id])
        self.assertEqual(len(run.line_ids), 2)

        # Started again: the missing lines are added, none twice.
        run.action_compute()
        self.assertEqual(
            sorted((ln.move_id.id, ln.level_id.id) for ln in run.line_ids),
            sorted(
                zip(
                    invoices.ids,
                    [
                        self.level_1.id,
                        self.level_2.id,
                        self.level_3.id,
                        self.level_1.id,
                    ],
                    strict=True,
                )
            ),
        )
        # partner_a: 2 letters (levels 1 and 2), partner_b 1, partner_c 1.
        self.assertEqual(len(run.letter_ids), 4)
        # Another run the same day finds nothing new.
        self.assertFalse(self._new_run().line_ids)

    def test_one_pending_line_per_invoice_and_level(self):
        self._create_invoice(self.partner_a, 100.0, 20)
        run = self._new_run()
        line = run.line_ids
        other = self._new_run(compute=False)
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                line.copy({"run_id": other.id})
