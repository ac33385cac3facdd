from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import CreditManagementCommon


@tagged("post_install", "-at_install")
class TestCreditExposure(CreditManagementCommon):
    """Exposure components and the partner figures built on them."""

    def test_posted_invoice_partly_paid(self):
        # Invoice 1,000.00 posted, 400.00 paid: 600.00 open receivable.
        invoice = self._create_invoice(self.customer, 1000.0)
        self._register_payment(invoice, 400.0)
        exposure = self._exposure(self.customer)
        self.assertEqual(exposure["receivable"], 600.0)
        self.assertEqual(exposure["total"], 600.0)

    def test_draft_invoice_and_draft_refund(self):
        # Draft invoice 250.00 and draft credit note 50.00: 250.00 in drafts.
        # A credit note reduces the exposure once posted, not as a draft
        # (anyone with invoicing rights could make room with one and delete
        # it later); nothing in receivables since nothing is posted.
        self._create_invoice(self.customer, 250.0, post=False)
        self._create_invoice(self.customer, 50.0, move_type="out_refund", post=False)
        exposure = self._exposure(self.customer)
        self.assertEqual(exposure["draft_invoices"], 250.0)
        self.assertEqual(exposure["receivable"], 0.0)
        self.assertEqual(exposure["total"], 250.0)

    def test_negative_order_makes_no_room(self):
        # A confirmed order of -1,000.00 (a negative unit price) counts 0.00,
        # not -1,000.00: a 300.00 order still counts in full.
        self._create_order(self.customer, qty=1.0, price=-1000.0).action_confirm()
        self._create_order(self.customer, qty=3.0).action_confirm()
        exposure = self._exposure(self.customer)
        self.assertEqual(exposure["orders"], 300.0)
        self.assertEqual(exposure["total"], 300.0)

    def test_confirmed_uninvoiced_order(self):
        # 3 x 100.00 untaxed, confirmed and not invoiced: 300.00 of orders.
        # A quotation (draft order) does not count.
        self._create_order(self.customer, qty=3.0).action_confirm()
        self._create_order(self.customer, qty=7.0)
        exposure = self._exposure(self.customer)
        self.assertEqual(exposure["orders"], 300.0)
        self.assertEqual(exposure["total"], 300.0)

    def test_partly_invoiced_order_with_tax(self):
        # 10 x 100.00 with the 15% sale tax: price_total 1,150.00. 4 units
        # delivered and invoiced (460.00 posted). Left in orders:
        # 1,150.00 * (10 - 4) / 10 = 690.00. Total 460 + 690 = 1,150.00.
        order = self._create_order(
            self.customer, qty=10.0, product=self.product_delivery
        )
        order.action_confirm()
        order.order_line.qty_delivered = 4.0
        invoice = order._create_invoices()
        invoice.action_post()
        exposure = self._exposure(self.customer)
        self.assertEqual(invoice.amount_total, 460.0)
        self.assertEqual(exposure["receivable"], 460.0)
        self.assertEqual(exposure["orders"], 690.0)
        self.assertEqual(exposure["total"], 1150.0)

    def test_draft_invoice_of_order_moves_amount(self):
        # Invoicing the whole 500.00 order in draft moves it from orders to
        # draft invoices: qty_invoiced counts draft invoices, nothing twice.
        order = self._create_order(self.customer, qty=5.0)
        order.action_confirm()
        order._create_invoices()
        exposure = self._exposure(self.customer)
        self.assertEqual(exposure["orders"], 0.0)
        self.assertEqual(exposure["draft_invoices"], 500.0)
        self.assertEqual(exposure["total"], 500.0)

    def test_credit_note_netting(self):
        # Invoice 1,000.00 and credit note 300.00, both posted and not
        # reconciled: 1,000 - 300 = 700.00.
        self._create_invoice(self.customer, 1000.0)
        self._create_invoice(self.customer, 300.0, move_type="out_refund")
        self.assertEqual(self._exposure(self.customer)["receivable"], 700.0)

    def test_payment_netting(self):
        # Invoice 1,000.00 and an unreconciled customer payment of 250.00:
        # 1,000 - 250 = 750.00.
        self._create_invoice(self.customer, 1000.0)
        payment = self.env["account.payment"].create(
            {
                "amount": 250.0,
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.customer.id,
                "date": "2024-02-01",
            }
        )
        payment.action_post()
        self.assertEqual(self._exposure(self.customer)["receivable"], 750.0)

    def test_checked_order_counted_once(self):
        # A confirmed 500.00 order checked again is left out of orders and
        # given as order: total 500.00, not 1,000.00.
        order = self._create_order(self.customer, qty=5.0)
        order.action_confirm()
        exposure = self._exposure(self.customer, order=order)
        self.assertEqual(exposure["orders"], 0.0)
        self.assertEqual(exposure["order"], 500.0)
        self.assertEqual(exposure["total"], 500.0)

    def test_contact_documents_count_for_commercial_entity(self):
        # Invoice 200.00 to the contact, order 300.00 of the contact: both
        # belong to the company; the contact shows the same figures.
        self._create_invoice(self.contact, 200.0)
        self._create_order(self.contact, qty=3.0).action_confirm()
        exposure = self._exposure(self.customer)
        self.assertEqual(exposure["receivable"], 200.0)
        self.assertEqual(exposure["orders"], 300.0)
        self.assertEqual(self._exposure(self.contact), exposure)
        self.assertEqual(self.contact.credit_exposure_total, 500.0)

    def test_other_company_not_counted(self):
        # An invoice of another company is not exposure in this company.
        other = self.setup_other_company()["company"]
        self._create_invoice(self.customer, 100.0)
        exposure = self.customer._credit_get_exposure(other)
        self.assertEqual(exposure["total"], 0.0)
        self.assertEqual(self._exposure(self.customer)["total"], 100.0)

    def test_partner_figures(self):
        # Limit 1,000.00, posted 600.00, draft 100.00, order 200.00:
        # total 900.00, available 100.00, not over the limit.
        self._set_limit(self.customer, "custom", 1000.0)
        self._create_invoice(self.customer, 600.0)
        self._create_invoice(self.customer, 100.0, post=False)
        self._create_order(self.customer, qty=2.0).action_confirm()
        self.customer.invalidate_recordset()
        self.assertRecordValues(
            self.customer | self.contact,
            [
                {
                    "credit_has_limit": True,
                    "credit_limit_effective": 1000.0,
                    "credit_exposure_receivable": 600.0,
                    "credit_exposure_draft": 100.0,
                    "credit_exposure_orders": 200.0,
                    "credit_exposure_total": 900.0,
                    "credit_available": 100.0,
                    "credit_over_limit": False,
                }
            ]
            * 2,
        )

    def test_search_over_limit(self):
        # Limit 500.00 and 800.00 posted: over. The other customer (limit
        # 1,000.00, 300.00 posted) is not. The contact follows its company.
        self._set_limit(self.customer, "custom", 500.0)
        self._set_limit(self.other_customer, "custom", 1000.0)
        self._create_invoice(self.customer, 800.0)
        self._create_invoice(self.other_customer, 300.0)
        Partner = self.env["res.partner"]
        over = Partner.search([("credit_over_limit", "=", True)])
        self.assertIn(self.customer, over)
        self.assertIn(self.contact, over)
        self.assertNotIn(self.other_customer, over)
        not_over = Partner.search([("credit_over_limit", "=", False)])
        self.assertIn(self.other_customer, not_over)
        self.assertNotIn(self.customer, not_over)
        self.assertTrue(self.customer.credit_over_limit)

    def test_search_over_limit_company_default(self):
        # Company default 100.00 applies to "company" mode customers only;
        # a custom limit or "none" takes precedence.
        self.company.credit_default_limit = 100.0
        self._set_limit(self.other_customer, "none")
        self._create_invoice(self.customer, 150.0)
        self._create_invoice(self.other_customer, 150.0)
        over = self.env["res.partner"].search([("credit_over_limit", "=", True)])
        self.assertIn(self.customer, over)
        self.assertNotIn(self.other_customer, over)

    def test_quotations_to_review_domain(self):
        # The review action lists open quotations of over-limit customers.
        self._set_limit(self.customer, "custom", 100.0)
        self._create_invoice(self.customer, 200.0)
        quotation = self._create_order(self.contact)
        other_quotation = self._create_order(self.other_customer)
        action = self.env.ref("credit_management.sale_order_action_credit_review")
        domain = safe_eval(action.domain)
        orders = self.env["sale.order"].search(domain)
        self.assertIn(quotation, orders)
        self.assertNotIn(other_quotation, orders)

    def test_contact_created_inherits_limit(self):
        # The limit is a commercial field: a new contact gets the company's.
        self._set_limit(self.customer, "custom", 750.0)
        contact = self.env["res.partner"].create(
            {"name": "John Azure", "parent_id": self.customer.id}
        )
        self.assertEqual(contact.credit_limit_mode, "custom")
        self.assertEqual(contact.credit_limit_amount, 750.0)
        self.assertEqual(self.contact.credit_limit_amount, 750.0)
        self.assertEqual(
            self.customer.with_context(active_test=False).child_ids.mapped(
                "credit_limit_effective"
            ),
            [750.0, 750.0],
        )

    def test_foreign_currency_order_converted(self):
        # EUR at 2.0 per USD (rate of the test currency since 2017): a
        # confirmed 600.00 EUR order is 300.00 USD of orders, a 400.00 EUR
        # order being checked is 200.00 USD. Total 500.00 USD.
        eur = self.setup_other_currency("EUR")
        pricelist = self.env["product.pricelist"].create(
            {"name": "Credit EUR", "currency_id": eur.id}
        )
        confirmed = self._create_order(self.customer, qty=6.0)
        checked = self._create_order(self.customer, qty=4.0)
        (confirmed | checked).pricelist_id = pricelist
        self.assertEqual(confirmed.currency_id, eur)
        self.assertEqual(confirmed.currency_rate, 2.0)
        confirmed.action_confirm()
        exposure = self._exposure(self.customer, order=checked)
        self.assertEqual(exposure["orders"], 300.0)
        self.assertEqual(exposure["order"], 200.0)
        self.assertEqual(exposure["total"], 500.0)

    def test_down_payment_counted_once(self):
        # Order 10 x 100.00 = 1,000.00 confirmed (no tax). A 50 % down
        # payment of 500.00: as a draft, 500.00 in drafts and 500.00 left on
        # the order (1,000.00 in all); posted, 500.00 receivable and 500.00
        # on the order; paid, 500.00. The final invoice deducts the down
        # payment: 500.00 in drafts, nothing left on the order.
        order = self._create_order(self.customer, qty=10.0)
        order.action_confirm()
        wizard = (
            self.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({"advance_payment_method": "percentage", "amount": 50.0})
        )
        wizard.create_invoices()
        down_payment = order.invoice_ids
        exposure = self._exposure(self.customer)
        self.assertEqual(
            (exposure["draft_invoices"], exposure["orders"], exposure["total"]),
            (500.0, 500.0, 1000.0),
        )
        down_payment.action_post()
        exposure = self._exposure(self.customer)
        self.assertEqual(
            (exposure["receivable"], exposure["orders"], exposure["total"]),
            (500.0, 500.0, 1000.0),
        )
        self._register_payment(down_payment, 500.0)
        self.assertEqual(self._exposure(self.customer)["total"], 500.0)
        final = (
            self.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({"advance_payment_method": "delivered"})
        )
        final.create_invoices()
        exposure = self._exposure(self.customer)
        self.assertEqual(
            (exposure["draft_invoices"], exposure["orders"], exposure["total"]),
            (500.0, 0.0, 500.0),
        )
