from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    """Expose the company credit settings in the Sales settings."""

    _inherit = "res.config.settings"

    credit_default_limit = fields.Monetary(
        related="company_id.credit_default_limit",
        string="Default Customer Credit Limit",
        currency_field="currency_id",
        readonly=False,
    )
    credit_limit_tolerance = fields.Float(
        related="company_id.credit_limit_tolerance",
        readonly=False,
    )
    credit_exposure_scope = fields.Selection(
        related="company_id.credit_exposure_scope",
        readonly=False,
    )
    credit_check_on_invoice = fields.Boolean(
        related="company_id.credit_check_on_invoice",
        readonly=False,
    )
    credit_check_on_delivery = fields.Boolean(
        related="company_id.credit_check_on_delivery",
        readonly=False,
    )
    credit_hold_auto_confirm = fields.Boolean(
        related="company_id.credit_hold_auto_confirm",
        readonly=False,
    )
    credit_release_days = fields.Integer(
        related="company_id.credit_release_days",
        readonly=False,
    )
    credit_hold_large_amount = fields.Monetary(
        related="company_id.credit_hold_large_amount",
        currency_field="currency_id",
        readonly=False,
    )
    credit_hold_user_id = fields.Many2one(
        related="company_id.credit_hold_user_id",
        readonly=False,
    )
