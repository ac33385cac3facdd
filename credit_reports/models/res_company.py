from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    credit_flag_tolerance = fields.Float(
        string="Tolerance after a Habit Change (%)",
        digits=(16, 2),
        default=0.0,
        help="Tolerance over the credit limit for customers with an open "
        "payment-habit change, when lower than the usual tolerance.",
    )

    @api.constrains("credit_flag_tolerance")
    def _check_credit_flag_tolerance(self):
        for company in self:
            if not 0.0 <= company.credit_flag_tolerance <= 100.0:
                raise ValidationError(
                    self.env._(
                        "The tolerance after a habit change of %(company)s "
                        "must be between 0 and 100 %%.",
                        company=company.name,
                    )
                )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    credit_flag_tolerance = fields.Float(
        related="company_id.credit_flag_tolerance", readonly=False
    )
