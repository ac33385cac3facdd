from datetime import timedelta

from markupsafe import Markup

from odoo import SUPERUSER_ID, Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL
from odoo.tools.misc import formatLang

HOLD_STATES = [
    ("pending", "Pending"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("expired", "Expired"),
    ("cancelled", "Cancelled"),
]


class CreditHold(models.Model):
    """A sale order that a credit rule blocked, waiting for a decision.

    Holds are written by their own methods only, which check who may do
    what: nobody has write access to them through the ORM, so no client can
    approve one by writing its state.
    """

    _name = "credit.hold"
    _description = "Credit Hold"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True
    # Whoever may read a hold may discuss it in its chatter; its fields are
    # written by its methods only.
    _mail_post_access = "read"

    name = fields.Char(required=True, readonly=True, copy=False, default="/")
    order_id = fields.Many2one(
        comodel_name="sale.order",
        string="Order",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        help="Commercial entity whose credit blocked the order.",
    )
    company_id = fields.Many2one(
        comodel_name="res.company", required=True, readonly=True, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    # The order's, kept in step: a reassigned order's new salesperson sees
    # and requests its hold.
    user_id = fields.Many2one(
        related="order_id.user_id",
        string="Salesperson",
        store=True,
        readonly=True,
        index=True,
    )
    team_id = fields.Many2one(
        related="order_id.team_id",
        string="Sales Team",
        store=True,
        readonly=True,
        index=True,
    )
    controller_id = fields.Many2one(
        comodel_name="res.users",
        string="Credit Controller",
        readonly=True,
        index=True,
        tracking=True,
        help="Who is asked to decide: the customer's credit controller, else "
        "the company's hold reviewer, else a credit controller of the company.",
    )
    state = fields.Selection(
        selection=HOLD_STATES,
        required=True,
        readonly=True,
        default="pending",
        index=True,
        tracking=True,
    )
    block_message = fields.Text(
        string="Blocking Rules",
        readonly=True,
        help="The rules that blocked the order, with their measures.",
    )
    breakdown_html = fields.Html(
        string="Exposure Snapshot",
        readonly=True,
        sanitize=False,
        help="The credit engine's breakdown when the order was blocked.",
    )
    limit_amount = fields.Monetary(
        string="Credit Limit", readonly=True, currency_field="currency_id"
    )
    exposure_amount = fields.Monetary(
        string="Exposure without Order",
        readonly=True,
        currency_field="currency_id",
    )
    order_amount = fields.Monetary(readonly=True, currency_field="currency_id")
    amount_over_limit = fields.Monetary(
        readonly=True,
        currency_field="currency_id",
        help="How far the exposure with this order goes over the limit.",
    )
    blocking_rule_ids = fields.Many2many(
        comodel_name="credit.rule",
        string="Blocking Rules",
        readonly=True,
        help="The rules that blocked the order when it was last judged; a "
        "release covers these only.",
    )
    limit_blocks_only = fields.Boolean(
        readonly=True,
        help="Only the credit limit rule blocks: the authority needed is the "
        "amount over the limit. Otherwise it is the whole amount released.",
    )
    requested = fields.Boolean(string="Release Requested", readonly=True)
    request_date = fields.Datetime(readonly=True)
    requested_by_id = fields.Many2one(
        comodel_name="res.users", string="Requested by", readonly=True
    )
    request_comment = fields.Text(readonly=True)
    origin = fields.Selection(
        selection=[("backend", "Confirmation"), ("portal", "Customer portal")],
        readonly=True,
        default="backend",
        help="Customer portal: the customer signed or paid the quotation.",
    )
    approved_amount = fields.Monetary(
        readonly=True,
        currency_field="currency_id",
        tracking=True,
        help="The order may be confirmed under this release up to this total.",
    )
    release_expiry = fields.Date(
        string="Release Valid Until", readonly=True, tracking=True
    )
    release_used = fields.Boolean(readonly=True, tracking=True)
    release_used_date = fields.Datetime(readonly=True)
    decision_reason = fields.Text(readonly=True, tracking=True)
    decided_by_id = fields.Many2one(
        comodel_name="res.users", string="Decided by", readonly=True, index=True
    )
    decision_date = fields.Datetime(readonly=True)
    hold_hours = fields.Float(
        string="Time in Hold (h)",
        readonly=True,
        digits=(16, 1),
        aggregator="avg",
        help="Hours between the hold and its decision.",
    )
    escalated_group_id = fields.Many2one(
        comodel_name="res.groups",
        string="Escalated to",
        readonly=True,
        tracking=True,
    )
    age_hours = fields.Float(
        string="Age (h)",
        compute="_compute_age_hours",
        search="_search_age_hours",
        digits=(16, 1),
    )
    is_large = fields.Boolean(
        string="Large Order",
        compute="_compute_is_large",
        search="_search_is_large",
        help="The order amount is over the company's large-hold threshold.",
    )

    _sql_constraints = [
        (
            "approved_amount_positive",
            "CHECK(approved_amount IS NULL OR approved_amount >= 0)",
            "The approved amount of a credit release cannot be negative.",
        ),
    ]

    def init(self):
        # At most one pending hold per order: a second block refreshes it.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS credit_hold_one_pending_per_order
                ON credit_hold (order_id) WHERE state = 'pending'
            """
        )

    @api.depends("create_date", "decision_date")
    def _compute_age_hours(self):
        now = fields.Datetime.now()
        for hold in self:
            end = hold.decision_date or now
            start = hold.create_date or now
            hold.age_hours = (end - start).total_seconds() / 3600.0

    def _search_age_hours(self, operator, value):
        if operator not in (">", ">=", "<", "<="):
            raise UserError(self.env._("Search the hold age with >, >=, < or <= only."))
        # The age of a decided hold stops at its decision.
        self.flush_model(["create_date", "decision_date"])
        query = SQL(
            """
            (SELECT id FROM credit_hold
              WHERE EXTRACT(EPOCH FROM COALESCE(decision_date, %s) - create_date)
                    / 3600.0 %s %s)
            """,
            fields.Datetime.now(),
            SQL(operator),
            float(value or 0.0),
        )
        return [("id", "in", query)]

    @api.depends("order_amount", "company_id.credit_hold_large_amount")
    def _compute_is_large(self):
        for hold in self:
            threshold = hold.company_id.credit_hold_large_amount
            hold.is_large = bool(threshold) and hold.order_amount > threshold

    def _search_is_large(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Search large holds with = or != only."))
        self.env["res.company"].flush_model(["credit_hold_large_amount"])
        self.flush_model(["order_amount", "company_id"])
        query = SQL(
            """
            (SELECT hold.id
               FROM credit_hold hold
               JOIN res_company company ON company.id = hold.company_id
              WHERE COALESCE(company.credit_hold_large_amount, 0) > 0
                AND hold.order_amount > company.credit_hold_large_amount)
            """
        )
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", query)]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("credit.hold")
        return super().create(vals_list)

    # -------------------------------------------------------------------------
    # Creation from the credit check
    # -------------------------------------------------------------------------

    @api.model
    def _credit_hold_order(self, order, decision, origin="backend"):
        """Put ``order`` on hold for ``decision`` (a blocking credit decision).

        A pending hold of the order is refreshed with the new snapshot rather
        than duplicated. Run as superuser: whoever confirms may hold.
        """
        Hold = self.sudo()
        values = Hold._credit_snapshot_values(order, decision)
        hold = Hold.search(
            [("order_id", "=", order.id), ("state", "=", "pending")], limit=1
        )
        if hold:
            if hold.partner_id != decision["partner"]:
                values["controller_id"] = Hold._credit_pick_controller(
                    decision["partner"], decision["company"]
                ).id
            hold.write(values)
            return hold
        company = decision["company"]
        hold = Hold.create(
            values
            | {
                "order_id": order.id,
                "controller_id": Hold._credit_pick_controller(
                    decision["partner"], company
                ).id,
                "origin": origin,
            }
        )
        order.sudo().message_post(
            body=Markup("<p>%s</p>")
            % self.env._(
                "Put on credit hold %(hold)s: %(reasons)s",
                hold=hold._get_html_link(),
                reasons=values["block_message"],
            ),
            subtype_xmlid="mail.mt_note",
        )
        return hold

    @api.model
    def _credit_snapshot_values(self, order, decision):
        """The hold's picture of a credit decision on ``order``."""
        currency = decision["currency"]
        exposure = decision["exposure"]
        limit = decision["limit"]
        blocking = [r for r in decision["rules"] if r["result"] == "block"]
        over = 0.0
        if limit is not None:
            over = max(0.0, currency.round(exposure["total"] - limit))
        return {
            # The order's customer may change while it waits.
            "partner_id": decision["partner"].id,
            "company_id": decision["company"].id,
            "block_message": self.env["res.partner"]._credit_get_block_paragraph(
                order.name, decision
            ),
            "breakdown_html": decision["partner"]._credit_render_decision(decision),
            "limit_amount": limit or 0.0,
            "exposure_amount": currency.round(exposure["total"] - exposure["order"]),
            "order_amount": exposure["order"],
            "amount_over_limit": over,
            "limit_blocks_only": all(r["rule_type"] == "limit" for r in blocking),
            "blocking_rule_ids": [Command.set([r["rule"].id for r in blocking])],
        }

    @api.model
    def _credit_pick_controller(self, partner, company):
        """Return who decides on a hold of ``partner`` in ``company``."""
        controller = partner.with_company(company).credit_controller_id
        if controller and controller.active:
            return controller
        if company.credit_hold_user_id.active:
            return company.credit_hold_user_id
        return self._credit_get_authorized_users(
            company, self.env.ref("credit_management.group_credit_controller")
        )[:1]

    @api.model
    def _credit_get_authorized_users(self, company, group):
        """Active internal users of ``group`` (implied ones included) who work
        in ``company``, OdooBot left out."""
        return (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("groups_id", "in", group.ids),
                    ("company_ids", "in", company.ids),
                    ("share", "=", False),
                    ("id", "!=", SUPERUSER_ID),
                ],
                order="id",
            )
        )

    # -------------------------------------------------------------------------
    # Release request
    # -------------------------------------------------------------------------

    def _request_release(self, comment, auto=False):
        """Ask the credit team to release the held orders.

        :param comment: the requester's explanation (required from people).
        :param auto: the customer confirmed in the portal: nobody typed a
            comment, the system asks on the customer's behalf.
        """
        for hold in self:
            if hold.state != "pending":
                raise UserError(
                    self.env._(
                        "Credit hold %(hold)s is %(state)s: only a pending hold "
                        "can be submitted.",
                        hold=hold.name,
                        state=dict(HOLD_STATES)[hold.state],
                    )
                )
            if not auto:
                # Whoever may see the hold and edit the order may ask for
                # its release.
                hold.check_access("read")
                hold.order_id.check_access("write")
            if not (comment or "").strip() and not auto:
                raise UserError(
                    self.env._(
                        "Say why credit hold %(hold)s should be released: the "
                        "comment is required.",
                        hold=hold.name,
                    )
                )
        now = fields.Datetime.now()
        for hold in self.sudo():
            if auto and hold.requested:
                # Confirmed again from the portal: the team already knows.
                continue
            # A new request replaces the previous one's activity.
            hold.activity_unlink(["credit_management.mail_activity_credit_hold"])
            hold.write(
                {
                    "requested": True,
                    "request_date": now,
                    "requested_by_id": self.env.uid,
                    "request_comment": comment,
                }
            )
            hold._credit_notify_credit_team(comment)
        return True

    def _credit_notify_credit_team(self, comment):
        """Activity for the hold's controller and a message in the chatter."""
        self.ensure_one()
        if self.controller_id:
            self.message_subscribe(partner_ids=self.controller_id.partner_id.ids)
            self.activity_schedule(
                "credit_management.mail_activity_credit_hold",
                user_id=self.controller_id.id,
                summary=self.env._(
                    "Release %(order)s for %(customer)s?",
                    order=self.order_id.name,
                    customer=self.partner_id.display_name,
                ),
                note=comment or self.block_message,
            )
        body = (
            self.env._(
                "The customer confirmed %(order)s in the portal while over "
                "their credit: please decide on the release.",
                order=self.order_id.name,
            )
            if self.origin == "portal" and not comment
            else self.env._(
                "Release requested by %(user)s: %(comment)s",
                user=self.env.user.name,
                comment=comment,
            )
        )
        self.message_post(
            body=body,
            subtype_xmlid="mail.mt_comment",
            partner_ids=self.controller_id.partner_id.ids,
        )

    # -------------------------------------------------------------------------
    # Decisions
    # -------------------------------------------------------------------------

    def _credit_check_controller(self):
        # The holds themselves must be visible to the user (their company).
        self.check_access("read")
        if not self.env.user.has_group("credit_management.group_credit_controller"):
            raise AccessError(
                self.env._(
                    "Only credit controllers and credit managers decide on "
                    "credit holds."
                )
            )

    def _credit_check_decidable(self):
        for hold in self:
            if hold.state != "pending":
                raise UserError(
                    self.env._(
                        "Credit hold %(hold)s is already %(state)s.",
                        hold=hold.name,
                        state=dict(HOLD_STATES)[hold.state],
                    )
                )

    def _credit_authority_needed(self, approved_amount):
        """Amount the approver must be allowed to release: the amount over the
        limit if only the limit rule blocks, else the whole amount released."""
        self.ensure_one()
        if not self.limit_blocks_only:
            return approved_amount
        return max(
            0.0,
            self.currency_id.round(
                self.exposure_amount + approved_amount - self.limit_amount
            ),
        )

    def _approve(self, reason, approved_amount=None, expiry=None):
        """Release the orders, each up to ``approved_amount`` until ``expiry``.

        A hold beyond the user's approval authority is not approved: it is
        escalated to the groups that may approve it.

        :return: the holds escalated instead of approved.
        """
        self._credit_check_controller()
        self._credit_check_decidable()
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason of the approval."))
        Authority = self.env["credit.approval.authority"]
        escalated = self.browse()
        today = fields.Date.context_today(self)
        for hold in self:
            # Judge on today's exposure, not on the one when the order was held.
            hold._credit_refresh_snapshot()
            amount = hold.order_amount if approved_amount is None else approved_amount
            if hold.currency_id.compare_amounts(amount, 0.0) <= 0:
                raise UserError(
                    self.env._(
                        "The approved amount of credit hold %(hold)s must be positive.",
                        hold=hold.name,
                    )
                )
            hold_expiry = expiry or today + timedelta(
                days=hold.company_id.credit_release_days or 1
            )
            if hold_expiry < today:
                raise UserError(
                    self.env._(
                        "The release of credit hold %(hold)s cannot expire in "
                        "the past (%(date)s).",
                        hold=hold.name,
                        date=hold_expiry,
                    )
                )
            needed = hold._credit_authority_needed(amount)
            authority = Authority._get_user_authority(self.env.user, hold.company_id)
            if authority is not None and (
                hold.currency_id.compare_amounts(needed, authority) > 0
            ):
                hold._credit_escalate(needed, authority)
                escalated |= hold
                continue
            hold._credit_decide(
                "approved",
                reason,
                {"approved_amount": amount, "release_expiry": hold_expiry},
            )
            covers_order = (
                hold.currency_id.compare_amounts(hold.order_amount, amount) <= 0
            )
            if hold.company_id.credit_hold_auto_confirm and covers_order:
                # The approver's rights on orders do not matter: the release
                # is what allows the confirmation.
                hold.order_id.sudo().action_confirm()
        return escalated

    def _credit_refresh_snapshot(self):
        """Bring the hold's figures up to date with a new credit decision."""
        self.ensure_one()
        order = self.order_id.sudo()
        order._credit_lock()
        decision = order._credit_evaluate()
        self.sudo().write(self._credit_snapshot_values(order, decision))
        return decision

    def _reject(self, reason):
        self._credit_check_controller()
        self._credit_check_decidable()
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason of the rejection."))
        for hold in self:
            hold._credit_decide("rejected", reason)
        return True

    def _credit_decide(self, state, reason, values=None):
        """Record the decision on the hold and tell the salesperson."""
        self.ensure_one()
        now = fields.Datetime.now()
        hold = self.sudo()
        hold.write(
            (values or {})
            | {
                "state": state,
                "decision_reason": reason,
                "decided_by_id": self.env.uid,
                "decision_date": now,
                "hold_hours": (now - hold.create_date).total_seconds() / 3600.0,
            }
        )
        hold.activity_ids.action_feedback(
            feedback=self.env._("%(state)s: %(reason)s", state=state, reason=reason)
        )
        if state == "approved":
            summary = self.env._(
                "Credit release of %(order)s approved up to %(amount)s until "
                "%(date)s: %(reason)s",
                order=hold.order_id.name,
                amount=hold._fmt(hold.approved_amount),
                date=hold.release_expiry,
                reason=reason,
            )
        else:
            summary = self.env._(
                "Credit hold of %(order)s %(state)s: %(reason)s",
                order=hold.order_id.name,
                state=dict(HOLD_STATES)[state].lower(),
                reason=reason,
            )
        hold.message_post(body=summary, subtype_xmlid="mail.mt_note")
        salesperson = hold.user_id
        hold.order_id.message_post(
            body=summary,
            subtype_xmlid="mail.mt_comment",
            partner_ids=salesperson.partner_id.ids,
        )
        if salesperson and salesperson.active and state in ("approved", "rejected"):
            hold.order_id.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=salesperson.id,
                summary=summary[:200],
            )

    def _credit_escalate(self, needed, authority):
        """Hand the hold to the lowest group allowed to approve ``needed``."""
        self.ensure_one()
        group = self.env["credit.approval.authority"]._get_group_for_amount(
            self.company_id, needed
        )
        hold = self.sudo()
        hold.escalated_group_id = group
        fmt = hold._fmt
        message = self.env._(
            "%(user)s may release up to %(authority)s; this release needs "
            "%(needed)s over the limit. Escalated to %(group)s.",
            user=self.env.user.name,
            authority=fmt(authority),
            needed=fmt(needed),
            group=group.name or self.env._("nobody (no group has the authority)"),
        )
        approvers = self._credit_get_authorized_users(self.company_id, group)
        for approver in approvers:
            hold.activity_schedule(
                "credit_management.mail_activity_credit_hold",
                user_id=approver.id,
                summary=self.env._(
                    "Escalated: release %(order)s", order=self.order_id.name
                ),
                note=message,
            )
        hold.message_post(
            body=message,
            subtype_xmlid="mail.mt_comment",
            partner_ids=approvers.partner_id.ids,
        )

    def _fmt(self, amount):
        return formatLang(self.env, amount, currency_obj=self.currency_id)

    def _credit_cancel(self, reason):
        """Close pending holds that no longer need a decision."""
        for hold in self.sudo().filtered(lambda h: h.state == "pending"):
            hold.write(
                {
                    "state": "cancelled",
                    "decision_reason": reason,
                    "decision_date": fields.Datetime.now(),
                }
            )
            hold.activity_unlink(["credit_management.mail_activity_credit_hold"])
            hold.message_post(body=reason, subtype_xmlid="mail.mt_note")

    def _credit_expire(self, reason):
        for hold in self.sudo().filtered(lambda h: h.state == "approved"):
            # The approver's reason stays; why it expired goes to the chatter.
            hold.state = "expired"
            hold.message_post(body=reason, subtype_xmlid="mail.mt_note")

    # -------------------------------------------------------------------------
    # Release use
    # -------------------------------------------------------------------------

    def _credit_release_status(self, decision):
        """Tell whether this approved hold releases the order as ``decision``
        (a credit decision on its order) now judges it.

        :return: ``valid``; or why not: ``used``, ``expired``, ``customer``
            (the order's customer changed), ``exceeded`` (the order grew
            past the approved amount), ``rules`` (a rule blocks that did not
            when it was approved) or ``authority`` (the exposure grew beyond
            what the approver may release).
        """
        self.ensure_one()
        today = fields.Date.context_today(self)
        if self.release_used:
            return "used"
        if self.release_expiry and self.release_expiry < today:
            return "expired"
        if self.partner_id != decision["partner"] or (
            self.company_id != decision["company"]
        ):
            return "customer"
        amount = decision["exposure"]["order"]
        if self.currency_id.compare_amounts(amount, self.approved_amount) > 0:
            return "exceeded"
        blocking = {r["rule"].id for r in decision["rules"] if r["result"] == "block"}
        # Holds from before the rules were recorded have none: not judged.
        if self.blocking_rule_ids and not blocking <= set(self.blocking_rule_ids.ids):
            return "rules"
        authority = self.env["credit.approval.authority"]._get_user_authority(
            self.decided_by_id, self.company_id
        )
        if authority is not None:
            limit = decision["limit"] or 0.0
            exposure = decision["exposure"]
            without_order = exposure["total"] - exposure["order"]
            needed = (
                max(0.0, without_order + self.approved_amount - limit)
                if self.limit_blocks_only
                else self.approved_amount
            )
            if self.currency_id.compare_amounts(needed, authority) > 0:
                return "authority"
        return "valid"

    def _credit_refusal_reason(self, status, decision, new_hold):
        """Why this approved hold no longer releases its order (see
        :meth:`_credit_release_status`), for its chatter."""
        self.ensure_one()
        reasons = {
            "expired": self.env._(
                "The credit release expired on %(date)s.", date=self.release_expiry
            ),
            "customer": self.env._("The order's customer changed."),
            "exceeded": self.env._(
                "The release covers up to %(approved)s; the order is now %(amount)s.",
                approved=self._fmt(self.approved_amount),
                amount=self._fmt(decision["exposure"]["order"]),
            ),
            "rules": self.env._(
                "Other credit rules block the order than those it was given for."
            ),
            "authority": self.env._(
                "%(user)s's approval authority no longer covers the customer's "
                "exposure.",
                user=self.decided_by_id.name,
            ),
        }
        return self.env._(
            "%(reason)s %(hold)s was opened for the order.",
            reason=reasons.get(status, status),
            hold=new_hold.name,
        )

    def _credit_use_release(self):
        self.ensure_one()
        hold = self.sudo()
        hold.write({"release_used": True, "release_used_date": fields.Datetime.now()})
        hold.order_id.message_post(
            body=self.env._(
                "Confirmed under credit release %(hold)s (approved by %(user)s "
                "up to %(amount)s).",
                hold=hold.name,
                user=hold.decided_by_id.name,
                amount=hold._fmt(hold.approved_amount),
            ),
            subtype_xmlid="mail.mt_note",
        )

    @api.model
    def _cron_expire_releases(self):
        """Expire the approved releases that were not used in time."""
        today = fields.Date.context_today(self)
        holds = self.sudo().search(
            [
                ("state", "=", "approved"),
                ("release_used", "=", False),
                ("release_expiry", "<", today),
            ]
        )
        for hold in holds:
            hold._credit_expire(
                self.env._(
                    "The credit release expired on %(date)s without being used.",
                    date=hold.release_expiry,
                )
            )

    # -------------------------------------------------------------------------
    # Buttons
    # -------------------------------------------------------------------------

    def action_open_request(self):
        self.ensure_one()
        return self.env["credit.hold.request"]._action_open(self)

    def action_open_decision(self):
        self._credit_check_controller()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Decision"),
            "res_model": "credit.hold.decision",
            "view_mode": "form",
            "target": "new",
            "context": {"default_hold_ids": self.ids},
        }

    def action_open_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.order_id.id,
            "view_mode": "form",
        }
