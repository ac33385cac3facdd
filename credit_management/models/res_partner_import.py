import math
from datetime import timedelta

from odoo import fields, models


class ResPartner(models.Model):
    """Customer fields and helpers used by the import of an AR history."""

    _inherit = "res.partner"

    credit_source_country_code = fields.Char(
        string="Source Country Code",
        help="Country code as given by the imported receivables history. "
        "The data set uses its own codes, not ISO 3166, so it is kept as text "
        "instead of being mapped to a country.",
    )

    def _credit_suggest_limit_from_history(self, company, as_of):
        """Suggest a credit limit for each customer from its invoicing history.

        The rule used by the demo and the end-to-end tests: twice the average
        monthly amount invoiced over the twelve months before ``as_of``
        (posted customer invoices dated in ``(as_of - 365 days, as_of]``,
        credit notes not deducted), rounded up to the next multiple of 50.
        A customer with no invoice in that window gets 0, which means cash in
        advance. Override this method to change the rule.

        :param company: the company whose invoices are counted
        :param as_of: date the suggestion is made on
        :return: dict ``{partner_id: amount}``, one entry for the commercial
            entity of each partner of ``self``
        """
        partners = self.commercial_partner_id
        start = as_of - timedelta(days=365)
        groups = self.env["account.move"]._read_group(
            domain=[
                ("company_id", "=", company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("commercial_partner_id", "in", partners.ids),
                ("invoice_date", ">", start),
                ("invoice_date", "<=", as_of),
            ],
            groupby=["commercial_partner_id"],
            aggregates=["amount_total_signed:sum"],
        )
        invoiced = {partner.id: total for partner, total in groups}
        step = 50.0
        return {
            partner.id: step
            * math.ceil(
                company.currency_id.round(2 * invoiced.get(partner.id, 0.0) / 12) / step
            )
            for partner in partners
        }
