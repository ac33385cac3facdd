from odoo import api, fields, models


class ResCompany(models.Model):
    """Company default dunning policy."""

    _inherit = "res.company"

    credit_dunning_policy_id = fields.Many2one(
        comodel_name="credit.dunning.policy",
        string="Default Dunning Policy",
        domain="[('company_id', '=', id)]",
        help="Policy applied to customers that have no policy of their own.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._credit_dunning_ensure_default_policy()
        return companies

    @api.model
    def _credit_dunning_init_default_policies(self):
        """Give every company without a default policy the standard one."""
        self.sudo().with_context(active_test=False).search(
            []
        )._credit_dunning_ensure_default_policy()

    def _credit_dunning_ensure_default_policy(self):
        """Create the standard policy for companies that have none yet."""
        Policy = self.env["credit.dunning.policy"].sudo()
        for company in self.sudo().filtered(lambda c: not c.credit_dunning_policy_id):
            company.credit_dunning_policy_id = Policy.create(
                Policy._prepare_default_policy_vals(company)
            )
