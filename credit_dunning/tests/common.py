from datetime import date, timedelta

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class DunningCommon(AccountTestInvoicingCommon):
    """Invoices due a given number of days before a fixed run date."""

    @classmethod
    def get_default_groups(cls):
        # The test user runs dunning and edits policies: a credit manager.
        return super().get_default_groups() | cls.env.ref(
            "credit_management.group_credit_manager"
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.company_data["company"]
        cls.policy = cls.company.credit_dunning_policy_id
        # Standard policy: 10, 30 and 60 days past due.
        cls.level_1, cls.level_2, cls.level_3 = cls.policy.level_ids.sorted(
            "days_overdue"
        )
        cls.run_date = date(2013, 6, 30)
        cls.partner_a.lang = "en_US"
        cls.partner_b.lang = "en_US"

    @classmethod
    def _create_invoice(
        cls, partner, amount, days_late, post=True, company=None, run_date=None
    ):
        """An invoice of ``amount`` (no tax) due ``days_late`` days before
        ``run_date`` (the class run date by default), issued 30 days earlier.
        """
        due = (run_date or cls.run_date) - timedelta(days=days_late)
        invoice = (
            cls.env["account.move"]
            .with_company(company or cls.company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": due - timedelta(days=30),
                    "invoice_payment_term_id": False,
                    "invoice_date_due": due,
                    "ref": f"PO-{amount:.0f}-{days_late}",
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Consulting",
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        if post:
            invoice.action_post()
        return invoice

    @classmethod
    def _pay(cls, invoice, amount, pay_date=None):
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create(
            {"amount": amount, "payment_date": pay_date or invoice.invoice_date}
        )._create_payments()

    def _new_run(self, run_date=None, company=None, compute=True):
        company = company or self.company
        run = (
            self.env["credit.dunning.run"]
            .with_company(company)
            .create({"date": run_date or self.run_date, "company_id": company.id})
        )
        if compute:
            run.action_compute()
        return run
