from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.misc import formatLang

REQUEST_STATES = [
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled"),
]

# Set by the request's own methods only, never by a client's write.
DECISION_FIELDS = {
    "state",
    "decided_by_id",
    "decision_date",
    "decision_reason",
    "previous_limit",
    "requested_by_id",
}

PROPOSAL_FIELDS = {
    "partner_id",
    "company_id",
    "proposed_limit",
    "temporary",
    "date_from",
    "date_to",
    "reason",
}


class CreditLimitRequest(models.Model):
    """A proposed credit limit that only a credit manager can put in force."""

    _name = "credit.limit.request"
    _description = "Credit Limit Change Request"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, copy=False, default="/")
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(
        selection=REQUEST_STATES,
        required=True,
        default="draft",
        readonly=True,
        tracking=True,
        index=True,
    )
    current_limit_label = fields.Char(
        string="Current Limit", compute="_compute_current_limit_label"
    )
    previous_limit = fields.Char(
        readonly=True, help="The limit in force when the request was decided."
    )
    proposed_limit = fields.Monetary(
        required=True, currency_field="currency_id", tracking=True
    )
    temporary = fields.Boolean(
        tracking=True,
        help="Propose a temporary limit for a period; the permanent limit is "
        "kept and applies again afterwards.",
    )
    date_from = fields.Date(string="Valid From", tracking=True)
    date_to = fields.Date(string="Valid Until", tracking=True)
    reason = fields.Text(required=True, tracking=True)
    requested_by_id = fields.Many2one(
        comodel_name="res.users",
        string="Requested by",
        default=lambda self: self.env.user,
        readonly=True,
    )
    decided_by_id = fields.Many2one(
        comodel_name="res.users", string="Decided by", readonly=True
    )
    decision_date = fields.Datetime(readonly=True)
    decision_reason = fields.Text(readonly=True, tracking=True)

    @api.depends("partner_id", "company_id")
    def _compute_current_limit_label(self):
        for request in self:
            partner = request.partner_id.commercial_partner_id.sudo()
            request.current_limit_label = (
                partner._credit_get_limit_label(request.company_id)
                if partner
                else False
            )

    @api.constrains("proposed_limit", "temporary", "date_from", "date_to")
    def _check_proposal(self):
        for request in self:
            if request.proposed_limit < 0:
                raise ValidationError(
                    self.env._(
                        "The proposed limit of %(request)s cannot be negative.",
                        request=request.display_name,
                    )
                )
            if request.temporary and not request.date_to:
                raise ValidationError(
                    self.env._(
                        "The temporary limit of %(request)s needs an end date "
                        "(Valid Until).",
                        request=request.display_name,
                    )
                )
            if (
                request.date_from
                and request.date_to
                and request.date_from > request.date_to
            ):
                raise ValidationError(
                    self.env._(
                        "The validity of %(request)s ends before it starts.",
                        request=request.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(DECISION_FIELDS & set(vals) for vals in vals_list):
            raise AccessError(
                self.env._("A limit request starts as a draft of its requester.")
            )
        for vals in vals_list:
            if vals.get("partner_id"):
                partner = self.env["res.partner"].browse(vals["partner_id"])
                vals["partner_id"] = partner.commercial_partner_id.id
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "credit.limit.request"
                )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            if DECISION_FIELDS & set(vals):
                raise AccessError(
                    self.env._(
                        "The state of a limit request changes through its buttons only."
                    )
                )
            proposal = PROPOSAL_FIELDS & set(vals)
            for request in self:
                if proposal and request.state != "draft":
                    raise UserError(
                        self.env._(
                            "Limit request %(request)s is %(state)s: it can no "
                            "longer be edited.",
                            request=request.name,
                            state=dict(REQUEST_STATES)[request.state],
                        )
                    )
        return super().write(vals)

    def _check_state(self, *states):
        for request in self:
            if request.state not in states:
                raise UserError(
                    self.env._(
                        "Limit request %(request)s is %(state)s.",
                        request=request.name,
                        state=dict(REQUEST_STATES)[request.state],
                    )
                )

    def _check_manager(self):
        if not self.env.user.has_group("credit_management.group_credit_manager"):
            raise AccessError(
                self.env._("Only credit managers decide on credit limit requests.")
            )

    def action_submit(self):
        self._check_state("draft")
        for request in self:
            request.check_access("write")
        Hold = self.env["credit.hold"]
        manager_group = self.env.ref("credit_management.group_credit_manager")
        for request in self.sudo():
            request.state = "submitted"
            managers = Hold._credit_get_authorized_users(
                request.company_id, manager_group
            )
            for manager in managers:
                request.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=manager.id,
                    summary=self.env._(
                        "Credit limit of %(customer)s: %(amount)s proposed",
                        customer=request.partner_id.display_name,
                        amount=request._fmt(request.proposed_limit),
                    ),
                    note=request.reason,
                )
            request.message_post(
                body=self.env._("Submitted to the credit managers."),
                subtype_xmlid="mail.mt_comment",
                partner_ids=managers.partner_id.ids,
            )
        return True

    def action_approve(self):
        self._check_manager()
        self._check_state("submitted")
        for request in self:
            partner = request.partner_id.with_company(request.company_id)
            previous = partner._credit_get_limit_label(request.company_id)
            if request.temporary:
                values = {
                    "credit_temp_limit_amount": request.proposed_limit,
                    "credit_temp_limit_date_from": request.date_from
                    or fields.Date.context_today(self),
                    "credit_temp_limit_date_to": request.date_to,
                }
            else:
                values = {
                    "credit_limit_mode": "custom",
                    "credit_limit_amount": request.proposed_limit,
                }
            # As the manager: the partner's own guard checks the right to set
            # limits and logs the change with its author.
            partner.write(values)
            request._decide("approved", False, previous)
        return True

    def action_reject(self, reason=None):
        self._check_manager()
        self._check_state("submitted")
        if not (reason or "").strip():
            return {
                "type": "ir.actions.act_window",
                "name": self.env._("Reject Limit Request"),
                "res_model": "credit.limit.request.reject",
                "view_mode": "form",
                "target": "new",
                "context": {"default_request_ids": self.ids},
            }
        for request in self:
            request._decide("rejected", reason)
        return True

    def action_cancel(self):
        self._check_state("draft", "submitted")
        for request in self:
            if request.requested_by_id != self.env.user and not self.env.user.has_group(
                "credit_management.group_credit_manager"
            ):
                raise AccessError(
                    self.env._(
                        "Only the requester or a credit manager may cancel "
                        "%(request)s.",
                        request=request.name,
                    )
                )
            request._decide("cancelled", False)
        return True

    def _decide(self, state, reason, previous=None):
        self.ensure_one()
        request = self.sudo()
        request.write(
            {
                "state": state,
                "decided_by_id": self.env.uid,
                "decision_date": fields.Datetime.now(),
                "decision_reason": reason,
                "previous_limit": previous,
            }
        )
        request.activity_ids.unlink()
        if state == "cancelled":
            return
        body = Markup("<p>%s</p>") % self.env._(
            "Limit request %(request)s %(state)s by %(user)s%(reason)s",
            request=request.name,
            state=dict(REQUEST_STATES)[state].lower(),
            user=self.env.user.name,
            reason=f": {reason}" if reason else ".",
        )
        request.message_post(
            body=body,
            subtype_xmlid="mail.mt_comment",
            partner_ids=request.requested_by_id.partner_id.ids,
        )

    def _fmt(self, amount):
        return formatLang(self.env, amount, currency_obj=self.currency_id)
