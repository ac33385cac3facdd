from odoo import fields, models


class AccountMove(models.Model):
    """Dunning state of a customer invoice."""

    _inherit = "account.move"

    credit_dunning_level_id = fields.Many2one(
        comodel_name="credit.dunning.level",
        string="Dunning Level",
        readonly=True,
        copy=False,
        tracking=True,
        index="btree_not_null",
        help="Highest dunning level already sent for this invoice.",
    )
    credit_dunning_last_date = fields.Date(
        string="Last Dunning Date",
        readonly=True,
        copy=False,
    )
    credit_dispute = fields.Boolean(
        string="Disputed",
        copy=False,
        tracking=True,
        help="The customer contests this invoice: it receives no reminder "
        "until the dispute is cleared.",
    )
    credit_dispute_reason = fields.Char(
        string="Dispute Reason",
        copy=False,
        tracking=True,
    )
