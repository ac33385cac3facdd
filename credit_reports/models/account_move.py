from datetime import timedelta

from odoo import api, fields, models

DUE_SOON_DAYS = 7
DUE_SOON_MIN_AMOUNT = 1000.0


class AccountMove(models.Model):
    """Customer invoices warn their follower before they fall due."""

    _inherit = "account.move"

    @api.model
    def _credit_alert_due_soon(self, company, today=None, days=None, min_amount=None):
        """Schedule a to-do on each open customer invoice of ``company`` that
        falls due within ``days`` days from ``today`` (today included) and
        whose open amount in company currency is at least ``min_amount``;
        return the invoices alerted.

        Defaults come from the system parameters
        ``credit_reports.due_soon_days`` and
        ``credit_reports.due_soon_min_amount``. An invoice that already has
        the alert is not alerted again.
        """
        params = self.env["ir.config_parameter"].sudo()
        today = fields.Date.to_date(today) or fields.Date.context_today(self)
        if days is None:
            days = int(params.get_param("credit_reports.due_soon_days", DUE_SOON_DAYS))
        if min_amount is None:
            min_amount = float(
                params.get_param(
                    "credit_reports.due_soon_min_amount", DUE_SOON_MIN_AMOUNT
                )
            )
        summary = self.env._("Invoice falls due soon")
        invoices = self.search(
            [
                ("company_id", "child_of", company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", ">=", today),
                ("invoice_date_due", "<=", today + timedelta(days=days)),
                ("amount_residual_signed", ">=", min_amount),
            ]
        )
        alerted = invoices.filtered(
            lambda move: summary not in move.activity_ids.mapped("summary")
        )
        for invoice in alerted:
            invoice.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=invoice.invoice_date_due,
                summary=summary,
                note=self.env._(
                    "%(invoice)s of %(partner)s: %(amount)s open, due on "
                    "%(due)s. A call before then may secure the payment.",
                    invoice=invoice.name,
                    partner=invoice.commercial_partner_id.display_name,
                    amount=invoice.currency_id.format(invoice.amount_residual),
                    due=invoice.invoice_date_due,
                ),
                user_id=(invoice.invoice_user_id or self.env.user).id,
            )
        return alerted

    @api.model
    def _cron_credit_alert_due_soon(self):
        for company in self.env["res.company"].search([("parent_id", "=", False)]):
            self._credit_alert_due_soon(company)
