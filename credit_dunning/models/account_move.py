from odoo import api, fields, models


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
    credit_disputed_once = fields.Boolean(
        string="Ever Disputed",
        readonly=True,
        copy=False,
        help="The customer disputed this invoice at some point; risk classes "
        "count such invoices.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("credit_dispute"):
                vals["credit_disputed_once"] = True
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("credit_dispute"):
            vals = dict(vals, credit_disputed_once=True)
        return super().write(vals)
