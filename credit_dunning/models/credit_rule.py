from odoo import api, fields, models
from odoo.tools.misc import format_date


class CreditRule(models.Model):
    """The credit rule fed by dunning: a reminder sent at a hold level."""

    _inherit = "credit.rule"

    @api.model
    def _get_rule_types(self):
        return super()._get_rule_types() + [
            ("dunning_hold", self.env._("Dunning level reached")),
        ]

    def _evaluate_dunning_hold(self, decision):
        """Fire while an invoice reminded at a hold level is still open.

        The lines are looked up once per decision, however many rules of
        this type apply (e.g. one per risk class).
        """
        if "dunning_hold" not in decision:
            decision["dunning_hold"] = decision[
                "partner"
            ]._credit_dunning_get_hold_lines(decision["company"])
        lines = decision["dunning_hold"]
        if not lines:
            return {
                "fired": False,
                "value": 0,
                "message": self.env._(
                    "no open invoice was reminded at a dunning level that "
                    "puts the customer on credit hold."
                ),
            }
        # One sentence per level and day sent, oldest first.
        groups = {}
        for line in lines:
            sent = (
                fields.Datetime.context_timestamp(self, line.sent_date).date()
                if line.sent_date
                else line.run_id.date
            )
            groups.setdefault((sent, line.level_id), line.browse())
            groups[(sent, line.level_id)] |= line
        parts = [
            self.env._(
                "%(level)s sent on %(date)s for %(invoices)s",
                level=level.name,
                date=format_date(self.env, sent),
                invoices=", ".join(group.move_id.mapped("name")),
            )
            for (sent, level), group in sorted(
                groups.items(), key=lambda item: (item[0][0], item[0][1].sequence)
            )
        ]
        return {
            "fired": True,
            "value": len(lines.move_id),
            "message": self.env._(
                "open invoices reminded at a credit hold level: %(reminders)s.",
                reminders="; ".join(parts),
            ),
        }

    @api.model
    def _prepare_dunning_hold_rule_vals(self, company):
        """The blocking rule every company receives with this module.

        It blocks nobody until a dunning level has "Put Customer on Credit
        Hold" ticked and a reminder of that level was sent.
        """
        return {
            "name": self.env._("Dunning credit hold"),
            "company_id": company.id,
            "rule_type": "dunning_hold",
            "action": "block",
            "sequence": 60,
        }
