from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CreditDunningPromise(models.Model):
    """A customer's promise to pay some invoices by a date."""

    _name = "credit.dunning.promise"
    _description = "Promise to Pay"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('parent_id', '=', False)]",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    move_ids = fields.Many2many(
        comodel_name="account.move",
        string="Invoices",
        required=True,
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'),"
        " ('commercial_partner_id', '=', partner_id),"
        " ('payment_state', 'not in', ('paid', 'in_payment', 'reversed'))]",
    )
    amount = fields.Monetary(string="Promised Amount", required=True, tracking=True)
    date = fields.Date(
        string="Promised Date",
        required=True,
        tracking=True,
        help="Reminders of the invoices pause until this date plus the grace days.",
    )
    grace_days = fields.Integer(default=3, tracking=True)
    paused_until = fields.Date(compute="_compute_paused_until")
    amount_residual_start = fields.Monetary(
        string="Due When Promised",
        readonly=True,
        help="What the invoices still owed when the promise was recorded.",
    )
    amount_paid = fields.Monetary(
        string="Paid Since", compute="_compute_state", help="Paid since the promise."
    )
    state = fields.Selection(
        selection=[("open", "Open"), ("kept", "Kept"), ("broken", "Broken")],
        compute="_compute_state",
        help="Kept once the promised amount is paid; broken when the grace "
        "days passed without it.",
    )
    note = fields.Text()

    @api.depends("date", "grace_days")
    def _compute_paused_until(self):
        for promise in self:
            promise.paused_until = promise.date and promise.date + timedelta(
                days=promise.grace_days
            )

    @api.depends("move_ids.amount_residual", "amount", "amount_residual_start")
    @api.depends_context("date")
    def _compute_state(self):
        today = fields.Date.context_today(self)
        for promise in self:
            residual = sum(promise.move_ids.mapped("amount_residual"))
            promise.amount_paid = max(promise.amount_residual_start - residual, 0.0)
            if (
                promise.currency_id.compare_amounts(promise.amount_paid, promise.amount)
                >= 0
            ):
                promise.state = "kept"
            elif promise.paused_until and today > promise.paused_until:
                promise.state = "broken"
            else:
                promise.state = "open"

    @api.depends("partner_id.name", "amount", "date")
    def _compute_display_name(self):
        for promise in self:
            promise.display_name = self.env._(
                "%(customer)s: %(amount)s by %(date)s",
                customer=promise.partner_id.name or "",
                amount=promise.currency_id.format(promise.amount or 0.0),
                date=promise.date or "",
            )

    @api.constrains("amount", "grace_days")
    def _check_amount(self):
        for promise in self:
            if promise.amount <= 0 or promise.grace_days < 0:
                raise ValidationError(
                    self.env._(
                        "Promise of %(customer)s: the amount must be positive and "
                        "the grace days not negative.",
                        customer=promise.partner_id.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        promises = super().create(vals_list)
        for promise in promises:
            promise.amount_residual_start = sum(
                promise.move_ids.mapped("amount_residual")
            )
            body = self.env._(
                "Promise to pay %(amount)s by %(date)s for %(invoices)s: "
                "reminders paused until %(until)s.",
                amount=promise.currency_id.format(promise.amount),
                date=fields.Date.to_string(promise.date),
                invoices=", ".join(promise.move_ids.mapped("name")),
                until=fields.Date.to_string(promise.paused_until),
            )
            promise.partner_id.sudo().message_post(
                body=body, subtype_xmlid="mail.mt_note"
            )
        return promises
