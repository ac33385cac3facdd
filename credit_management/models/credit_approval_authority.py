from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CreditApprovalAuthority(models.Model):
    """How much over the credit limit the members of a group may release."""

    _name = "credit.approval.authority"
    _description = "Credit Approval Authority"
    _inherit = ["mail.thread"]
    _order = "company_id, unlimited, max_amount, id"
    _check_company_auto = True

    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
        tracking=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    group_id = fields.Many2one(
        comodel_name="res.groups",
        string="Group",
        required=True,
        ondelete="cascade",
        tracking=True,
        help="Members of this group, including the members of the groups that "
        "imply it, may release up to the amount below.",
    )
    max_amount = fields.Monetary(
        string="Largest Release",
        currency_field="currency_id",
        tracking=True,
        help="The largest amount over the credit limit that the group may "
        "release, in company currency.",
    )
    unlimited = fields.Boolean(
        string="Any Amount",
        tracking=True,
        help="The group may release any amount.",
    )

    _sql_constraints = [
        (
            "group_company_unique",
            "UNIQUE(company_id, group_id)",
            "A group has one approval authority per company.",
        ),
    ]

    @api.constrains("max_amount", "unlimited")
    def _check_max_amount(self):
        for line in self:
            if not line.unlimited and line.max_amount < 0:
                raise ValidationError(
                    self.env._(
                        "The largest release of %(group)s in %(company)s "
                        "cannot be negative.",
                        group=line.group_id.name,
                        company=line.company_id.name,
                    )
                )

    @api.depends("group_id", "company_id")
    def _compute_display_name(self):
        for line in self:
            line.display_name = f"{line.group_id.name} ({line.company_id.name})"

    @api.model
    def _get_user_authority(self, user, company):
        """Return the largest release ``user`` may approve in ``company``,
        ``None`` for any amount, 0.0 when none of their groups has a line."""
        lines = (
            self.sudo()
            .search([("company_id", "=", company.id)])
            .filtered(lambda line: line.group_id in user.groups_id)
        )
        if any(line.unlimited for line in lines):
            return None
        return max(lines.mapped("max_amount"), default=0.0)

    @api.model
    def _get_group_for_amount(self, company, amount):
        """Return the group with the smallest authority covering ``amount``."""
        lines = self.sudo().search([("company_id", "=", company.id)])
        covering = lines.filtered(
            lambda line: (
                line.unlimited
                or company.currency_id.compare_amounts(line.max_amount, amount) >= 0
            )
        )
        covering = covering.sorted(lambda line: (line.unlimited, line.max_amount))
        return covering[:1].group_id

    @api.model
    def _prepare_default_vals(self, company):
        """Controllers release up to 5,000 over the limit, managers any amount."""
        return [
            {
                "company_id": company.id,
                "group_id": self.env.ref(
                    "credit_management.group_credit_controller"
                ).id,
                "max_amount": 5000.0,
            },
            {
                "company_id": company.id,
                "group_id": self.env.ref("credit_management.group_credit_manager").id,
                "unlimited": True,
            },
        ]
