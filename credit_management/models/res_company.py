from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    """Company-wide default credit limit and credit rules."""

    _inherit = "res.company"

    credit_default_limit = fields.Monetary(
        string="Default Credit Limit",
        currency_field="currency_id",
        help="Credit limit of customers whose limit mode is 'Company default'. "
        "Zero means that the company sets no default limit: such customers are "
        "then not limited. Use a custom limit of zero on a customer to demand "
        "payment in advance.",
    )
    credit_limit_tolerance = fields.Float(
        string="Credit Limit Tolerance (%)",
        digits=(16, 2),
        help="Percentage by which the exposure may exceed a customer's credit "
        "limit before the credit limit rule fires.",
    )
    credit_exposure_scope = fields.Selection(
        selection=[
            ("company", "This company"),
            ("global", "All companies"),
        ],
        string="Credit Exposure Scope",
        default="company",
        required=True,
        help="This company: a customer's exposure counts the documents of this "
        "company only.\nAll companies: it sums the open items, draft invoices "
        "and uninvoiced orders of the customer in every company, converted "
        "into this company's currency; the limit stays this company's.",
    )
    credit_check_on_invoice = fields.Boolean(
        string="Check Credit on Invoice Posting",
        help="Run the credit rules when a customer invoice is posted and "
        "refuse to post it when a rule blocks.",
    )
    credit_check_on_delivery = fields.Boolean(
        string="Check Credit on Delivery Validation",
        help="Run the credit rules when a delivery to a customer is validated "
        "and refuse to validate it when a rule blocks. Warnings are posted on "
        "the delivery, which is then validated.",
    )
    credit_hold_auto_confirm = fields.Boolean(
        string="Confirm Released Orders",
        help="Approving a credit hold confirms the order at once. Otherwise "
        "the salesperson confirms it under the release.",
    )
    credit_release_days = fields.Integer(
        string="Release Validity (days)",
        default=7,
        help="Days during which an approved release may be used to confirm "
        "its order, unless the approver sets another date.",
    )
    credit_hold_large_amount = fields.Monetary(
        string="Large Hold Amount",
        currency_field="currency_id",
        help="Holds of orders above this amount show under the 'Large orders' "
        "filter of the hold queue. Zero: no threshold.",
    )
    credit_hold_user_id = fields.Many2one(
        comodel_name="res.users",
        string="Hold Reviewer",
        domain=[("share", "=", False)],
        help="Decides on the holds of customers who have no credit controller "
        "of their own. Empty: the first credit controller of the company.",
    )
    credit_authority_ids = fields.One2many(
        comodel_name="credit.approval.authority",
        inverse_name="company_id",
        string="Approval Authority",
    )
    credit_rule_ids = fields.One2many(
        comodel_name="credit.rule",
        inverse_name="company_id",
        string="Credit Rules",
    )

    @api.constrains(
        "credit_default_limit",
        "credit_limit_tolerance",
        "credit_release_days",
        "credit_hold_large_amount",
    )
    def _check_credit_settings(self):
        for company in self:
            if company.credit_default_limit < 0:
                raise ValidationError(
                    self.env._(
                        "The default credit limit of %(company)s cannot be negative.",
                        company=company.name,
                    )
                )
            if company.credit_release_days < 1:
                raise ValidationError(
                    self.env._(
                        "The release validity of %(company)s must be at least one day.",
                        company=company.name,
                    )
                )
            if company.credit_hold_large_amount < 0:
                raise ValidationError(
                    self.env._(
                        "The large hold amount of %(company)s cannot be negative.",
                        company=company.name,
                    )
                )
            if not 0.0 <= company.credit_limit_tolerance <= 100.0:
                raise ValidationError(
                    self.env._(
                        "The credit limit tolerance of %(company)s must be "
                        "between 0 and 100 %%.",
                        company=company.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._credit_ensure_default_rules()
        return companies

    @api.model
    def _credit_init_default_rules(self):
        """Give every existing company its default rules (module install)."""
        self.sudo().search([])._credit_ensure_default_rules()

    def _credit_ensure_default_rules(self):
        """Create the credit limit rule of the companies that have no rule.

        It blocks orders over the limit, which is what the module did before
        rules existed. A company whose rules were all archived keeps none.
        """
        Rule = self.env["credit.rule"].sudo().with_context(active_test=False)
        have_rules = set(Rule.search([("company_id", "in", self.ids)]).company_id.ids)
        Rule.create(
            [
                Rule._prepare_default_rule_vals(company)
                for company in self
                if company.id not in have_rules
            ]
        )
        Authority = self.env["credit.approval.authority"].sudo()
        have_authority = set(
            Authority.search([("company_id", "in", self.ids)]).company_id.ids
        )
        Authority.create(
            [
                vals
                for company in self
                if company.id not in have_authority
                for vals in Authority._prepare_default_vals(company)
            ]
        )
