from odoo import fields, models


class ResCompany(models.Model):
    """Company-wide default credit limit."""

    _inherit = "res.company"

    credit_default_limit = fields.Monetary(
        string="Default Credit Limit",
        currency_field="currency_id",
        help="Credit limit of customers whose limit mode is 'Company default'. "
        "Zero means that the company sets no default limit: such customers are "
        "then not limited. Use a custom limit of zero on a customer to demand "
        "payment in advance.",
    )
