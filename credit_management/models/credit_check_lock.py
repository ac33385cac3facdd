from odoo import fields, models


class CreditCheckLock(models.Model):
    """Row touched by each credit check of a customer, to serialize checks.

    Odoo transactions read a snapshot taken at their first query. Two checks
    of one customer that run together would each miss the order the other
    confirms. Updating this row makes the later one fail with a
    serialization error once the earlier one commits; Odoo then retries the
    request, which sees the confirmed order.
    """

    _name = "credit.check.lock"
    _description = "Credit Check Lock"
    _log_access = False

    company_id = fields.Many2one(
        comodel_name="res.company", required=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner", required=True, ondelete="cascade"
    )
    check_count = fields.Integer(default=0)

    _sql_constraints = [
        (
            "company_partner_uniq",
            "UNIQUE (company_id, partner_id)",
            "One credit check lock per customer and company.",
        ),
    ]
