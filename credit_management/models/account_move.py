from odoo import api, models
from odoo.exceptions import UserError

from .computed_guard import refuse_computed_writes


class AccountMove(models.Model):
    """Run the credit rules when customer invoices are posted (optional)."""

    _inherit = "account.move"

    @api.model_create_multi
    def create(self, vals_list):
        refuse_computed_writes(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        refuse_computed_writes(self, [vals])
        return super().write(vals)

    def _post(self, soft=True):
        self._credit_check_invoice()
        return super()._post(soft=soft)

    def _credit_check_invoice(self):
        """Refuse to post the customer invoices that a credit rule blocks.

        Only for companies that check credit on invoice posting. The draft
        invoice is already part of the customer's exposure (draft invoices),
        so it is judged without adding its amount a second time.

        :raise UserError: naming each blocked invoice, its customer and the
            blocking rules with their measures.
        """
        invoices = self.filtered(
            lambda m: (
                m.move_type == "out_invoice"
                and m.state == "draft"
                and m.partner_id
                and m.company_id.credit_check_on_invoice
            )
        )
        if not invoices:
            return
        blocked = []
        for invoice in invoices.sudo():
            decision = invoice.partner_id.commercial_partner_id._credit_evaluate(
                invoice.company_id
            )
            if decision["result"] != "block":
                continue
            blocked.append(
                self.env["res.partner"]._credit_get_block_paragraph(
                    invoice.display_name, decision
                )
            )
        if blocked:
            raise UserError(
                self.env._(
                    "The credit rules do not allow to post these invoices:"
                    "\n\n%(invoices)s\n\nAsk a credit manager to review the "
                    "customer's credit, or collect a payment first.",
                    invoices="\n\n".join(blocked),
                )
            )


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    @api.model_create_multi
    def create(self, vals_list):
        refuse_computed_writes(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        refuse_computed_writes(self, [vals])
        return super().write(vals)
