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
    credit_rule_ids = fields.One2many(
        comodel_name="credit.rule",
        inverse_name="company_id",
        string="Credit Rules",
    )

    @api.constrains("credit_default_limit", "credit_limit_tolerance")
    def _check_credit_settings(self):
        for company in self:
            if company.credit_default_limit < 0:
                raise ValidationError(
                    self.env._(
                        "The default credit limit of %(company)s cannot be negative.",
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
