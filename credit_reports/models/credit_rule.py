from odoo import api, models
from odoo.tools.misc import format_date


class CreditRule(models.Model):
    """A credit rule fed by the payment-habit detector."""

    _inherit = "credit.rule"

    @api.model
    def _get_rule_types(self):
        return super()._get_rule_types() + [
            ("habit_flag", self.env._("Payment habit changed")),
        ]

    def _get_open_habit_flags(self, decision):
        """Open payment-habit flags of the decision's customer, looked up
        once per decision."""
        if "habit_flags" not in decision:
            decision["habit_flags"] = (
                self.env["credit.habit.flag"]
                .sudo()
                .search(
                    [
                        ("company_id", "=", decision["company"].id),
                        ("partner_id", "=", decision["partner"].id),
                        ("state", "=", "open"),
                    ],
                    order="date_detected desc, id desc",
                )
            )
        return decision["habit_flags"]

    def _get_limit_tolerance(self, decision):
        # A customer whose payment habit changed gets the company's lower
        # tolerance until a controller acknowledges the change.
        tolerance, note = super()._get_limit_tolerance(decision)
        company = decision["company"]
        flagged = company.credit_flag_tolerance
        if flagged < tolerance and self._get_open_habit_flags(decision):
            return flagged, self.env._(
                "The tolerance is %(flagged)s%% instead of %(usual)s%% while "
                "the customer's change of payment habit is open.",
                flagged=flagged,
                usual=tolerance,
            )
        return tolerance, note

    def _evaluate_habit_flag(self, decision):
        """Fire while the customer has an open payment-habit change flag in
        the decision's company (a controller acknowledges it to clear it)."""
        flags = self._get_open_habit_flags(decision)
        if not flags:
            return {
                "fired": False,
                "value": 0,
                "message": self.env._("no open payment habit change."),
            }
        flag = flags[0]
        return {
            "fired": True,
            "value": flag.recent_median,
            "threshold": flag.baseline_median + flag.threshold,
            "message": self.env._(
                "payment habit changed (detected on %(date)s): the last paid "
                "invoices were %(recent).1f days late at the median, against "
                "%(usual).1f usually.",
                date=format_date(self.env, flag.date_detected),
                recent=flag.recent_median,
                usual=flag.baseline_median,
            ),
        }
