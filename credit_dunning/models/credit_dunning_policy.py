from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CreditDunningPolicy(models.Model):
    """A ladder of reminder levels applied to a customer's overdue invoices."""

    _name = "credit.dunning.policy"
    _description = "Dunning Policy"
    _inherit = ["mail.thread"]
    _order = "company_id, name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        tracking=True,
    )
    level_ids = fields.One2many(
        comodel_name="credit.dunning.level",
        inverse_name="policy_id",
        string="Levels",
        copy=True,
    )
    level_count = fields.Integer(compute="_compute_level_count")
    interest_rate = fields.Float(
        string="Reference Rate (%)",
        digits=(16, 3),
        tracking=True,
        help="Yearly reference rate of late-payment interest, e.g. the central "
        "bank's rate. Interest is charged when rate plus margin is positive.",
    )
    interest_margin = fields.Float(
        string="Margin (points)",
        digits=(16, 3),
        tracking=True,
        help="Points added to the reference rate (8 under the EU late payment "
        "directive).",
    )

    @api.depends("level_ids")
    def _compute_level_count(self):
        for policy in self:
            policy.level_count = len(policy.level_ids)

    @api.constrains("level_ids")
    def _check_level_ids(self):
        """Levels, in their order, must wait strictly longer one after another.

        Otherwise a later level could be reached before an earlier one, and
        two levels with the same delay would make the choice arbitrary.
        """
        for policy in self:
            previous = None
            for level in policy.level_ids.sorted(lambda lvl: (lvl.sequence, lvl.id)):
                if previous and level.days_overdue == previous.days_overdue:
                    raise ValidationError(
                        self.env._(
                            "Dunning level %(level)s of policy %(policy)s has "
                            "the same days past due (%(days)s) as level "
                            "%(previous)s; each level needs its own delay.",
                            level=level.name,
                            policy=policy.name,
                            days=level.days_overdue,
                            previous=previous.name,
                        )
                    )
                if previous and level.days_overdue < previous.days_overdue:
                    raise ValidationError(
                        self.env._(
                            "Dunning level %(level)s of policy %(policy)s: its "
                            "days past due (%(days)s) must be greater than "
                            "those of the level before it, %(previous)s "
                            "(%(previous_days)s).",
                            level=level.name,
                            policy=policy.name,
                            days=level.days_overdue,
                            previous=previous.name,
                            previous_days=previous.days_overdue,
                        )
                    )
                previous = level

    @api.model_create_multi
    def create(self, vals_list):
        policies = super(
            CreditDunningPolicy,
            self.with_context(credit_dunning_defer_level_check=True),
        ).create(vals_list)
        return policies.with_env(self.env)

    def write(self, vals):
        if "company_id" in vals:
            # The companies with a credit hold level may change.
            self.env.registry.clear_cache()
        if "level_ids" in vals:
            self = self.with_context(credit_dunning_defer_level_check=True)
        return super().write(vals)

    def _get_level_for_days(self, days_overdue):
        """Return the highest level reached after ``days_overdue`` days late.

        Levels are ordered by their day threshold (the constraint on levels
        keeps those strictly increasing), so the last one reached wins.
        """
        self.ensure_one()
        reached = self.level_ids.filtered(lambda lvl: lvl.days_overdue <= days_overdue)
        return reached.sorted("days_overdue")[-1:]

    def _get_interest(self, amount_due, days_overdue, currency):
        """Simple interest on ``amount_due`` for ``days_overdue`` days.

        Actual days over a 365-day year, from the due date, on the residual.
        """
        self.ensure_one()
        rate = self.interest_rate + self.interest_margin
        if rate <= 0 or days_overdue <= 0:
            return 0.0
        return currency.round(amount_due * rate / 100.0 * days_overdue / 365.0)

    @api.model
    def _prepare_eu_policy_vals(self, company):
        """An example policy after the EU late payment directive.

        Reference rate plus 8 points of interest from the due date, and a
        fixed 40 of recovery costs with the second reminder. The reference
        rate is an example: set the rate of the current half-year. The
        wording is the standard policy's.
        """
        standard = self._prepare_default_policy_vals(company)["level_ids"]
        texts = [
            {key: cmd[2][key] for key in ("letter_intro", "letter_closing")}
            for cmd in standard
        ]
        return {
            "name": self.env._("EU late payment (example)"),
            "company_id": company.id,
            "interest_rate": 4.5,
            "interest_margin": 8.0,
            "level_ids": [
                fields.Command.create(
                    {
                        "sequence": 10,
                        "name": self.env._("Reminder"),
                        "days_overdue": 10,
                        **texts[0],
                    }
                ),
                fields.Command.create(
                    {
                        "sequence": 20,
                        "name": self.env._("Reminder with recovery costs"),
                        "days_overdue": 30,
                        "fee_type": "fixed",
                        "fee_amount": 40.0,
                        **texts[1],
                    }
                ),
                fields.Command.create(
                    {
                        "sequence": 30,
                        "name": self.env._("Final notice"),
                        "days_overdue": 60,
                        "channel": "letter",
                        **texts[2],
                    }
                ),
            ],
        }

    @api.model
    def _prepare_default_policy_vals(self, company):
        """Values of the policy every company starts with.

        Hook: override to give new companies another ladder.
        """
        intro_first = self.env._(
            "According to our records, the invoices listed below are past due. "
            "This may be an oversight; we kindly ask you to settle them."
        )
        intro_second = self.env._(
            "Despite our first reminder, the invoices listed below remain "
            "unpaid. Please pay them within the next few days."
        )
        intro_final = self.env._(
            "This is our final notice. Unless the invoices listed below are "
            "paid within 8 days, we will suspend deliveries and pass the "
            "matter to our collection service."
        )
        closing = self.env._(
            "If you have paid in the meantime, please disregard this letter. "
            "For any question about your account, reply to this letter or "
            "call our accounts receivable team."
        )
        return {
            "name": self.env._("Standard reminders"),
            "company_id": company.id,
            "level_ids": [
                fields.Command.create(
                    {
                        "sequence": 10,
                        "name": self.env._("First reminder"),
                        "days_overdue": 10,
                        "letter_intro": intro_first,
                        "letter_closing": closing,
                    }
                ),
                fields.Command.create(
                    {
                        "sequence": 20,
                        "name": self.env._("Second reminder"),
                        "days_overdue": 30,
                        "letter_intro": intro_second,
                        "letter_closing": closing,
                    }
                ),
                fields.Command.create(
                    {
                        "sequence": 30,
                        "name": self.env._("Final notice"),
                        "days_overdue": 60,
                        "letter_intro": intro_final,
                        "letter_closing": closing,
                    }
                ),
            ],
        }
