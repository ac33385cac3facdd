from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import formatLang


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

    @api.depends(
        "partner_id",
        "company_id",
        "amount_total",
        "currency_rate",
        "state",
    )
    def _compute_credit_banner(self):
        for order in self:
            values = order._credit_get_status()
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

    def action_confirm(self):
        # The check comes first and cannot be skipped by any context key:
        # every confirmation path (form, list, RPC, portal, payment) ends here.
        self._credit_check()
        return super().action_confirm()

    # -------------------------------------------------------------------------
    # Business methods
    # -------------------------------------------------------------------------

    def _credit_get_status(self):
        """Return the credit situation of the order's customer.

        The exposure is read as superuser: a salesperson's record rules must
        not hide the orders and invoices of colleagues.

        :return: ``None`` when the customer has no limit, else a dict with
            ``partner`` (commercial entity), ``limit``, ``exposure`` (see
            ``res.partner._credit_get_exposure``) and ``exceeds``.
        """
        self.ensure_one()
        order = self.sudo()
        partner = order.partner_id.commercial_partner_id
        company = order.company_id or self.env.company
        if not partner:
            return None
        limit = partner._credit_get_limit(company)
        if limit is None:
            return None
        exposure = partner._credit_get_exposure(company, order=order)
        # An order that adds nothing cannot raise the risk, even for a
        # customer who is already over the limit.
        exceeds = (
            company.currency_id.compare_amounts(exposure["order"], 0.0) > 0
            and company.currency_id.compare_amounts(exposure["total"], limit) > 0
        )
        return {
            "partner": partner,
            "limit": limit,
            "exposure": exposure,
            "exceeds": exceeds,
        }

    def _credit_check(self):
        """Refuse the confirmation of the orders that exceed the credit limit.

        Each order is judged alone against its customer's exposure; all the
        blocked orders are reported in one message.

        :raise UserError: naming, per blocked order, the customer, the limit,
            the exposure with its components and the order amount.
        """
        blocked = []
        for order in self:
            if order.state not in ("draft", "sent"):
                # Let action_confirm refuse it with its own message.
                continue
            values = order._credit_get_status()
            if values and values["exceeds"]:
                blocked.append(order._credit_get_block_message(values))
        if blocked:
            raise UserError(
                self.env._(
                    "The credit limit of the customer does not allow to "
                    "confirm these orders:\n\n%(orders)s\n\nAsk a credit manager "
                    "to review the limit, or collect a payment first.",
                    orders="\n\n".join(blocked),
                )
            )

    def _credit_get_block_message(self, values):
        """Return the paragraph that explains why this order is blocked."""
        self.ensure_one()
        currency = self.sudo().company_id.currency_id
        exposure = values["exposure"]

        def fmt(amount):
            return formatLang(self.env, amount, currency_obj=currency)

        current = exposure["total"] - exposure["order"]
        return self.env._(
            "%(order)s for %(customer)s: credit limit %(limit)s, current "
            "exposure %(exposure)s (open receivables %(receivable)s, draft "
            "invoices %(draft)s, uninvoiced orders %(orders)s), order amount "
            "%(amount)s: %(total)s in total, %(excess)s over the limit.",
            order=self.name,
            customer=values["partner"].display_name,
            limit=fmt(values["limit"]),
            exposure=fmt(current),
            receivable=fmt(exposure["receivable"]),
            draft=fmt(exposure["draft_invoices"]),
            orders=fmt(exposure["orders"]),
            amount=fmt(exposure["order"]),
            total=fmt(exposure["total"]),
            excess=fmt(exposure["total"] - values["limit"]),
        )
