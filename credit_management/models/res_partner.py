from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL
from odoo.tools.misc import formatLang

from .computed_guard import refuse_computed_writes
from .credit_rule import RISK_CLASSES

CREDIT_LIMIT_FIELDS = (
    "credit_limit_mode",
    "credit_limit_amount",
    "credit_limit_currency_id",
    "credit_temp_limit_amount",
    "credit_temp_limit_date_from",
    "credit_temp_limit_date_to",
)
# Fields that only credit managers may change; they belong to the commercial
# entity and are copied to its contacts by the commercial-fields sync.
CREDIT_MANAGED_FIELDS = CREDIT_LIMIT_FIELDS + (
    "credit_hold",
    "credit_hold_reason",
    "credit_risk_class",
    "credit_controller_id",
)
CREDIT_EXPOSURE_KEYS = ("receivable", "draft_invoices", "orders", "order", "total")


class ResPartner(models.Model):
    """Credit limit and exposure of a customer's commercial entity."""

    _inherit = "res.partner"

    credit_limit_mode = fields.Selection(
        selection=[
            ("company", "Company default"),
            ("custom", "Custom limit"),
            ("none", "No limit"),
        ],
        string="Credit Limit Mode",
        company_dependent=True,
        default="company",
        help="Company default: the default credit limit of the company applies.\n"
        "Custom limit: the amount below applies (zero means payment in "
        "advance).\nNo limit: orders of this customer are never blocked.",
    )
    credit_limit_amount = fields.Float(
        string="Custom Credit Limit",
        company_dependent=True,
        digits="Account",
        help="Credit limit in company currency, used when the mode is "
        "'Custom limit'. Zero is a real limit: every order must be paid first.",
    )
    credit_limit_currency_id = fields.Many2one(
        comodel_name="res.currency",
        string="Credit Limit Currency",
        company_dependent=True,
        help="Currency of the custom credit limit; empty: the company "
        "currency. The limit is converted into company currency at today's "
        "rate when orders are checked.",
    )
    credit_temp_limit_amount = fields.Float(
        string="Temporary Credit Limit",
        company_dependent=True,
        digits="Account",
        help="Replaces the credit limit between the two dates below (in the "
        "credit limit currency), e.g. for a seasonal peak. Afterwards the "
        "usual limit applies again.",
    )
    credit_temp_limit_date_from = fields.Date(
        string="Temporary Limit From",
        company_dependent=True,
    )
    credit_temp_limit_date_to = fields.Date(
        string="Temporary Limit Until",
        company_dependent=True,
    )
    credit_limit_display_currency_id = fields.Many2one(
        comodel_name="res.currency",
        compute="_compute_credit_currency_id",
    )
    credit_hold = fields.Boolean(
        string="Manual Credit Hold",
        company_dependent=True,
        help="Put the customer on hold: the credit rules of type 'Manual "
        "credit hold' warn about or block its orders.",
    )
    credit_hold_reason = fields.Char(
        string="Credit Hold Reason",
        company_dependent=True,
    )
    credit_risk_class = fields.Selection(
        selection=RISK_CLASSES,
        string="Risk Class",
        company_dependent=True,
        help="Set by a credit manager; credit rules may apply to one class only.",
    )
    credit_controller_id = fields.Many2one(
        comodel_name="res.users",
        string="Credit Controller",
        company_dependent=True,
        domain=[("share", "=", False)],
        help="Decides on the credit holds of this customer and gets its "
        "credit alerts. Empty: the company's hold reviewer.",
    )
    credit_hold_count = fields.Integer(
        string="Credit Holds",
        compute="_compute_credit_hold_count",
        help="Orders of the customer waiting on credit hold.",
    )
    credit_decision_html = fields.Html(
        string="Credit Breakdown",
        compute="_compute_credit_decision_html",
        sanitize=False,
    )
    credit_currency_id = fields.Many2one(
        comodel_name="res.currency",
        string="Credit Currency",
        compute="_compute_credit_currency_id",
    )
    credit_limit_effective = fields.Monetary(
        string="Effective Credit Limit",
        currency_field="credit_currency_id",
        compute="_compute_credit_figures",
    )
    credit_has_limit = fields.Boolean(
        string="Has Credit Limit",
        compute="_compute_credit_figures",
    )
    credit_exposure_receivable = fields.Monetary(
        string="Open Receivables",
        currency_field="credit_currency_id",
        compute="_compute_credit_figures",
        help="Unpaid balance of posted customer invoices, net of unreconciled "
        "payments and credit notes.",
    )
    credit_exposure_draft = fields.Monetary(
        string="Draft Invoices",
        currency_field="credit_currency_id",
        compute="_compute_credit_figures",
    )
    credit_exposure_orders = fields.Monetary(
        string="Uninvoiced Orders",
        currency_field="credit_currency_id",
        compute="_compute_credit_figures",
        help="Confirmed sales orders, taxes included, for the quantities not "
        "invoiced yet.",
    )
    credit_exposure_total = fields.Monetary(
        string="Total Exposure",
        currency_field="credit_currency_id",
        compute="_compute_credit_figures",
    )
    credit_available = fields.Monetary(
        string="Available Credit",
        currency_field="credit_currency_id",
        compute="_compute_credit_figures",
    )
    credit_over_limit = fields.Boolean(
        string="Over Credit Limit",
        compute="_compute_credit_figures",
        search="_search_credit_over_limit",
    )

    @api.constrains(
        "credit_limit_amount",
        "credit_temp_limit_amount",
        "credit_temp_limit_date_from",
        "credit_temp_limit_date_to",
    )
    def _check_credit_limit_amount(self):
        for partner in self:
            date_from = partner.credit_temp_limit_date_from
            date_to = partner.credit_temp_limit_date_to
            if partner.credit_temp_limit_amount < 0 or (
                date_from and date_to and date_from > date_to
            ):
                raise ValidationError(
                    self.env._(
                        "The temporary credit limit of %(partner)s cannot be "
                        "negative, and its start cannot follow its end.",
                        partner=partner.display_name,
                    )
                )
            if partner.credit_limit_amount < 0:
                raise ValidationError(
                    self.env._(
                        "The custom credit limit of %(partner)s cannot be negative.",
                        partner=partner.display_name,
                    )
                )

    @api.depends_context("company")
    @api.depends("credit_limit_currency_id")
    def _compute_credit_currency_id(self):
        currency = self.env.company.currency_id
        self.credit_currency_id = currency
        for partner in self:
            partner.credit_limit_display_currency_id = (
                partner.credit_limit_currency_id or currency
            )

    @api.depends_context("company")
    @api.depends(
        "credit_limit_mode",
        "credit_limit_amount",
        "commercial_partner_id",
        "commercial_partner_id.credit_limit_mode",
        "commercial_partner_id.credit_limit_amount",
        "commercial_partner_id.credit_limit_currency_id",
        "commercial_partner_id.credit_temp_limit_amount",
        "commercial_partner_id.credit_temp_limit_date_from",
        "commercial_partner_id.credit_temp_limit_date_to",
    )
    def _compute_credit_figures(self):
        company = self.env.company
        currency = company.currency_id
        commercials = self.commercial_partner_id._origin
        exposures = commercials._credit_get_exposures(company)
        for partner in self:
            commercial = partner.commercial_partner_id._origin
            # Read the limit from the record itself, not from the database,
            # so that a form shows the effect of an unsaved change.
            limit = (
                partner._credit_get_limit(company)
                if partner.commercial_partner_id
                else None
            )
            exposure = exposures.get(commercial.id) or dict.fromkeys(
                CREDIT_EXPOSURE_KEYS, 0.0
            )
            total = exposure["total"]
            partner.credit_has_limit = limit is not None
            partner.credit_limit_effective = limit or 0.0
            partner.credit_exposure_receivable = exposure["receivable"]
            partner.credit_exposure_draft = exposure["draft_invoices"]
            partner.credit_exposure_orders = exposure["orders"]
            partner.credit_exposure_total = total
            partner.credit_available = limit - total if limit is not None else 0.0
            partner.credit_over_limit = (
                limit is not None and currency.compare_amounts(total, limit) > 0
            )

    @api.depends_context("company")
    @api.depends("commercial_partner_id", "credit_hold", "credit_risk_class")
    def _compute_credit_decision_html(self):
        company = self.env.company
        for partner in self:
            commercial = partner.commercial_partner_id._origin
            if not commercial:
                partner.credit_decision_html = False
                continue
            decision = commercial.sudo()._credit_evaluate(company)
            partner.credit_decision_html = commercial._credit_render_decision(decision)

    def _compute_credit_hold_count(self):
        # Read as superuser: a count, not the holds themselves.
        counts = dict(
            self.env["credit.hold"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("company_id", "=", self.env.company.id),
                    ("state", "=", "pending"),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.credit_hold_count = counts.get(partner.commercial_partner_id, 0)

    def action_credit_view_holds(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "credit_management.credit_hold_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        return action

    def action_credit_request_limit(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Request a Credit Limit"),
            "res_model": "credit.limit.request",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    def _search_credit_over_limit(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(
                f"Unsupported search on credit_over_limit: {operator} {value!r}"
            )
        over_ids = self._credit_get_over_limit_ids(self.env.company)
        positive = (operator == "=") == value
        return [("commercial_partner_id", "in" if positive else "not in", over_ids)]

    @api.model_create_multi
    def create(self, vals_list):
        refuse_computed_writes(self, vals_list)
        if not self._credit_user_may_set_limits():
            for vals in vals_list:
                parent = self.browse(vals.get("parent_id")).commercial_partner_id
                for fname in set(CREDIT_MANAGED_FIELDS) & vals.keys():
                    new_value = self._credit_normalize_limit_value(fname, vals[fname])
                    default = self._credit_normalize_limit_value(
                        fname, self.default_get([fname]).get(fname)
                    )
                    if new_value == default:
                        continue
                    if parent and new_value == self._credit_normalize_limit_value(
                        fname, parent[fname]
                    ):
                        continue
                    self._credit_raise_limit_access(fname, vals.get("name"))
        return super().create(vals_list)

    def write(self, vals):
        refuse_computed_writes(self, [vals])
        # Moves that change whose credit settings apply are for credit
        # managers (see _credit_check_entity_moves).
        moving = {"parent_id", "is_company"} & vals.keys()
        if moving and not self._credit_user_may_set_limits():
            before = {
                p.id: (p.commercial_partner_id, p._credit_get_custom_field())
                for p in self
            }
            result = self._credit_write(vals)
            self._credit_check_entity_moves(before)
            return result
        return self._credit_write(vals)

    def _credit_get_custom_field(self):
        """Return the first credit setting of the partner that differs from a
        new customer's default, or ``None``."""
        self.ensure_one()
        defaults = self.default_get(list(CREDIT_MANAGED_FIELDS))
        for fname in CREDIT_MANAGED_FIELDS:
            value = self._credit_normalize_limit_value(fname, self[fname])
            default = self._credit_normalize_limit_value(fname, defaults.get(fname))
            if value != default:
                return fname
        return None

    def _credit_check_entity_moves(self, before):
        """Refuse, to users who are not credit managers, the moves that
        change whose credit settings apply: a contact made a customer of its
        own while carrying its company's settings, or a customer with
        settings of its own put under another company."""
        for partner in self:
            entity_before, custom_before = before[partner.id]
            entity = partner.commercial_partner_id
            if entity == entity_before:
                continue
            if entity == partner:
                custom, source = partner._credit_get_custom_field(), entity_before
            elif entity_before == partner:
                custom, source = custom_before, partner
            else:
                continue
            if custom:
                raise AccessError(
                    self.env._(
                        "Only credit managers may change the credit entity of "
                        "%(partner)s: it carries the credit settings of "
                        "%(entity)s (%(field)s).",
                        partner=partner.name,
                        entity=source.name,
                        field=self._fields[custom].get_description(self.env)["string"],
                    )
                )

    def _credit_write(self, vals):
        if not set(CREDIT_MANAGED_FIELDS) & vals.keys():
            return super().write(vals)

        # 1. Refuse the change to users who are not credit managers.
        self._credit_check_limit_write(vals)

        # 2. Write, keeping the old limits of the commercial entities (the
        # contacts only mirror them and get no message).
        entities = self.filtered(lambda p: p.commercial_partner_id == p)
        company = self.env.company
        old_labels = {p.id: p._credit_get_limit_label(company) for p in entities}
        old_holds = {p.id: p._credit_get_hold_label() for p in entities}
        old_classes = {p.id: p.credit_risk_class for p in entities}
        result = super().write(vals)

        # 3. Log the change in the chatter of each entity.
        for partner in entities:
            new_label = partner._credit_get_limit_label(company)
            if new_label != old_labels[partner.id]:
                partner.message_post(
                    body=self.env._(
                        "Credit limit in %(company)s changed from %(old)s to %(new)s.",
                        company=company.name,
                        old=old_labels[partner.id],
                        new=new_label,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
            if partner.credit_risk_class != old_classes[partner.id]:
                labels = dict(RISK_CLASSES)
                partner.message_post(
                    body=self.env._(
                        "Risk class in %(company)s changed from %(old)s to %(new)s.",
                        company=company.name,
                        old=labels.get(old_classes[partner.id], self.env._("none")),
                        new=labels.get(partner.credit_risk_class, self.env._("none")),
                    ),
                    subtype_xmlid="mail.mt_note",
                )
            new_hold = partner._credit_get_hold_label()
            if new_hold != old_holds[partner.id]:
                partner.message_post(
                    body=self.env._(
                        "Credit hold in %(company)s: %(hold)s.",
                        company=company.name,
                        hold=new_hold,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
        return result

    def _credit_get_hold_label(self):
        """Return the credit hold of the entity in words, for the chatter."""
        self.ensure_one()
        if not self.credit_hold:
            return self.env._("none")
        if self.credit_hold_reason:
            return self.env._("on hold (%(reason)s)", reason=self.credit_hold_reason)
        return self.env._("on hold")

    # -------------------------------------------------------------------------
    # Access to the limit fields
    # -------------------------------------------------------------------------

    @api.model
    def _credit_user_may_set_limits(self):
        """Return whether the current user may change credit limits.

        Superuser mode passes: the commercial-fields sync copies the limit of
        the commercial entity to its contacts under sudo.
        """
        return self.env.su or self.env.user.has_group(
            "credit_management.group_credit_manager"
        )

    @api.model
    def _credit_normalize_limit_value(self, fname, value):
        if fname == "credit_limit_mode":
            return value or "company"
        if fname == "credit_limit_amount":
            return float(value or 0.0)
        if fname in ("credit_temp_limit_date_from", "credit_temp_limit_date_to"):
            return fields.Date.to_date(value) or False
        if fname == "credit_temp_limit_amount":
            return float(value or 0.0)
        if fname == "credit_hold":
            return bool(value)
        if fname == "credit_controller_id":
            if isinstance(value, models.BaseModel):
                value = value.id
            return value or False
        if fname == "credit_limit_currency_id":
            # Empty means the company currency.
            if isinstance(value, models.BaseModel):
                value = value.id
            return value or self.env.company.currency_id.id
        return value or False

    @api.model
    def _credit_raise_limit_access(self, fname, partner_name):
        raise AccessError(
            self.env._(
                "Only credit managers may change the field %(field)s of %(partner)s.",
                field=self._fields[fname].get_description(self.env)["string"],
                partner=partner_name or self.env._("a new contact"),
            )
        )

    def _credit_check_limit_write(self, vals):
        """Refuse changes of the limit fields by users who are not managers.

        Writing the value a record already has is accepted (forms may send
        unchanged values), and so is aligning a contact on its commercial
        entity, which is what the commercial-fields sync does.
        """
        if self._credit_user_may_set_limits():
            return
        for fname in set(CREDIT_MANAGED_FIELDS) & vals.keys():
            new_value = self._credit_normalize_limit_value(fname, vals[fname])
            for partner in self:
                current = self._credit_normalize_limit_value(fname, partner[fname])
                if new_value == current:
                    continue
                commercial = partner.commercial_partner_id
                if commercial != partner and new_value == (
                    self._credit_normalize_limit_value(fname, commercial[fname])
                ):
                    continue
                self._credit_raise_limit_access(fname, partner.display_name)

    # -------------------------------------------------------------------------
    # Business methods
    # -------------------------------------------------------------------------

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + list(CREDIT_MANAGED_FIELDS)

    def _credit_get_limit(self, company):
        """Return the credit limit of the commercial entity in ``company``.

        :return: the limit in company currency, or ``None`` when the customer
            has no limit (mode "none", or mode "company" while the company
            sets no default limit).
        """
        self.ensure_one()
        commercial = self.commercial_partner_id
        if commercial._origin == self._origin:
            # In a form, self holds the unsaved values of the entity itself.
            commercial = self
        commercial = commercial.with_company(company)
        mode = commercial.credit_limit_mode or "company"
        if mode != "none" and commercial._credit_temp_limit_active():
            mode = "custom"
            amount = commercial.credit_temp_limit_amount
        else:
            amount = commercial.credit_limit_amount or 0.0
        if mode == "custom":
            currency = commercial.credit_limit_currency_id
            if currency and currency != company.currency_id:
                amount = currency._convert(
                    amount, company.currency_id, company, fields.Date.today()
                )
            return amount
        if mode == "company" and company.credit_default_limit:
            return company.credit_default_limit
        return None

    def _credit_temp_limit_active(self, date=None):
        """Return whether the temporary limit applies on ``date`` (today)."""
        self.ensure_one()
        date = date or fields.Date.context_today(self)
        date_from = self.credit_temp_limit_date_from
        date_to = self.credit_temp_limit_date_to
        # A temporary limit needs an end, or it would be the usual limit.
        return bool(date_to) and (date_from or date) <= date <= date_to

    def _credit_get_limit_label(self, company):
        """Return the limit of the entity in words, for the chatter."""
        self.ensure_one()
        limit = self._credit_get_limit(company)
        mode = self.with_company(company).credit_limit_mode or "company"
        if limit is None:
            return self.env._("no limit")
        amount = formatLang(self.env, limit, currency_obj=company.currency_id)
        if mode == "company":
            return self.env._("%(amount)s (company default)", amount=amount)
        return amount

    def _credit_get_exposure(self, company, order=None):
        """Return the credit exposure of the commercial entity in ``company``.

        See :meth:`_credit_get_exposures` for the rules. ``order`` is the sale
        order being checked: it is left out of ``orders`` and its full amount
        (converted to company currency) is given as ``order``, so that it
        counts once whatever its state.

        :return: dict with the keys ``receivable``, ``draft_invoices``,
            ``orders``, ``order`` and ``total``, in company currency.
        """
        self.ensure_one()
        commercial = self.commercial_partner_id._origin
        exposure = commercial._credit_get_exposures(company, order=order).get(
            commercial.id
        ) or dict.fromkeys(CREDIT_EXPOSURE_KEYS, 0.0)
        return self._credit_add_order_amount(exposure, company, order)

    @api.model
    def _credit_add_order_amount(self, exposure, company, order):
        """Set the amount of ``order`` (company currency) in ``exposure``."""
        if order:
            rate = order.currency_rate or 1.0
            amount = company.currency_id.round(order.amount_total / rate)
            exposure["order"] = amount
            exposure["total"] = company.currency_id.round(exposure["total"] + amount)
        return exposure

    def _credit_get_group(self, company):
        """Return the active credit group of the entity in ``company``.

        A group of the company itself wins over a group of all companies.
        """
        self.ensure_one()
        return (
            self.env["credit.group"]
            .sudo()
            .search(
                [
                    ("partner_ids", "in", self.commercial_partner_id._origin.ids),
                    ("company_id", "in", [False, company.id]),
                ],
                order="company_id",
                limit=1,
            )
        )

    def _credit_get_group_exposure(self, company, order=None):
        """Return the summed exposure of the entities in ``self``.

        Same keys as :meth:`_credit_get_exposure`; ``order`` counts once.
        """
        exposures = self._credit_get_exposures(company, order=order)
        exposure = dict.fromkeys(CREDIT_EXPOSURE_KEYS, 0.0)
        for values in exposures.values():
            for key in ("receivable", "draft_invoices", "orders", "total"):
                exposure[key] += values[key]
        round_ = company.currency_id.round
        exposure = {key: round_(value) for key, value in exposure.items()}
        return self._credit_add_order_amount(exposure, company, order)

    def _credit_get_exposures(self, company, order=None):
        """Return the exposure of each commercial entity in ``self``.

        One SQL query, grouped by commercial entity (all the partners that
        share a ``commercial_partner_id``), in the currency of ``company``:

        - receivable: open residual of the posted receivable lines of the
          company; unreconciled payments and credit notes are receivable
          lines too and net the balance;
        - draft_invoices: ``amount_total_signed`` of draft customer invoices
          (positive) and credit notes (negative) of the company;
        - orders: confirmed sale orders (state ``sale``) of the company, for
          each line with a positive ordered quantity:
          ``price_total * (product_uom_qty - qty_invoiced) / product_uom_qty``,
          i.e. the share of the line, taxes included, that is not invoiced
          yet, divided by the order's ``currency_rate`` to reach company
          currency. ``qty_invoiced`` counts draft invoices too, so a draft
          invoice moves an amount from ``orders`` to ``draft_invoices``.
          Over-invoiced lines count zero. ``order`` is left out.

        :param order: optional ``sale.order`` to leave out of ``orders``.
        :return: ``{commercial_partner_id: {"receivable", "draft_invoices",
            "orders", "order", "total"}}``; entities without any amount are
            missing from the dict.
        """
        commercial_ids = list(set(self.commercial_partner_id._origin.ids))
        if not commercial_ids:
            return {}
        partner_filter = SQL("rp.commercial_partner_id = ANY(%s)", commercial_ids)
        if company.credit_exposure_scope == "global":
            return self._credit_get_global_exposures(company, partner_filter, order)
        self._credit_flush_exposure_sources()
        self.env.cr.execute(
            self._credit_exposure_query(
                company,
                partner_filter=partner_filter,
                order=order,
            )
        )
        # Fetch before anything else reads the ORM: a cache miss (the company
        # currency, say) runs its own query on this cursor and drops the rows.
        rows = self.env.cr.fetchall()
        round_ = company.currency_id.round
        result = {}
        for partner_id, receivable, draft, orders in rows:
            values = {
                "receivable": round_(receivable or 0.0),
                "draft_invoices": round_(draft or 0.0),
                "orders": round_(orders or 0.0),
                "order": 0.0,
            }
            values["total"] = round_(
                values["receivable"] + values["draft_invoices"] + values["orders"]
            )
            result[partner_id] = values
        return result

    @api.model
    def _credit_get_global_exposures(self, company, partner_filter, order=None):
        """Return the exposure of the entities over all companies.

        Same sources and keys as :meth:`_credit_get_exposures`, summed over
        every company and converted into the currency of ``company``: open
        items and draft invoices from their company currency at today's
        rate, orders from their own currency at their order date's rate.
        """
        self._credit_flush_exposure_sources()
        self.env.cr.execute(self._credit_global_exposure_query(partner_filter, order))
        rows = self.env.cr.fetchall()
        currency = company.currency_id
        today = fields.Date.context_today(self)
        result = {}
        for partner_id, key, currency_id, date, amount in rows:
            values = result.setdefault(
                partner_id, dict.fromkeys(CREDIT_EXPOSURE_KEYS, 0.0)
            )
            values[key] += (
                self.env["res.currency"]
                .browse(currency_id)
                ._convert(amount or 0.0, currency, company, date or today, round=False)
            )
        for values in result.values():
            for key in ("receivable", "draft_invoices", "orders"):
                values[key] = currency.round(values[key])
            values["total"] = currency.round(
                values["receivable"] + values["draft_invoices"] + values["orders"]
            )
        return result

    @api.model
    def _credit_global_exposure_query(self, partner_filter, order=None):
        """Return the SQL of the exposure sources of all companies.

        Rows are ``(commercial_partner_id, key, currency_id, date, amount)``
        where ``key`` is an exposure key, ``currency_id`` the currency of
        ``amount`` and ``date`` the conversion date (``NULL``: today).
        """
        order_id = (order._origin.id or None) if order else None
        return SQL(
            """
            SELECT rp.commercial_partner_id, 'receivable', c.currency_id,
                   NULL::date, SUM(aml.amount_residual)
              FROM account_move_line aml
              JOIN account_account acc ON acc.id = aml.account_id
              JOIN res_partner rp ON rp.id = aml.partner_id
              JOIN res_company c ON c.id = aml.company_id
             WHERE aml.parent_state = 'posted'
               AND acc.account_type = 'asset_receivable'
               AND aml.amount_residual != 0
               AND %(partner_filter)s
          GROUP BY rp.commercial_partner_id, c.currency_id
         UNION ALL
            SELECT rp.commercial_partner_id, 'draft_invoices', c.currency_id,
                   NULL::date, SUM(GREATEST(0.0, am.amount_total_signed))
              FROM account_move am
              JOIN res_partner rp ON rp.id = am.partner_id
              JOIN res_company c ON c.id = am.company_id
             WHERE am.state = 'draft'
               AND am.move_type = 'out_invoice'
               AND %(partner_filter)s
          GROUP BY rp.commercial_partner_id, c.currency_id
         UNION ALL
            SELECT rp.commercial_partner_id, 'orders', so.currency_id,
                   so.date_order::date,
                   GREATEST(0.0, SUM(%(line_amount)s))
              FROM sale_order_line sol
              JOIN sale_order so ON so.id = sol.order_id
              JOIN res_partner rp ON rp.id = so.partner_id
             WHERE so.state = 'sale'
               AND so.id IS DISTINCT FROM %(order_id)s
               AND %(line_filter)s
               AND %(partner_filter)s
          GROUP BY so.id, rp.commercial_partner_id, so.currency_id,
                   so.date_order::date
            """,
            partner_filter=partner_filter,
            order_id=order_id,
            line_amount=self._credit_order_line_amount_sql(),
            line_filter=self._credit_order_line_filter_sql(),
        )

    @api.model
    def _credit_flush_exposure_sources(self):
        """Write pending ORM changes the exposure query reads."""
        self.env["res.partner"].flush_model(
            ["commercial_partner_id", "company_id"] + list(CREDIT_LIMIT_FIELDS)
        )
        self.env["account.account"].flush_model(["account_type"])
        self.env["res.company"].flush_model(["currency_id"])
        self.env["account.move"].flush_model(
            ["state", "move_type", "company_id", "partner_id", "amount_total_signed"]
        )
        self.env["account.move.line"].flush_model(
            [
                "parent_state",
                "company_id",
                "partner_id",
                "account_id",
                "amount_residual",
                "price_total",
                "move_id",
            ]
        )
        self.env["sale.order"].flush_model(
            [
                "state",
                "company_id",
                "partner_id",
                "currency_rate",
                "currency_id",
                "date_order",
            ]
        )
        self.env["sale.order.line"].flush_model(
            [
                "order_id",
                "price_total",
                "product_uom_qty",
                "qty_invoiced",
                "is_downpayment",
                "invoice_lines",
            ]
        )

    @api.model
    def _credit_exposure_query(self, company, partner_filter, order=None):
        """Return the SQL that sums exposure per commercial entity.

        Rows are ``(commercial_partner_id, receivable, draft_invoices,
        orders)``; ``partner_filter`` is a condition on ``rp``, the partner of
        each source document.
        """
        order_id = (order._origin.id or None) if order else None
        return SQL(
            """
            SELECT src.partner_id,
                   SUM(src.receivable),
                   SUM(src.draft_invoices),
                   SUM(src.orders)
              FROM (
                    SELECT rp.commercial_partner_id AS partner_id,
                           aml.amount_residual AS receivable,
                           0.0 AS draft_invoices,
                           0.0 AS orders
                      FROM account_move_line aml
                      JOIN account_account acc ON acc.id = aml.account_id
                      JOIN res_partner rp ON rp.id = aml.partner_id
                     WHERE aml.company_id = %(company_id)s
                       AND aml.parent_state = 'posted'
                       AND acc.account_type = 'asset_receivable'
                       AND aml.amount_residual != 0
                       AND %(partner_filter)s
                 UNION ALL
                    SELECT rp.commercial_partner_id,
                           0.0,
                           GREATEST(0.0, am.amount_total_signed),
                           0.0
                      FROM account_move am
                      JOIN res_partner rp ON rp.id = am.partner_id
                     WHERE am.company_id = %(company_id)s
                       AND am.state = 'draft'
                       AND am.move_type = 'out_invoice'
                       AND %(partner_filter)s
                 UNION ALL
                    -- Per order, never below zero: an order with negative
                    -- lines cannot make room for others.
                    SELECT rp.commercial_partner_id,
                           0.0,
                           0.0,
                           GREATEST(0.0, SUM(%(line_amount)s))
                               / COALESCE(NULLIF(so.currency_rate, 0), 1)
                      FROM sale_order_line sol
                      JOIN sale_order so ON so.id = sol.order_id
                      JOIN res_partner rp ON rp.id = so.partner_id
                     WHERE so.company_id = %(company_id)s
                       AND so.state = 'sale'
                       AND so.id IS DISTINCT FROM %(order_id)s
                       AND %(line_filter)s
                       AND %(partner_filter)s
                  GROUP BY so.id, so.currency_rate, rp.commercial_partner_id
                   ) src
          GROUP BY src.partner_id
            """,
            company_id=company.id,
            order_id=order_id,
            partner_filter=partner_filter,
            line_amount=self._credit_order_line_amount_sql(),
            line_filter=self._credit_order_line_filter_sql(),
        )

    @api.model
    def _credit_order_line_filter_sql(self):
        """The lines of ``sol`` that weigh on the exposure."""
        return SQL(
            """(sol.is_downpayment
                OR (sol.product_uom_qty > 0
                    AND sol.qty_invoiced < sol.product_uom_qty))"""
        )

    @api.model
    def _credit_order_line_amount_sql(self):
        """What a line of ``sol`` weighs, in order currency, taxes included.

        The part not invoiced yet of a product line; for a down payment line,
        minus what its invoices ask for: the down payment invoice counts on
        its own (as a draft or a receivable) until the final invoice deducts
        it, and the order must not count that part a second time.
        """
        return SQL(
            """
            CASE WHEN sol.is_downpayment THEN
                -COALESCE((
                    SELECT SUM(CASE WHEN am.move_type = 'out_refund'
                                    THEN -aml.price_total
                                    ELSE aml.price_total END)
                      FROM sale_order_line_invoice_rel rel
                      JOIN account_move_line aml ON aml.id = rel.invoice_line_id
                      JOIN account_move am ON am.id = aml.move_id
                     WHERE rel.order_line_id = sol.id
                       AND am.state != 'cancel'), 0)
            ELSE sol.price_total * (sol.product_uom_qty - sol.qty_invoiced)
                 / sol.product_uom_qty
            END
            """
        )

    @api.model
    def _credit_get_over_limit_ids(self, company):
        """Return the ids of the commercial entities over their limit.

        One SQL query over all the commercial partners visible in
        ``company``: their limit (from the company-dependent columns and the
        company default) against their exposure.
        """
        if company.credit_exposure_scope == "global":
            return self._credit_get_global_over_limit_ids(company)
        self._credit_flush_exposure_sources()
        mode_field = self._fields["credit_limit_mode"]
        amount_field = self._fields["credit_limit_amount"]
        partners = self.with_company(company)
        mode_fallback = mode_field.get_company_dependent_fallback(partners)
        amount_fallback = amount_field.get_company_dependent_fallback(partners)
        company_key = str(company.id)
        self.env.cr.execute(
            SQL(
                """
                WITH exposure AS (%(exposure)s),
                limits AS (
                    SELECT p.id,
                           CASE COALESCE(
                                    p.credit_limit_mode ->> %(company_key)s,
                                    %(mode_fallback)s
                                )
                                WHEN 'custom' THEN COALESCE(
                                    (p.credit_limit_amount ->> %(company_key)s)
                                        ::numeric,
                                    %(amount_fallback)s
                                )
                                WHEN 'company' THEN %(company_default)s
                           END AS credit_limit
                      FROM res_partner p
                     WHERE p.id = p.commercial_partner_id
                       AND (p.company_id IS NULL OR p.company_id = %(company_id)s)
                )
                SELECT limits.id
                  FROM limits
                  JOIN exposure ON exposure.partner_id = limits.id
                 WHERE limits.credit_limit IS NOT NULL
                   AND ROUND(
                           (COALESCE(exposure.sum_receivable, 0)
                            + COALESCE(exposure.sum_draft, 0)
                            + COALESCE(exposure.sum_orders, 0)
                            - limits.credit_limit)::numeric,
                           %(digits)s
                       ) > 0
                """,
                exposure=SQL(
                    "SELECT * FROM (%s) AS e(partner_id, sum_receivable, sum_draft,"
                    " sum_orders)",
                    self._credit_exposure_query(company, partner_filter=SQL("TRUE")),
                ),
                company_key=company_key,
                mode_fallback=mode_fallback or "company",
                amount_fallback=amount_fallback or 0.0,
                company_default=company.credit_default_limit or None,
                company_id=company.id,
                digits=company.currency_id.decimal_places,
            )
        )
        over_ids = [row[0] for row in self.env.cr.fetchall()]
        return self._credit_fix_foreign_limit_ids(company, over_ids)

    @api.model
    def _credit_get_global_over_limit_ids(self, company):
        """Return the entities over their limit when exposure is global.

        The exposure of each entity with any open document in any company
        is converted in Python, then judged against its limit in
        ``company``.
        """
        # TODO: one limit read per entity with exposure; a single query
        # converting the amounts in SQL would scale better.
        exposures = self._credit_get_global_exposures(company, SQL("TRUE"))
        partners = self.browse(list(exposures)).filtered(
            lambda p: (
                p.commercial_partner_id == p
                and p.company_id in (company, self.env["res.company"])
            )
        )
        currency = company.currency_id
        result = []
        for partner in partners:
            limit = partner._credit_get_limit(company)
            total = exposures[partner.id]["total"]
            if limit is not None and currency.compare_amounts(total, limit) > 0:
                result.append(partner.id)
        return sorted(result)

    @api.model
    def _credit_fix_foreign_limit_ids(self, company, over_ids):
        """Re-judge the entities with a foreign or temporary limit.

        The over-limit query compares raw amounts; a limit in a foreign
        currency needs today's rate and a temporary limit its dates, which
        :meth:`_credit_get_limit` applies here. There are few such customers.
        """
        company_key = str(company.id)
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id
                  FROM res_partner p
                 WHERE p.id = p.commercial_partner_id
                   AND (
                        (p.credit_limit_mode ->> %(key)s = 'custom'
                         AND (p.credit_limit_currency_id ->> %(key)s)::int
                             != %(currency_id)s)
                        OR (p.credit_temp_limit_date_to ->> %(key)s)::date
                            >= %(today)s
                   )
                """,
                key=company_key,
                currency_id=company.currency_id.id,
                today=fields.Date.context_today(self),
            )
        )
        foreign = self.browse([row[0] for row in self.env.cr.fetchall()])
        if not foreign:
            return over_ids
        exposures = foreign._credit_get_exposures(company)
        result = set(over_ids) - set(foreign.ids)
        currency = company.currency_id
        for partner in foreign:
            limit = partner._credit_get_limit(company)
            total = exposures.get(partner.id, {}).get("total", 0.0)
            if limit is not None and currency.compare_amounts(total, limit) > 0:
                result.add(partner.id)
        return sorted(result)

    # -------------------------------------------------------------------------
    # Explainable decision
    # -------------------------------------------------------------------------

    def _credit_evaluate(self, company, order=None):
        """Evaluate the credit rules of ``company`` for this customer.

        Read as superuser by the callers, so that record rules do not hide
        documents of colleagues.

        :param order: optional ``sale.order`` being checked (see
            :meth:`_credit_get_exposure`).
        :return: dict with ``partner`` (commercial entity in ``company``),
            ``company``, ``currency``, ``order``, ``limit`` (or ``None``; the
            credit group's limit when the entity is in one), ``group`` (the
            ``credit.group``, maybe empty; its members' exposure is summed),
            ``risk_class``, ``exposure`` (see :meth:`_credit_get_exposure`),
            ``components`` (list of dicts ``key``, ``label``, ``amount``,
            ``res_model``, ``res_ids``), ``overdue`` (``amount``,
            ``oldest_days``, ``res_ids``, or ``None`` when no rule needs it),
            ``rules`` (results of :meth:`credit.rule._evaluate`, in rule
            order) and ``result`` (``pass``, ``warn`` or ``block``).
        """
        self.ensure_one()
        partner = self.commercial_partner_id.with_company(company)

        # 1. Limit and exposure, with the documents behind each amount: a
        # credit group pools its members' exposure against its own limit.
        group = partner._credit_get_group(company)
        if group:
            members = (group.partner_ids | partner).with_company(company)
            exposure = members._credit_get_group_exposure(company, order=order)
            documents = members._credit_get_exposure_documents(company, order=order)
            limit = group._get_limit(company)
        else:
            exposure = partner._credit_get_exposure(company, order=order)
            documents = partner._credit_get_exposure_documents(company, order=order)
            limit = partner._credit_get_limit(company)
        labels = {
            "receivable": self.env._("Open receivables"),
            "draft_invoices": self.env._("Draft invoices"),
            "orders": self.env._("Uninvoiced orders"),
            "order": self.env._("This order"),
        }
        if group:
            labels = {
                key: self.env._(
                    "%(label)s (credit group %(group)s)", label=label, group=group.name
                )
                for key, label in labels.items()
                if key != "order"
            } | {"order": labels["order"]}
        components = [
            {
                "key": key,
                "label": labels[key],
                "amount": exposure[key],
                "res_model": "sale.order"
                if key in ("orders", "order")
                else "account.move",
                "res_ids": documents.get(key, []),
            }
            for key in ("receivable", "draft_invoices", "orders", "order")
            if key != "order" or order
        ]
        decision = {
            "partner": partner,
            "company": company,
            "currency": company.currency_id,
            "order": order,
            "limit": limit,
            "group": group,
            "risk_class": partner._credit_get_decision_risk_class(),
            "exposure": exposure,
            "components": components,
            "overdue": None,
            "rules": [],
            "result": "pass",
        }

        # 2. The facts only some rules need.
        rules = self.env["credit.rule"].sudo().search([("company_id", "=", company.id)])
        rules = rules.filtered(lambda r: r._applies_to(decision))
        if "overdue" in rules._get_needed_facts():
            decision["overdue"] = partner._credit_get_overdue(company)

        # 3. Each rule, the strictest result wins.
        severity = {"pass": 0, "warn": 1, "block": 2}
        for rule in rules:
            result = rule._evaluate(decision)
            decision["rules"].append(result)
            if severity[result["result"]] > severity[decision["result"]]:
                decision["result"] = result["result"]
        return decision

    def _credit_get_decision_risk_class(self):
        """Return the risk class the credit rules see. Hook: the manual class
        here; a module deriving classes from behaviour returns its own."""
        self.ensure_one()
        return self.credit_risk_class

    def _credit_get_overdue(self, company, date=None):
        """Return the overdue receivables of the commercial entity.

        An item is overdue the day after its due date: one due today is not.

        :return: dict with ``amount`` (open debit residual, company
            currency), ``oldest_days`` (days past due of the oldest item, 0
            if none) and ``res_ids`` (the invoices).
        """
        self.ensure_one()
        date = date or fields.Date.context_today(self)
        self._credit_flush_exposure_sources()
        self.env["account.move.line"].flush_model(["date_maturity", "move_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT SUM(aml.amount_residual),
                       MIN(aml.date_maturity),
                       ARRAY_AGG(DISTINCT aml.move_id)
                  FROM account_move_line aml
                  JOIN account_account acc ON acc.id = aml.account_id
                  JOIN res_partner rp ON rp.id = aml.partner_id
                 WHERE aml.company_id = %(company_id)s
                   AND aml.parent_state = 'posted'
                   AND acc.account_type = 'asset_receivable'
                   AND aml.amount_residual > 0
                   AND aml.date_maturity < %(date)s
                   AND rp.commercial_partner_id = %(partner_id)s
                """,
                company_id=company.id,
                date=date,
                partner_id=self.commercial_partner_id._origin.id,
            )
        )
        amount, oldest, move_ids = self.env.cr.fetchone()
        return {
            "amount": company.currency_id.round(amount or 0.0),
            "oldest_days": (date - oldest).days if oldest else 0,
            "res_ids": sorted(move_ids or []),
        }

    def _credit_get_exposure_documents(self, company, order=None):
        """Return the ids of the documents behind each exposure component.

        Same sources as :meth:`_credit_exposure_query`, in one query, for
        all the commercial entities in ``self`` (the members of a credit
        group) and, when the company's exposure is global, all companies.

        :return: dict ``{"receivable": move ids, "draft_invoices": move ids,
            "orders": order ids, "order": [order id]}``.
        """
        order_id = (order._origin.id or None) if order else None
        if company.credit_exposure_scope == "global":
            company_ids = self.env["res.company"].sudo().search([]).ids
        else:
            company_ids = company.ids
        self._credit_flush_exposure_sources()
        self.env.cr.execute(
            SQL(
                """
                SELECT 'receivable', ARRAY_AGG(DISTINCT aml.move_id)
                  FROM account_move_line aml
                  JOIN account_account acc ON acc.id = aml.account_id
                  JOIN res_partner rp ON rp.id = aml.partner_id
                 WHERE aml.company_id = ANY(%(company_ids)s)
                   AND aml.parent_state = 'posted'
                   AND acc.account_type = 'asset_receivable'
                   AND aml.amount_residual != 0
                   AND rp.commercial_partner_id = ANY(%(partner_ids)s)
             UNION ALL
                SELECT 'draft_invoices', ARRAY_AGG(am.id)
                  FROM account_move am
                  JOIN res_partner rp ON rp.id = am.partner_id
                 WHERE am.company_id = ANY(%(company_ids)s)
                   AND am.state = 'draft'
                   AND am.move_type = 'out_invoice'
                   AND rp.commercial_partner_id = ANY(%(partner_ids)s)
             UNION ALL
                SELECT 'orders', ARRAY_AGG(DISTINCT so.id)
                  FROM sale_order_line sol
                  JOIN sale_order so ON so.id = sol.order_id
                  JOIN res_partner rp ON rp.id = so.partner_id
                 WHERE so.company_id = ANY(%(company_ids)s)
                   AND so.state = 'sale'
                   AND so.id IS DISTINCT FROM %(order_id)s
                   AND sol.product_uom_qty > 0
                   AND sol.qty_invoiced < sol.product_uom_qty
                   AND rp.commercial_partner_id = ANY(%(partner_ids)s)
                """,
                company_ids=company_ids,
                partner_ids=self.commercial_partner_id._origin.ids,
                order_id=order_id,
            )
        )
        result = {key: sorted(ids or []) for key, ids in self.env.cr.fetchall()}
        result["order"] = [order_id] if order_id else []
        return result

    @api.model
    def _credit_get_block_paragraph(self, document_name, decision):
        """Return the paragraph of a refusal: the document, its customer and
        each blocking rule with its measure."""
        reasons = [
            self.env._("%(rule)s: %(message)s", rule=r["name"], message=r["message"])
            for r in decision["rules"]
            if r["result"] == "block"
        ]
        return self.env._(
            "%(document)s for %(customer)s:\n%(reasons)s",
            document=document_name,
            customer=decision["partner"].display_name,
            reasons="\n".join(f"- {reason}" for reason in reasons),
        )

    def _credit_render_decision(self, decision):
        """Return the decision as an HTML table, for forms and messages."""
        currency = decision["currency"]

        def fmt(value):
            if isinstance(value, bool) or value is None:
                return ""
            if isinstance(value, int):
                return str(value)
            return formatLang(self.env, value, currency_obj=currency)

        badges = {
            "pass": ("text-bg-success", self.env._("Passed")),
            "warn": ("text-bg-warning", self.env._("Warning")),
            "block": ("text-bg-danger", self.env._("Blocked")),
        }
        rows = Markup()
        for result in decision["rules"]:
            css, label = badges[result["result"]]
            rows += Markup(
                "<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td>"
                "<td class='text-end'>%s</td>"
                "<td><span class='badge %s'>%s</span></td></tr>"
            ) % (
                result["name"],
                result["message"],
                fmt(result["value"]),
                fmt(result["threshold"]),
                css,
                label,
            )
        components = Markup()
        for component in decision["components"]:
            records = self.env[component["res_model"]].browse(component["res_ids"])
            # Each document links to its form in the web client.
            names = Markup(", ").join(
                Markup("<a href='/odoo/%s/%s'>%s</a>")
                % (record._name, record.id, record.display_name)
                for record in records.sudo()
            )
            components += Markup(
                "<tr><td>%s</td><td class='text-end'>%s</td><td>%s</td></tr>"
            ) % (component["label"], fmt(component["amount"]), names)
        return Markup(
            "<table class='table table-sm o_credit_rules'><thead><tr>"
            "<th>%s</th><th>%s</th><th class='text-end'>%s</th>"
            "<th class='text-end'>%s</th><th>%s</th></tr></thead>"
            "<tbody>%s</tbody></table>"
            "<table class='table table-sm o_credit_components'><thead><tr>"
            "<th>%s</th><th class='text-end'>%s</th><th>%s</th></tr></thead>"
            "<tbody>%s</tbody></table>"
        ) % (
            self.env._("Rule"),
            self.env._("Measure"),
            self.env._("Value"),
            self.env._("Threshold"),
            self.env._("Result"),
            rows,
            self.env._("Exposure"),
            self.env._("Amount"),
            self.env._("Documents"),
            components,
        )
