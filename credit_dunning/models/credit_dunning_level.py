from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CreditDunningLevel(models.Model):
    """One step of a dunning policy, reached after a number of days late."""

    _name = "credit.dunning.level"
    _description = "Dunning Level"
    _order = "policy_id, sequence, id"

    policy_id = fields.Many2one(
        comodel_name="credit.dunning.policy",
        string="Policy",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="policy_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    days_overdue = fields.Integer(
        string="Days Past Due",
        required=True,
        default=10,
        help="The level applies to invoices at least this many days past "
        "their due date.",
    )
    letter_intro = fields.Text(
        string="Letter Introduction",
        translate=True,
        help="Opening paragraph of the letter, printed above the invoices.",
    )
    letter_closing = fields.Text(
        string="Letter Closing",
        translate=True,
        help="Closing paragraph of the letter, printed below the total.",
    )

    @api.constrains("days_overdue", "sequence", "policy_id")
    def _check_days_overdue(self):
        for level in self:
            if level.days_overdue < 1:
                raise ValidationError(
                    self.env._(
                        "Dunning level %(level)s of policy %(policy)s: the days "
                        "past due must be at least 1 (got %(days)s).",
                        level=level.name,
                        policy=level.policy_id.name,
                        days=level.days_overdue,
                    )
                )
        # When the levels are saved through their policy, the policy checks
        # the whole ladder once at the end: checking after each line would
        # refuse a valid edit that moves two levels at once.
        if not self.env.context.get("credit_dunning_defer_level_check"):
            self.policy_id._check_level_ids()
