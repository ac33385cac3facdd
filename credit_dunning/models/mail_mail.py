from odoo import models


class MailMail(models.Model):
    """Report the outcome of a dunning email back to its letter."""

    _inherit = "mail.mail"

    def _postprocess_sent_message(
        self, success_pids, failure_reason=False, failure_type=None
    ):
        # Before super: an auto-deleted mail would be gone afterwards.
        dunning_mails = self.filtered(
            lambda mail: mail.model == "credit.dunning.letter"
        )
        letters = (
            self.env["credit.dunning.letter"]
            .sudo()
            .search(
                [("mail_id", "in", dunning_mails.ids), ("send_state", "=", "queued")]
            )
            if dunning_mails
            else self.env["credit.dunning.letter"]
        )
        for letter in letters:
            if failure_type or letter.mail_id.state == "exception":
                letter._set_error(
                    "exception", failure_reason or letter.mail_id.failure_reason
                )
            else:
                letter._mark_sent()
        letters.run_id._update_sending_state()
        return super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )
