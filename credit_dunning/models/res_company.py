from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    """Company default dunning policy."""

    _inherit = "res.company"

    credit_dunning_policy_id = fields.Many2one(
        comodel_name="credit.dunning.policy",
        string="Default Dunning Policy",
        domain="[('company_id', '=', id)]",
        help="Policy applied to customers that have no policy of their own.",
    )
    credit_dunning_fee_product_id = fields.Many2one(
        comodel_name="product.product",
        string="Dunning Fee Product",
        domain="[('type', '=', 'service')]",
        help="Product of the invoices that book dunning fees. Empty: the "
        "'Dunning fee' product of the module.",
    )
    credit_dunning_fee_journal_id = fields.Many2one(
        comodel_name="account.journal",
        string="Dunning Fee Journal",
        domain="[('type', '=', 'sale'), ('company_id', '=', id)]",
        help="Sales journal of the fee invoices. Empty: the first sales journal.",
    )

    @api.constrains(
        "credit_dunning_policy_id",
        "credit_dunning_fee_product_id",
        "credit_dunning_fee_journal_id",
    )
    def _check_credit_dunning_settings(self):
        for company in self:
            policy = company.credit_dunning_policy_id
            product = company.credit_dunning_fee_product_id
            journal = company.credit_dunning_fee_journal_id
            problem = None
            if policy and policy.company_id != company:
                problem = ("credit_dunning_policy_id", policy.display_name)
            elif product and (
                product.type != "service"
                or product.company_id not in (company, company.browse())
            ):
                problem = ("credit_dunning_fee_product_id", product.display_name)
            elif journal and (journal.type != "sale" or journal.company_id != company):
                problem = ("credit_dunning_fee_journal_id", journal.display_name)
            if problem:
                fname, value = problem
                raise ValidationError(
                    self.env._(
                        "%(field)s of %(company)s: %(value)s does not fit; it "
                        "must be %(expected)s.",
                        field=self._fields[fname].get_description(self.env)["string"],
                        company=company.name,
                        value=value,
                        expected={
                            "credit_dunning_policy_id": self.env._(
                                "a policy of this company"
                            ),
                            "credit_dunning_fee_product_id": self.env._(
                                "a service product of this company or shared"
                            ),
                            "credit_dunning_fee_journal_id": self.env._(
                                "a sales journal of this company"
                            ),
                        }[fname],
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._credit_dunning_ensure_default_policy()
        companies._credit_dunning_ensure_hold_rule()
        return companies

    @api.model
    def _credit_dunning_init_hold_rules(self):
        """Give every existing company the dunning credit hold rule."""
        self.sudo().with_context(active_test=False).search(
            []
        )._credit_dunning_ensure_hold_rule()

    def _credit_dunning_ensure_hold_rule(self):
        """Create the dunning credit hold rule of companies that have none.

        An archived one counts: a company that turned it off keeps it off.
        """
        Rule = self.env["credit.rule"].sudo().with_context(active_test=False)
        have_rule = set(
            Rule.search(
                [("company_id", "in", self.ids), ("rule_type", "=", "dunning_hold")]
            ).company_id.ids
        )
        Rule.create(
            [
                Rule._prepare_dunning_hold_rule_vals(company)
                for company in self
                if company.id not in have_rule
            ]
        )

    @api.model
    def _credit_dunning_init_default_policies(self):
        """Give every company without a default policy the standard one."""
        self.sudo().with_context(active_test=False).search(
            []
        )._credit_dunning_ensure_default_policy()

    @api.model
    def _credit_dunning_init_eu_policies(self):
        """Give every company the EU late payment example policy, once."""
        Policy = self.env["credit.dunning.policy"].sudo()
        for company in self.sudo().with_context(active_test=False).search([]):
            Policy.create(Policy._prepare_eu_policy_vals(company))

    def _credit_dunning_ensure_default_policy(self):
        """Create the standard policy for companies that have none yet."""
        Policy = self.env["credit.dunning.policy"].sudo()
        for company in self.sudo().filtered(lambda c: not c.credit_dunning_policy_id):
            company.credit_dunning_policy_id = Policy.create(
                Policy._prepare_default_policy_vals(company)
            )

    def _credit_dunning_get_fee_product(self):
        self.ensure_one()
        return self.credit_dunning_fee_product_id or self.env.ref(
            "credit_dunning.product_dunning_fee", raise_if_not_found=False
        )

    def _credit_dunning_get_fee_journal(self):
        self.ensure_one()
        return self.credit_dunning_fee_journal_id or self.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", self.id)], limit=1
        )
