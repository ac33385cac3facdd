from odoo import api, fields, models
from odoo.exceptions import UserError


class CreditHoldRequest(models.TransientModel):
    """The salesperson explains why a held order should be released."""

    _name = "credit.hold.request"
    _description = "Credit Release Request"

    hold_id = fields.Many2one(
        comodel_name="credit.hold", required=True, ondelete="cascade"
    )
    order_id = fields.Many2one(related="hold_id.order_id")
    partner_id = fields.Many2one(related="hold_id.partner_id")
    block_message = fields.Text(related="hold_id.block_message")
    breakdown_html = fields.Html(related="hold_id.breakdown_html")
    requested = fields.Boolean(related="hold_id.requested")
    comment = fields.Text()

    @api.model
    def _action_open(self, hold):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Hold %(hold)s", hold=hold.name),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {"default_hold_id": hold.id},
        }

    def action_request(self):
        self.ensure_one()
        self.hold_id._request_release(self.comment)
        return {"type": "ir.actions.act_window_close"}


class CreditHoldDecision(models.TransientModel):
    """A credit controller approves or rejects held orders, saying why."""

    _name = "credit.hold.decision"
    _description = "Credit Hold Decision"

    hold_ids = fields.Many2many(comodel_name="credit.hold", required=True)
    hold_count = fields.Integer(compute="_compute_hold_count")
    currency_id = fields.Many2one(related="hold_ids.currency_id")
    reason = fields.Text(required=True)
    approved_amount = fields.Monetary(
        currency_field="currency_id",
        compute="_compute_approved_amount",
        store=True,
        readonly=False,
        help="The order may be confirmed up to this total. Empty or zero on "
        "several holds: each order's own amount.",
    )
    release_expiry = fields.Date(
        string="Release Valid Until",
        help="Empty: the company's release validity from today.",
    )

    @api.depends("hold_ids")
    def _compute_hold_count(self):
        for wizard in self:
            wizard.hold_count = len(wizard.hold_ids)

    @api.depends("hold_ids")
    def _compute_approved_amount(self):
        for wizard in self:
            wizard.approved_amount = (
                wizard.hold_ids.order_amount if len(wizard.hold_ids) == 1 else 0.0
            )

    def _check_holds(self):
        # Holds hidden by the record rules (another company) drop out of the
        # wizard: say so rather than close as if it had worked.
        if not self.hold_ids:
            raise UserError(self.env._("There is no credit hold you may decide."))

    def action_approve(self):
        self.ensure_one()
        self._check_holds()
        amount = self.approved_amount or None
        escalated = self.hold_ids._approve(
            self.reason, approved_amount=amount, expiry=self.release_expiry
        )
        if not escalated:
            return {"type": "ir.actions.act_window_close"}
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning",
                "sticky": True,
                "title": self.env._("Beyond your approval authority"),
                "message": self.env._(
                    "Not approved, escalated: %(holds)s",
                    holds=", ".join(escalated.mapped("name")),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_reject(self):
        self.ensure_one()
        self._check_holds()
        self.hold_ids._reject(self.reason)
        return {"type": "ir.actions.act_window_close"}


class CreditLimitRequestReject(models.TransientModel):
    _name = "credit.limit.request.reject"
    _description = "Reject Credit Limit Request"

    request_ids = fields.Many2many(comodel_name="credit.limit.request", required=True)
    reason = fields.Text(required=True)

    def action_reject(self):
        self.ensure_one()
        self.request_ids.action_reject(self.reason)
        return {"type": "ir.actions.act_window_close"}
