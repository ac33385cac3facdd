from odoo import api, fields, models
from odoo.exceptions import UserError

# Lines that count as a reminder of their invoice at their level: at most one
# per (invoice, level), whatever the run.
ACTIVE_SEND_STATES = ("pending", "sent")


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
    interest_amount = fields.Monetary(
        string="Interest",
        currency_field="currency_id",
        compute="_compute_interest_amount",
        store=True,
        help="Late-payment interest of the policy on the amount due, from the "
        "due date to the run date.",
    )
    send_state = fields.Selection(
        selection=[
            ("pending", "To Send"),
            ("sent", "Sent"),
            ("error", "Error"),
            ("skipped", "Skipped"),
            ("cancelled", "Cancelled"),
        ],
        string="Sending Status",
        required=True,
        default="pending",
        readonly=True,
        copy=False,
        index=True,
    )
    cancel_reason = fields.Selection(
        selection=[
            ("paid", "Paid since the proposal"),
            ("credited", "Credited since the proposal"),
            ("draft", "Reset to draft or cancelled"),
            ("disputed", "Disputed"),
            ("dunned", "Already dunned at this level"),
        ],
        readonly=True,
        copy=False,
    )
    note = fields.Text(help="Note of the controller who reviewed the line.")
    previous_level_id = fields.Many2one(
        comodel_name="credit.dunning.level",
        string="Level Before Sending",
        readonly=True,
        ondelete="set null",
        help="Level of the invoice before this line was sent, restored if "
        "the reminder bounces.",
    )
    sent_date = fields.Datetime(related="letter_id.sent_date")

    @api.depends(
        "amount_residual",
        "days_overdue",
        "level_id.policy_id.interest_rate",
        "level_id.policy_id.interest_margin",
    )
    def _compute_interest_amount(self):
        for line in self:
            policy = line.level_id.policy_id
            line.interest_amount = (
                policy._get_interest(
                    line.amount_residual, line.days_overdue, line.currency_id
                )
                if policy and line.currency_id
                else 0.0
            )

    def init(self):
        # The guard of "never twice": even two workers computing at the same
        # moment cannot propose or send one invoice twice at one level.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS credit_dunning_line_move_level_uniq
                ON credit_dunning_line (move_id, level_id)
             WHERE send_state IN ('pending', 'sent')
            """
        )

    def write(self, vals):
        if "level_id" in vals and any(
            line.run_id.state not in ("draft", "computed", "review")
            or line.send_state != "pending"
            for line in self
        ):
            raise UserError(
                self.env._(
                    "The level of a dunning line can only change while its run "
                    "is in review."
                )
            )
        res = super().write(vals)
        if "level_id" in vals:
            for run, lines in self.grouped("run_id").items():
                run._assign_letters(lines)
        return res

    def action_skip(self):
        """Leave this invoice out of the run; it may be proposed again later."""
        lines = self.filtered(lambda line: line.send_state == "pending")
        if any(run.state not in ("computed", "review") for run in lines.run_id):
            raise UserError(
                self.env._("Lines can only be skipped before the run is sent.")
            )
        lines.send_state = "skipped"
        return True

    def action_unskip(self):
        lines = self.filtered(lambda line: line.send_state == "skipped")
        lines.send_state = "pending"
        return True

    def _get_cancel_reason(self):
        """Why this pending line must not be sent any more, or False.

        Checked just before sending: the invoice may have changed since the
        proposal was computed.
        """
        self.ensure_one()
        move = self.move_id
        if move.state != "posted":
            return "draft"
        if move.credit_dispute:
            return "disputed"
        if move.currency_id.is_zero(move.amount_residual):
            return "credited" if move.payment_state == "reversed" else "paid"
        sent_level = move.credit_dunning_level_id
        if sent_level and sent_level.days_overdue >= self.level_id.days_overdue:
            return "dunned"
        return False

    @api.model
    def _get_active_states(self):
        return ACTIVE_SEND_STATES
