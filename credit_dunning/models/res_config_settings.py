from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    """Expose the company dunning settings beside the credit settings."""

    _inherit = "res.config.settings"

    credit_dunning_policy_id = fields.Many2one(
        related="company_id.credit_dunning_policy_id",
        readonly=False,
        domain="[('company_id', '=', company_id)]",
    )
    credit_dunning_fee_product_id = fields.Many2one(
        related="company_id.credit_dunning_fee_product_id",
        readonly=False,
        domain="[('type', '=', 'service'), ('company_id', 'in', (False, company_id))]",
    )
    credit_dunning_fee_journal_id = fields.Many2one(
        related="company_id.credit_dunning_fee_journal_id",
        readonly=False,
        domain="[('type', '=', 'sale'), ('company_id', '=', company_id)]",
    )
