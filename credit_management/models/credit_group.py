from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CreditGroup(models.Model):
    """Customers that share one credit limit and one pooled exposure."""

    _name = "credit.group"
    _description = "Credit Group"
    _inherit = ["mail.thread"]
    _order = "name"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        comodel_name="res.company",
        string="Company",
        help="Empty: the group applies in every company.",
    )
    partner_ids = fields.Many2many(
        comodel_name="res.partner",
        relation="credit_group_partner_rel",
        column1="group_id",
        column2="partner_id",
        string="Members",
        domain="[('is_company', '=', True)]",
        help="Commercial entities whose exposure is summed and judged against "
        "the limit of the group instead of their own.",
    )
    limit_mode = fields.Selection(
        selection=[("custom", "Custom limit"), ("none", "No limit")],
        string="Limit Mode",
        required=True,
        default="custom",
        tracking=True,
    )
    limit_amount = fields.Monetary(
        string="Credit Limit",
        currency_field="currency_id",
        tracking=True,
        help="Limit of the whole group; zero means payment in advance.",
    )
    currency_id = fields.Many2one(
        comodel_name="res.currency",
        string="Currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
        help="Currency of the limit; converted at today's rate into the "
        "currency of the company that checks an order.",
    )

    @api.constrains("limit_amount")
    def _check_limit_amount(self):
        for group in self:
            if group.limit_amount < 0:
                raise ValidationError(
                    self.env._(
                        "The credit limit of the credit group %(group)s cannot "
                        "be negative.",
                        group=group.name,
                    )
                )

    @api.constrains("partner_ids", "company_id", "active")
    def _check_single_group(self):
        # Two groups of one customer in the same company would leave no
        # single limit to apply.
        for group in self.filtered("active"):
            domain = [
                ("id", "!=", group.id),
                ("partner_ids", "in", group.partner_ids.ids),
            ]
            if group.company_id:
                domain += [("company_id", "in", [False, group.company_id.id])]
            others = self.search(domain)
            if others:
                shared = others.partner_ids & group.partner_ids
                raise ValidationError(
                    self.env._(
                        "%(partner)s cannot belong to both credit groups "
                        "%(group)s and %(other)s in the same company.",
                        partner=shared[:1].display_name,
                        group=group.name,
                        other=others[0].name,
                    )
                )

    def _get_limit(self, company):
        """Return the group limit in the currency of ``company``, or None."""
        self.ensure_one()
        if self.limit_mode == "none":
            return None
        return self.currency_id._convert(
            self.limit_amount, company.currency_id, company, fields.Date.today()
        )
