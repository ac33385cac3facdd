from odoo import api, fields, models, tools
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
        "their due date. A negative number makes a friendly reminder sent "
        "that many days before the due date.",
    )
    channel = fields.Selection(
        selection=[
            ("email", "Email"),
            ("letter", "Printed Letter"),
            ("phone", "Phone Call"),
        ],
        required=True,
        default="email",
        help="How reminders of this level reach the customer. Customers "
        "without an email address receive a printed letter instead.",
    )
    mail_template_id = fields.Many2one(
        comodel_name="mail.template",
        string="Email Template",
        domain=[("model", "=", "credit.dunning.letter")],
        default=lambda self: self._get_default_mail_template(),
        help="Email sent for this level; the letter PDF is attached to it.",
    )
    activity_user_id = fields.Many2one(
        comodel_name="res.users",
        string="Call Assigned To",
        help="User who receives the phone call activity. Empty: the user "
        "who sends the run.",
    )
    fee_type = fields.Selection(
        selection=[
            ("none", "No Fee"),
            ("fixed", "Fixed Amount"),
            ("percent", "Percentage of the Amount Due"),
        ],
        required=True,
        default="none",
        help="Fee charged once per letter of this level, booked as a customer "
        "invoice when the letter is sent.",
    )
    fee_amount = fields.Float(
        string="Fee",
        digits="Account",
        help="Amount in the letter's currency, or percentage of the amount due.",
    )
    credit_hold = fields.Boolean(
        string="Put Customer on Credit Hold",
        help="Once a reminder of this level is sent for an invoice, the "
        "credit rule 'Dunning level reached' warns about or blocks the "
        "customer's orders until that invoice is paid or disputed.",
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

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("credit_hold") for vals in vals_list):
            self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        if "credit_hold" in vals or "policy_id" in vals:
            self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        if any(self.mapped("credit_hold")):
            self.env.registry.clear_cache()
        return super().unlink()

    @api.model
    @tools.ormcache()
    def _get_credit_hold_company_ids(self):
        """Companies with a level that puts customers on credit hold.

        Cached: the credit check of every order asks, and most companies
        have no such level, so their credit hold rule needs no query.
        """
        return frozenset(
            self.sudo().search([("credit_hold", "=", True)]).mapped("company_id").ids
        )

    @api.model
    def _get_default_mail_template(self):
        return self.env.ref(
            "credit_dunning.mail_template_dunning_letter", raise_if_not_found=False
        )

    @api.constrains("fee_type", "fee_amount")
    def _check_fee_amount(self):
        for level in self:
            if level.fee_type != "none" and level.fee_amount <= 0:
                raise ValidationError(
                    self.env._(
                        "Dunning level %(level)s charges a fee: its amount must "
                        "be positive (got %(amount)s).",
                        level=level.name,
                        amount=level.fee_amount,
                    )
                )

    @api.constrains("days_overdue", "sequence", "policy_id")
    def _check_days_overdue(self):
        for level in self:
            if level.days_overdue == 0:
                raise ValidationError(
                    self.env._(
                        "Dunning level %(level)s of policy %(policy)s: the days "
                        "past due cannot be 0; use a negative number for a "
                        "friendly reminder before the due date.",
                        level=level.name,
                        policy=level.policy_id.name,
                    )
                )
        # When the levels are saved through their policy, the policy checks
        # the whole ladder once at the end: checking after each line would
        # refuse a valid edit that moves two levels at once.
        if not self.env.context.get("credit_dunning_defer_level_check"):
            self.policy_id._check_level_ids()

    def _get_mail_template(self):
        """Template of this level, or the module's one when none is set."""
        self.ensure_one()
        return self.mail_template_id or self._get_default_mail_template()

    def _get_fee(self, amount_due, currency):
        """Fee of one letter of this level that reminds ``amount_due``."""
        self.ensure_one()
        if self.fee_type == "fixed":
            return currency.round(self.fee_amount)
        if self.fee_type == "percent":
            return currency.round(amount_due * self.fee_amount / 100.0)
        return 0.0
