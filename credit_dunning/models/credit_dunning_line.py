from odoo import fields, models


class CreditDunningLine(models.Model):
    """One overdue invoice proposed at one level in a dunning run."""

    _name = "credit.dunning.line"
    _description = "Dunning Line"
    _order = "run_id, partner_id, invoice_date_due, id"
    _check_company_auto = True

    run_id = fields.Many2one(
        comodel_name="credit.dunning.run",
        string="Run",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="run_id.company_id", store=True)
    state = fields.Selection(related="run_id.state")
    letter_id = fields.Many2one(
        comodel_name="credit.dunning.letter",
        string="Letter",
        ondelete="set null",
        index=True,
    )
    move_id = fields.Many2one(
        comodel_name="account.move",
        string="Invoice",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        index=True,
        help="Commercial entity of the invoiced customer.",
    )
    level_id = fields.Many2one(
        comodel_name="credit.dunning.level",
        string="Level",
        required=True,
        ondelete="restrict",
    )
    days_overdue = fields.Integer(string="Days Past Due")
    invoice_date_due = fields.Date(string="Due Date")
    invoice_date = fields.Date(related="move_id.invoice_date")
    invoice_ref = fields.Char(related="move_id.ref", string="Customer Reference")
    amount_total = fields.Monetary(
        related="move_id.amount_total",
        string="Original Amount",
        currency_field="currency_id",
    )
    amount_residual = fields.Monetary(
        string="Amount Due",
        currency_field="currency_id",
        aggregator="sum",
    )
    currency_id = fields.Many2one(comodel_name="res.currency", required=True)
