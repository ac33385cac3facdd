from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..models.credit_aging_line import AGING_BUCKETS


class CreditStatementWizard(models.TransientModel):
    """Print or send a customer's statement of account for a period."""

    _name = "credit.statement.wizard"
    _description = "Send Customer Statement"
    _check_company_auto = True

    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        default=lambda self: self.env.company,
    )
    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: fields.Date.context_today(self) - timedelta(days=30),
        help="Payments received from this day on are listed.",
    )
    date_to = fields.Date(
        string="To",
        required=True,
        default=fields.Date.context_today,
        help="Open items are shown as they stood at the end of this day.",
    )

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise ValidationError(
                    self.env._(
                        "The statement of %(partner)s starts after it ends.",
                        partner=wizard.partner_id.display_name,
                    )
                )

    def action_print(self):
        self.ensure_one()
        return self.env.ref(
            "credit_reports.action_report_customer_statement"
        ).report_action(self)

    def action_send(self):
        """Post the statement PDF on the customer, which e-mails it to them."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        if not partner.email:
            raise UserError(
                self.env._(
                    "Customer %(partner)s has no e-mail address to send the "
                    "statement to.",
                    partner=partner.display_name,
                )
            )
        content, _type = self.env["ir.actions.report"]._render_qweb_pdf(
            "credit_reports.action_report_customer_statement", self.ids
        )
        name = self._get_report_name()
        partner.message_post(
            body=self.env._(
                "Statement of account from %(start)s to %(end)s.",
                start=self.date_from,
                end=self.date_to,
            ),
            subject=name,
            partner_ids=partner.ids,
            attachments=[(f"{name}.pdf", content)],
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        return {"type": "ir.actions.act_window_close"}

    def _get_report_name(self):
        return self.env._(
            "Statement %(partner)s %(date)s",
            partner=self.partner_id.commercial_partner_id.display_name,
            date=self.date_to,
        )

    def _get_open_items(self):
        """Return the customer's receivable items open at the end of
        ``date_to``, in their own currency, oldest due first."""
        partner = self.partner_id.commercial_partner_id
        companies = (
            self.env["res.company"]
            .sudo()
            .search([("id", "child_of", self.company_id.id)])
        )
        for model in ("account.move.line", "account.move", "account.partial.reconcile"):
            self.env[model].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT item.* FROM (
                    SELECT aml.id, aml.move_id, aml.currency_id,
                           COALESCE(aml.date_maturity, aml.date) AS due,
                           ROUND(aml.amount_currency
                               - COALESCE((SELECT SUM(p.debit_amount_currency)
                                             FROM account_partial_reconcile p
                                            WHERE p.debit_move_id = aml.id
                                              AND p.max_date <= %(date)s), 0)
                               + COALESCE((SELECT SUM(p.credit_amount_currency)
                                             FROM account_partial_reconcile p
                                            WHERE p.credit_move_id = aml.id
                                              AND p.max_date <= %(date)s), 0),
                               currency.decimal_places) AS residual
                      FROM account_move_line aml
                      JOIN account_account account
                        ON account.id = aml.account_id
                      JOIN res_currency currency ON currency.id = aml.currency_id
                      JOIN res_partner partner ON partner.id = aml.partner_id
                     WHERE account.account_type = 'asset_receivable'
                       AND aml.parent_state = 'posted'
                       AND aml.company_id IN %(company_ids)s
                       AND partner.commercial_partner_id = %(partner_id)s
                       AND aml.date <= %(date)s
                ) item
                WHERE item.residual != 0
                ORDER BY item.due, item.id
                """,
                date=self.date_to,
                company_ids=tuple(companies.ids),
                partner_id=partner.id,
            )
        )
        return self.env.cr.dictfetchall()

    def _get_statement_data(self):
        """Return one section per currency: open items with their residual
        and days late, the aging of those items, and the payments received
        in the period, with totals."""
        self.ensure_one()
        sections = {}

        def section(currency):
            return sections.setdefault(
                currency,
                {
                    "currency": currency,
                    "items": [],
                    "total": 0.0,
                    "aging": dict.fromkeys((key for key, _l in AGING_BUCKETS), 0.0),
                    "payments": [],
                    "payments_total": 0.0,
                },
            )

        # 1. Open items, aged on their due date.
        for row in self._get_open_items():
            currency = self.env["res.currency"].browse(row["currency_id"])
            days = (self.date_to - row["due"]).days
            data = section(currency)
            data["items"].append(
                {
                    "move": self.env["account.move"].browse(row["move_id"]),
                    "due": row["due"],
                    "days_late": max(days, 0),
                    "residual": float(row["residual"]),
                }
            )
            data["total"] += float(row["residual"])
            data["aging"][self._get_bucket(days)] += float(row["residual"])

        # 2. Payments received in the period.
        payments = self.env["account.payment"].search(
            [
                ("partner_id", "child_of", self.partner_id.commercial_partner_id.id),
                ("company_id", "child_of", self.company_id.id),
                ("partner_type", "=", "customer"),
                ("payment_type", "=", "inbound"),
                ("state", "not in", ("draft", "canceled", "rejected")),
                ("date", ">=", self.date_from),
                ("date", "<=", self.date_to),
            ],
            order="date, id",
        )
        for payment in payments:
            data = section(payment.currency_id)
            data["payments"].append(payment)
            data["payments_total"] += payment.amount
        # The company currency first: most customers have nothing else.
        company_currency = self.company_id.currency_id
        return sorted(
            sections.values(),
            key=lambda s: (s["currency"] != company_currency, s["currency"].name),
        )

    @api.model
    def _get_bucket(self, days_overdue):
        if days_overdue <= 0:
            return "current"
        if days_overdue <= 30:
            return "1_30"
        if days_overdue <= 60:
            return "31_60"
        if days_overdue <= 90:
            return "61_90"
        return "90_plus"

    @api.model
    def _get_aging_buckets(self):
        """Return the aging buckets as (key, label in the context's language)."""
        field = self.env["credit.aging.line"]._fields["bucket"]
        return field._description_selection(self.env)

    def _get_report_base_filename(self):
        """File name of the PDF downloaded from the portal."""
        self.ensure_one()
        return self._get_report_name()
