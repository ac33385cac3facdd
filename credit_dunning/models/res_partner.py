from odoo import fields, models


class ResPartner(models.Model):
    """Customer dunning policy, per company."""

    _inherit = "res.partner"

    credit_dunning_policy_id = fields.Many2one(
        comodel_name="credit.dunning.policy",
        string="Dunning Policy",
        company_dependent=True,
        domain="[('company_id', '=', current_company_id)]",
        help="Leave empty to use the default policy of the company.",
    )

    def _credit_dunning_get_policy(self, company):
        """Policy that applies to this customer in ``company``."""
        self.ensure_one()
        partner = self.commercial_partner_id.with_company(company)
        return partner.credit_dunning_policy_id or company.credit_dunning_policy_id
