from datetime import timedelta

from odoo import api, fields, models

from .account_move import DUE_SOON_MIN_AMOUNT

# An invoice overdue for longer than this when the job first sees it (say,
# right after installation or after the job was stopped for weeks) is left
# to dunning rather than alerted late.
OVERDUE_ALERT_LOOKBACK_DAYS = 30


class AccountMove(models.Model):
    """Large customer invoices alert their credit controller once overdue."""

    _inherit = "account.move"

    credit_overdue_alert_date = fields.Date(
        string="Overdue Alert Sent",
        readonly=True,
        copy=False,
        groups="account.group_account_invoice",
        help="Day the credit controller was alerted that this large invoice "
        "became overdue; it is never alerted again.",
    )

    def _credit_get_controller(self, controllers=None):
        """Return the credit controller who follows this invoice: its
        salesperson when a credit controller, else the controller of the
        customer (see ``res.partner._credit_get_controller``)."""
        self.ensure_one()
        return self.commercial_partner_id._credit_get_controller(
            self.company_id,
            preferred=self.invoice_user_id,
            controllers=controllers,
        )

    @api.model
    def _credit_alert_overdue(self, company, today=None, min_amount=None, days=None):
        """Alert on each open customer invoice of ``company`` whose open amount
        in company currency is at least ``min_amount`` and which is overdue on
        ``today`` (due before it), at most ``days`` days: a to-do for its
        credit controller and a note in its chatter. Return the invoices
        alerted.

        ``min_amount`` defaults to the due-soon alert's amount (system
        parameter ``credit_reports.due_soon_min_amount``), ``days`` to the
        parameter ``credit_reports.overdue_alert_days`` (30). An invoice is
        alerted once: the day is kept in ``credit_overdue_alert_date``.
        """
        params = self.env["ir.config_parameter"].sudo()
        today = fields.Date.to_date(today) or fields.Date.context_today(self)
        if min_amount is None:
            min_amount = float(
                params.get_param(
                    "credit_reports.due_soon_min_amount", DUE_SOON_MIN_AMOUNT
                )
            )
        if days is None:
            days = int(
                params.get_param(
                    "credit_reports.overdue_alert_days", OVERDUE_ALERT_LOOKBACK_DAYS
                )
            )
        invoices = self.search(
            [
                ("company_id", "child_of", company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", "<", today),
                ("invoice_date_due", ">=", today - timedelta(days=days)),
                ("amount_residual_signed", ">=", min_amount),
                ("credit_overdue_alert_date", "=", False),
            ],
            order="invoice_date_due, id",
        )
        if not invoices:
            return invoices
        # Mark first: whatever happens next, an invoice is never alerted twice.
        invoices.write({"credit_overdue_alert_date": today})
        summary = self.env._("Large invoice overdue")
        controllers = {}
        for invoice in invoices:
            if invoice.company_id not in controllers:
                controllers[invoice.company_id] = self.env[
                    "res.partner"
                ]._credit_get_company_controllers(invoice.company_id)
            user = invoice._credit_get_controller(controllers[invoice.company_id])
            text = self.env._(
                "%(invoice)s of %(partner)s is overdue since %(due)s "
                "(%(days)s day(s)) with %(amount)s still open.",
                invoice=invoice.name,
                partner=invoice.commercial_partner_id.display_name,
                due=invoice.invoice_date_due,
                days=(today - invoice.invoice_date_due).days,
                amount=invoice.currency_id.format(invoice.amount_residual),
            )
            invoice.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=today,
                summary=summary,
                note=text,
                user_id=user.id,
            )
            invoice.message_post(body=text, subtype_xmlid="mail.mt_note")
        return invoices

    @api.model
    def _cron_credit_alert_overdue(self):
        for company in self.env["res.company"].search([("parent_id", "=", False)]):
            self._credit_alert_overdue(company)
