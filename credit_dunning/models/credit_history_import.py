from odoo import api, models


class CreditHistoryImport(models.TransientModel):
    """Keep the history's disputes on the imported invoices."""

    _inherit = "credit.history.import"

    @api.model
    def _prepare_history_invoice_vals(
        self, row, company, journal, product, partner, shift
    ):
        vals = super()._prepare_history_invoice_vals(
            row, company, journal, product, partner, shift
        )
        # The file says that the customer disputed the invoice, not when: it
        # is kept as history, for the risk classes, and does not pause the
        # reminders of an invoice still open.
        vals["credit_disputed_once"] = row["disputed"]
        return vals
