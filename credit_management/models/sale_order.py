import zlib

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .computed_guard import refuse_computed_writes
from .credit_hold import HOLD_STATES

# Fields whose change can make a confirmed order weigh more on a customer.
ORDER_GROWTH_FIELDS = {
    "partner_id",
    "currency_id",
    "pricelist_id",
    "date_order",
    "company_id",
    "order_line",
}

# Namespace of the advisory locks taken by the credit check, so that they do
# not collide with the locks of other modules.
CREDIT_LOCK_NAMESPACE = "credit_management.credit_check"


class SaleOrder(models.Model):
    """Block the confirmation of orders that exceed the customer's credit."""

    _inherit = "sale.order"

    credit_currency_id = fields.Many2one(
        related="company_id.currency_id",
        string="Credit Currency",
    )
    credit_has_limit = fields.Boolean(
        string="Customer Has Credit Limit",
        compute="_compute_credit_banner",
    )
    credit_limit = fields.Monetary(
        string="Customer Credit Limit",
        currency_field="credit_currency_id",
        compute="_compute_credit_banner",
    )
    credit_exposure = fields.Monetary(
        string="Customer Exposure",
        currency_field="credit_currency_id",
        compute="_compute_credit_banner",
        help="Exposure of the customer without this order.",
    )
    credit_available = fields.Monetary(
        string="Available Credit",
        currency_field="credit_currency_id",
        compute="_compute_credit_banner",
        help="Credit limit minus the exposure without this order.",
    )
    credit_order_amount = fields.Monetary(
        string="Order Amount (Company Currency)",
        currency_field="credit_currency_id",
        compute="_compute_credit_banner",
    )
    credit_would_exceed = fields.Boolean(
        string="Exceeds Credit Limit",
        compute="_compute_credit_banner",
    )
    credit_decision_result = fields.Selection(
        selection=[("pass", "Passed"), ("warn", "Warning"), ("block", "Blocked")],
        string="Credit Decision",
        compute="_compute_credit_banner",
    )
    credit_decision_html = fields.Html(
        string="Credit Breakdown",
        compute="_compute_credit_banner",
        sanitize=False,
    )
    credit_hold_ids = fields.One2many(
        comodel_name="credit.hold",
        inverse_name="order_id",
        string="Credit Holds",
        readonly=True,
    )
    credit_hold_id = fields.Many2one(
        comodel_name="credit.hold",
        string="Credit Hold",
        compute="_compute_credit_hold",
        help="The latest credit hold of the order.",
    )
    credit_hold_state = fields.Selection(
        selection=HOLD_STATES,
        string="Credit Hold State",
        compute="_compute_credit_hold",
        search="_search_credit_hold_state",
    )
    credit_hold_count = fields.Integer(compute="_compute_credit_hold")

    @api.depends(
        "partner_id",
        "company_id",
        "amount_total",
        "currency_rate",
        "state",
    )
    def _compute_credit_banner(self):
        for order in self:
            decision = order._credit_evaluate() if order.partner_id else None
            values = order._credit_get_status(decision) if decision else None
            order.credit_decision_result = decision and decision["result"]
            order.credit_decision_html = decision and decision[
                "partner"
            ]._credit_render_decision(decision)
            if not values:
                order.credit_has_limit = False
                order.credit_limit = 0.0
                order.credit_exposure = 0.0
                order.credit_available = 0.0
                order.credit_order_amount = 0.0
                order.credit_would_exceed = False
                continue
            exposure = values["exposure"]
            order.credit_has_limit = True
            order.credit_limit = values["limit"]
            order.credit_exposure = exposure["total"] - exposure["order"]
            order.credit_available = values["limit"] - order.credit_exposure
            order.credit_order_amount = exposure["order"]
            order.credit_would_exceed = values["exceeds"]

    @api.depends("credit_hold_ids.state")
    def _compute_credit_hold(self):
        # Read as superuser: the holds mirror the order's own visibility.
        for order in self:
            holds = order.sudo().credit_hold_ids
            # The newest by id: a hold created in this transaction may come
            # last in the cached list.
            latest = holds.sorted("id", reverse=True)[:1]
            order.credit_hold_id = latest.id
            order.credit_hold_state = latest.state
            order.credit_hold_count = len(holds)

    def _search_credit_hold_state(self, operator, value):
        values = [value] if isinstance(value, str) else list(value or [])
        if operator not in ("=", "!=", "in", "not in") or not all(
            isinstance(v, str) for v in values
        ):
            raise UserError(
                self.env._("Search the credit hold state with = or in a state.")
            )
        # The state of the latest hold of each order.
        self.env["credit.hold"].flush_model(["order_id", "state"])
        query = SQL(
            """
            (SELECT latest.order_id
               FROM (SELECT DISTINCT ON (order_id) order_id, state
                       FROM credit_hold
                      ORDER BY order_id, id DESC) latest
              WHERE latest.state IN %s)
            """,
            tuple(values) or (None,),
        )
        positive = operator in ("=", "in")
        return [("id", "in" if positive else "not in", query)]

    @api.model_create_multi
    def create(self, vals_list):
        # An order created confirmed (RPC, import) is created as a quotation
        # and then confirmed through write(), so that it is checked too.
        refuse_computed_writes(self, vals_list)
        confirmed = [vals.get("state") == "sale" for vals in vals_list]
        # New dicts: the caller's (an import retrying row by row, say) must
        # still ask for a confirmed order.
        vals_list = [
            dict(vals, state="draft") if is_confirmed else vals
            for vals, is_confirmed in zip(vals_list, confirmed, strict=True)
        ]
        orders = super().create(vals_list)
        to_confirm = orders.browse(
            [order.id for order, flag in zip(orders, confirmed, strict=True) if flag]
        )
        if to_confirm:
            to_confirm.write({"state": "sale"})
        return orders

    def write(self, vals):
        # Every way of confirming an order ends in this write: the form and
        # list buttons, RPC, the portal and payments (through action_confirm)
        # as well as a plain write of the state. No context key skips it.
        refuse_computed_writes(self, [vals])
        self._credit_refuse_currency_change(vals)
        if vals.get("state") == "sale":
            # Access first: a user who may not confirm learns nothing of the
            # customer's credit.
            self.check_access("write")
            self._credit_check()
        # What can make a confirmed order weigh more on a customer: a new
        # customer (its whole amount is new there), lines, currency, date.
        watched = {}
        if ORDER_GROWTH_FIELDS & vals.keys():
            watched = {
                order.id: (
                    order.partner_id.commercial_partner_id,
                    order._credit_company_amount(),
                )
                for order in self
                if order.state == "sale"
            }
        result = super().write(vals)
        if watched:
            previous = {}
            for order in self.filtered(lambda o: o.id in watched):
                entity, amount = watched[order.id]
                moved = order.partner_id.commercial_partner_id != entity
                previous[order.id] = 0.0 if moved else amount
            self._credit_check_growth(previous)
        return result

    def _credit_refuse_currency_change(self, vals):
        """A confirmed order keeps its currency and pricelist: switching them
        would change what it weighs on the customer's credit."""
        if self.env.su:
            return
        for fname in ("currency_id", "pricelist_id"):
            if fname not in vals:
                continue
            for order in self.filtered(lambda o: o.state == "sale"):
                if order[fname].id != (vals[fname] or False):
                    raise UserError(
                        self.env._(
                            "The %(field)s of the confirmed order %(order)s "
                            "cannot change.",
                            field=self._fields[fname].get_description(self.env)[
                                "string"
                            ],
                            order=order.name,
                        )
                    )

    def action_confirm(self):
        """Confirm the orders the credit rules allow; put the others on hold.

        A blocked order is not refused with an error: it gets a credit hold
        and stays a quotation until the credit team releases it. The user
        gets the release request form (one order) or the list of holds.
        Orders confirmed by the customer in the portal, or by a payment, are
        submitted to the credit team at once.
        """
        held = self._credit_put_on_hold()
        rest = self - held.order_id
        result = super(SaleOrder, rest).action_confirm() if rest else True
        if not held:
            return result
        if self._credit_confirmed_by_customer():
            held._request_release(False, auto=True)
            return result
        if len(held) == 1:
            return held.action_open_request()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Holds"),
            "res_model": "credit.hold",
            "view_mode": "list,form",
            "domain": [("id", "in", held.ids)],
        }

    def _credit_confirmed_by_customer(self):
        """Whether the confirmation comes from the customer (portal signature
        or online payment) rather than from a user of the back office."""
        # The portal and the payment flows confirm in superuser mode, with
        # send_email in the context; a client's context key alone is not
        # enough, nobody reaches superuser mode over RPC.
        return self.env.user.share or (
            self.env.su and bool(self.env.context.get("send_email"))
        )

    def _credit_put_on_hold(self):
        """Hold the orders that a credit rule blocks and no release covers.

        :return: the ``credit.hold`` records of the held orders.
        """
        Hold = self.env["credit.hold"]
        orders = self.filtered(lambda o: o.state in ("draft", "sent"))
        if not orders:
            return Hold
        orders._credit_lock()
        holds = Hold
        origin = "portal" if self._credit_confirmed_by_customer() else "backend"
        for order in orders:
            decision = order._credit_evaluate()
            if decision["result"] != "block":
                continue
            release, refused = order._credit_find_release(decision)
            if release:
                continue
            hold = Hold._credit_hold_order(order, decision, origin=origin)
            for old_hold, status in refused:
                old_hold._credit_expire(
                    old_hold._credit_refusal_reason(status, decision, hold)
                )
            holds |= hold
        return holds

    def _credit_find_release(self, decision):
        """Return the approved hold that releases the order for the amount
        of ``decision``, and the approved holds that cannot, with why.

        :return: tuple ``(hold or empty recordset, [(hold, status)])``, the
            status being ``expired`` or ``exceeded``.
        """
        self.ensure_one()
        holds = (
            self.env["credit.hold"]
            .sudo()
            .search(
                [
                    ("order_id", "=", self.id),
                    ("state", "=", "approved"),
                    ("release_used", "=", False),
                ]
            )
        )
        refused = []
        for hold in holds:
            status = hold._credit_release_status(decision)
            if status == "valid":
                return hold, refused
            refused.append((hold, status))
        return holds.browse(), refused

    def _action_cancel(self):
        self.sudo().credit_hold_ids._credit_cancel(
            self.env._("The order was cancelled.")
        )
        return super()._action_cancel()

    def action_credit_view_holds(self):
        self.ensure_one()
        holds = self.sudo().credit_hold_ids
        action = {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Holds"),
            "res_model": "credit.hold",
            "view_mode": "list,form",
            "domain": [("order_id", "=", self.id)],
        }
        if len(holds) == 1:
            action.update(view_mode="form", res_id=holds.id)
        return action

    def action_credit_request_release(self):
        """Open the release request of the order's pending hold."""
        self.ensure_one()
        hold = self.sudo().credit_hold_ids.filtered(lambda h: h.state == "pending")
        if not hold:
            raise UserError(
                self.env._(
                    "%(order)s has no pending credit hold: confirm it to run "
                    "the credit check.",
                    order=self.name,
                )
            )
        return hold[:1].action_open_request()

    def action_quotation_send(self):
        # Sending a quotation is never refused; the salesperson is told in
        # the chatter that confirming it will warn or be refused.
        for order in self.filtered(lambda o: o.state in ("draft", "sent")):
            decision = order._credit_evaluate()
            if decision["result"] != "pass":
                order._credit_post_decision(decision)
        return super().action_quotation_send()

    # -------------------------------------------------------------------------
    # Business methods
    # -------------------------------------------------------------------------

    def _credit_evaluate(self):
        """Return the credit decision of the order (see
        ``res.partner._credit_evaluate``), read as superuser so that a
        salesperson's record rules do not hide colleagues' documents."""
        self.ensure_one()
        order = self.sudo()
        company = order.company_id or self.env.company
        return order.partner_id.commercial_partner_id._credit_evaluate(
            company, order=order
        )

    def _credit_get_status(self, decision=None):
        """Return the credit limit situation of the order's customer.

        :return: ``None`` when the customer has no limit, else a dict with
            ``partner`` (commercial entity), ``limit``, ``exposure`` (see
            ``res.partner._credit_get_exposure``) and ``exceeds``.
        """
        self.ensure_one()
        if not self.partner_id:
            return None
        decision = decision or self._credit_evaluate()
        limit = decision["limit"]
        if limit is None:
            return None
        exposure = decision["exposure"]
        currency = decision["currency"]
        # An order that adds nothing cannot raise the risk, even for a
        # customer who is already over the limit.
        exceeds = (
            currency.compare_amounts(exposure["order"], 0.0) > 0
            and currency.compare_amounts(exposure["total"], limit) > 0
        )
        return {
            "partner": decision["partner"],
            "limit": limit,
            "exposure": exposure,
            "exceeds": exceeds,
        }

    def _credit_lock(self):
        """Serialize the credit checks of the customers of these orders.

        A transaction-level advisory lock per company and commercial entity
        makes a second check wait until the first transaction ends; touching
        the entity's ``credit.check.lock`` row then makes it fail with a
        serialization error if its snapshot predates the first commit (Odoo
        retries the request, which then sees the first order). Locks are
        taken in a fixed order so that two batches cannot deadlock.
        """
        # TODO: lock the credit group too, so that two members of a group
        # ordering at once are serialized.
        keys = sorted(
            {
                (
                    (order.company_id or self.env.company).id,
                    order.partner_id.commercial_partner_id.id,
                )
                for order in self.sudo()
                if order.partner_id
            }
        )
        for company_id, partner_id in keys:
            namespace = zlib.crc32(f"{CREDIT_LOCK_NAMESPACE}.{company_id}".encode())
            self.env.cr.execute(
                SQL(
                    "SELECT pg_advisory_xact_lock(%s, %s)",
                    # pg_advisory_xact_lock(int4, int4): make the CRC signed.
                    namespace - (1 << 32) if namespace >= 1 << 31 else namespace,
                    partner_id,
                )
            )
            self.env.cr.execute(
                SQL(
                    """
                    INSERT INTO credit_check_lock (company_id, partner_id,
                                                   check_count)
                    VALUES (%s, %s, 1)
                    ON CONFLICT (company_id, partner_id) DO UPDATE
                       SET check_count = credit_check_lock.check_count + 1
                    """,
                    company_id,
                    partner_id,
                ),
                # A serialization failure here is expected under concurrency
                # and retried by Odoo: it is no "bad query" for the log.
                log_exceptions=False,
            )

    def _credit_check(self):
        """Refuse the confirmation of the orders that a credit rule blocks.

        Each order is judged alone against its customer's exposure; all the
        blocked orders are reported in one message. Orders that only trigger
        warnings are confirmed, with the warnings posted in their chatter.

        :raise UserError: naming, per blocked order, the customer and each
            blocking rule with its measure (for the limit: the limit, the
            exposure with its components and the order amount).
        """
        # Every order becoming confirmed, from whatever state: a plain write
        # can skip action_confirm and its own state checks.
        orders = self.filtered(lambda o: o.state != "sale")
        orders._credit_lock()
        blocked = []
        for order in orders:
            decision = order._credit_evaluate()
            if decision["result"] == "block":
                release, _refused = order._credit_find_release(decision)
                if release:
                    release._credit_use_release()
                    continue
                blocked.append(
                    self.env["res.partner"]._credit_get_block_paragraph(
                        order.name, decision
                    )
                )
                continue
            if decision["result"] == "warn":
                order._credit_post_decision(decision)
            order.sudo().credit_hold_ids._credit_cancel(
                self.env._("The credit check passed: no release is needed.")
            )
        if blocked:
            raise UserError(
                self.env._(
                    "The credit rules do not allow to confirm these orders:"
                    "\n\n%(orders)s\n\nConfirm them with the Confirm button "
                    "to put them on credit hold and ask for a release, or "
                    "collect a payment first.",
                    orders="\n\n".join(blocked),
                )
            )

    def _credit_company_amount(self):
        """The order's total in company currency, as the exposure counts it."""
        self.ensure_one()
        rate = self.currency_rate or 1.0
        return self.company_id.currency_id.round(self.amount_total / rate)

    def _credit_confirmed_amounts(self):
        """Company-currency totals of the confirmed orders, before a change."""
        return {o.id: o._credit_company_amount() for o in self if o.state == "sale"}

    def _credit_check_growth(self, previous_amounts):
        """Check again the confirmed orders whose total grew.

        A release covers its order up to the approved amount; without one,
        the order was confirmed within the rules, which must still allow
        its new total.

        :param previous_amounts: dict order id -> amount before, in company
            currency (see :meth:`_credit_company_amount`).
        :raise UserError: when a rule blocks the new total.
        """
        if self.env.su:
            # Server flows in superuser mode (delivery costs, re-invoiced
            # expenses) add what was already delivered or spent.
            return
        blocked = []
        for order in self.filtered(lambda o: o.state == "sale"):
            before = previous_amounts.get(order.id)
            if before is None:
                continue
            currency = order.company_id.currency_id
            if currency.compare_amounts(order._credit_company_amount(), before) <= 0:
                continue
            order._credit_lock()
            decision = order._credit_evaluate()
            if decision["result"] != "block":
                continue
            amount = decision["exposure"]["order"]
            releases = order.sudo().credit_hold_ids.filtered(
                lambda h, amount=amount: (
                    h.state == "approved"
                    and h.release_used
                    and h.currency_id.compare_amounts(amount, h.approved_amount) <= 0
                )
            )
            if releases:
                continue
            blocked.append(
                self.env["res.partner"]._credit_get_block_paragraph(
                    order.name, decision
                )
            )
        if blocked:
            raise UserError(
                self.env._(
                    "The credit rules do not allow this change of confirmed "
                    "orders (more goods, another customer):\n\n%(orders)s\n\n"
                    "Put extra goods on a new quotation, which can be held and "
                    "released.",
                    orders="\n\n".join(blocked),
                )
            )

    def _credit_post_decision(self, decision):
        """Post the rules that warn or block as a note on the order."""
        self.ensure_one()
        fired = [r for r in decision["rules"] if r["result"] != "pass"]
        body = Markup("<p>%s</p><ul>%s</ul>") % (
            self.env._(
                "Credit check of %(customer)s:",
                customer=decision["partner"].display_name,
            ),
            Markup().join(
                Markup("<li>%s (%s): %s</li>")
                % (
                    r["name"],
                    self.env._("blocks confirmation")
                    if r["result"] == "block"
                    else self.env._("warning"),
                    r["message"],
                )
                for r in fired
            ),
        )
        self.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")


class SaleOrderLine(models.Model):
    """Check again the confirmed orders whose lines make them grow."""

    _inherit = "sale.order.line"

    @api.model_create_multi
    def create(self, vals_list):
        refuse_computed_writes(self, vals_list)
        order_ids = {vals["order_id"] for vals in vals_list if vals.get("order_id")}
        orders = self.env["sale.order"].browse(order_ids)
        previous = orders._credit_confirmed_amounts()
        lines = super().create(vals_list)
        if previous:
            orders._credit_check_growth(previous)
        return lines

    def write(self, vals):
        refuse_computed_writes(self, [vals])
        orders = self.order_id
        if vals.get("order_id"):
            # A line moved into another order makes that one grow.
            orders |= self.env["sale.order"].browse(vals["order_id"])
        previous = orders._credit_confirmed_amounts()
        result = super().write(vals)
        if previous:
            orders._credit_check_growth(previous)
        return result
