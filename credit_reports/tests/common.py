from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class CreditReportsCommon(AccountTestInvoicingCommon):
    """Helpers to build a small customer ledger in company currency."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.company_data["company"]
        # Snapshots and flags are computed by credit controllers (or the cron).
        cls.env.user.groups_id += cls.env.ref(
            "credit_management.group_credit_controller"
        )

    @classmethod
    def _create_invoice(cls, partner, amount, invoice_date, due_date, **vals):
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": invoice_date,
                "invoice_date_due": due_date,
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Goods", "price_unit": amount, "tax_ids": []}
                    )
                ],
                **vals,
            }
        )
        move.action_post()
        return move

    @classmethod
    def _pay(cls, invoice, amount, payment_date):
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"amount": amount, "payment_date": payment_date})
            ._create_payments()
        )
