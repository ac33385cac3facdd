from odoo import api, fields, models


class ResPartner(models.Model):
    """Customer dunning policy and dunning pause, per company."""

    _inherit = "res.partner"

    credit_dunning_policy_id = fields.Many2one(
        comodel_name="credit.dunning.policy",
        string="Dunning Policy",
        company_dependent=True,
        domain="[('company_id', '=', current_company_id)]",
        help="Leave empty to use the default policy of the company.",
    )
    credit_dunning_excluded_until = fields.Date(
        string="No Reminders Until",
        company_dependent=True,
        help="The customer receives no reminder from runs dated up to and "
        "including this day.",
    )
    credit_dunning_exclusion_reason = fields.Char(
        string="Reason for No Reminders",
        company_dependent=True,
    )

    def _credit_dunning_get_policy(self, company):
        """Policy that applies to this customer in ``company``."""
        self.ensure_one()
        partner = self.commercial_partner_id.with_company(company)
        return partner.credit_dunning_policy_id or company.credit_dunning_policy_id

    def _credit_dunning_get_hold_lines(self, company):
        """Reminders that put this customer on credit hold in ``company``.

        The sent dunning lines, at a level with "Put Customer on Credit
        Hold", of the commercial entity's posted invoices that are still
        open and not disputed: one line per invoice, its highest such level.
        A queued email is not a reminder sent yet.
        """
        self.ensure_one()
        Level = self.env["credit.dunning.level"]
        if company.id not in Level._get_credit_hold_company_ids():
            return self.env["credit.dunning.line"]
        lines = (
            self.env["credit.dunning.line"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("send_state", "=", "sent"),
                    ("level_id.credit_hold", "=", True),
                    (
                        "move_id.commercial_partner_id",
                        "=",
                        self.commercial_partner_id._origin.id,
                    ),
                    ("move_id.state", "=", "posted"),
                    ("move_id.credit_dispute", "=", False),
                    ("move_id.payment_state", "in", ("not_paid", "partial")),
                ]
            )
        )
        highest = {}
        for line in lines:
            kept = highest.get(line.move_id)
            if not kept or line.level_id.days_overdue > kept.level_id.days_overdue:
                highest[line.move_id] = line
        return lines.browse([line.id for line in highest.values()]).sorted(
            lambda line: (str(line.invoice_date_due or ""), line.id)
        )

    def write(self, vals):
        res = super().write(vals)
        if {"credit_dunning_excluded_until", "credit_dunning_exclusion_reason"} & set(
            vals
        ):
            self._credit_dunning_post_exclusion()
        return res

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        partners.filtered(
            "credit_dunning_excluded_until"
        )._credit_dunning_post_exclusion()
        return partners

    def _credit_dunning_post_exclusion(self):
        """Say in the chatter who paused reminders, until when and why."""
        for partner in self:
            if partner.credit_dunning_excluded_until:
                body = self.env._(
                    "Reminders paused in %(company)s until %(date)s: %(reason)s",
                    company=self.env.company.name,
                    date=fields.Date.to_string(partner.credit_dunning_excluded_until),
                    reason=partner.credit_dunning_exclusion_reason or "-",
                )
            else:
                body = self.env._(
                    "Reminders resumed in %(company)s.", company=self.env.company.name
                )
            partner.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
