from markupsafe import Markup

from odoo import models
from odoo.exceptions import UserError


class StockPicking(models.Model):
    """Run the credit rules when deliveries to customers are validated."""

    _inherit = "stock.picking"

    def button_validate(self):
        self._credit_check_delivery()
        return super().button_validate()

    def _credit_check_delivery(self):
        """Refuse to validate the deliveries that a credit rule blocks.

        Only outgoing pickings with a partner, of companies that check credit
        on delivery validation. The goods were ordered on a confirmed order
        that is already part of the customer's exposure, so the customer is
        judged without adding an order. Deliveries that only trigger warnings
        are validated, with the warnings posted in their chatter.

        :raise UserError: naming each blocked delivery, its customer and the
            blocking rules with their measures.
        """
        pickings = self.filtered(
            lambda p: (
                p.picking_type_code == "outgoing"
                and p.state not in ("done", "cancel")
                and p.partner_id
                and p.company_id.credit_check_on_delivery
            )
        )
        if not pickings:
            return
        blocked = []
        # As superuser: a stock user's record rules must not hide documents.
        for picking in pickings.sudo():
            decision = picking.partner_id.commercial_partner_id._credit_evaluate(
                picking.company_id
            )
            if decision["result"] == "block":
                blocked.append(
                    self.env["res.partner"]._credit_get_block_paragraph(
                        picking.name, decision
                    )
                )
            elif decision["result"] == "warn":
                picking._credit_post_decision(decision)
        if blocked:
            raise UserError(
                self.env._(
                    "The credit rules do not allow to validate these deliveries:"
                    "\n\n%(pickings)s\n\nAsk a credit manager to review the "
                    "customer's credit, or collect a payment first.",
                    pickings="\n\n".join(blocked),
                )
            )

    def _credit_post_decision(self, decision):
        """Post the rules that warn as a note on the delivery."""
        self.ensure_one()
        fired = [r for r in decision["rules"] if r["result"] == "warn"]
        body = Markup("<p>%s</p><ul>%s</ul>") % (
            self.env._(
                "Credit check of %(customer)s at delivery validation:",
                customer=decision["partner"].display_name,
            ),
            Markup().join(
                Markup("<li>%s (%s): %s</li>")
                % (r["name"], self.env._("warning"), r["message"])
                for r in fired
            ),
        )
        self.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
