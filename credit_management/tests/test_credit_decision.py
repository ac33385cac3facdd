import logging
import time

from odoo.tests import Form, tagged

from .common import CreditManagementCommon

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestCreditDecision(CreditManagementCommon):
    """The structured decision behind a credit check and where it shows."""

    def test_decision_structure(self):
        # Limit 1,000.00; posted 600.00; draft 100.00; confirmed order
        # 200.00; checked order 300.00: 600 + 100 + 200 + 300 = 1,200.00,
        # 200.00 over. Each component lists its documents.
        self._set_limit(self.customer, "custom", 1000.0)
        posted = self._create_invoice(self.customer, 600.0)
        draft = self._create_invoice(self.contact, 100.0, post=False)
        confirmed = self._create_order(self.customer, qty=2.0)
        confirmed.action_confirm()
        order = self._create_order(self.customer, qty=3.0)
        decision = order._credit_evaluate()
        self.assertEqual(decision["partner"], self.customer)
        self.assertEqual(decision["limit"], 1000.0)
        self.assertEqual(decision["result"], "block")
        self.assertEqual(
            [(c["key"], c["amount"], c["res_ids"]) for c in decision["components"]],
            [
                ("receivable", 600.0, posted.ids),
                ("draft_invoices", 100.0, draft.ids),
                ("orders", 200.0, confirmed.ids),
                ("order", 300.0, order.ids),
            ],
        )
        # Other addons may add default rules of their own (credit_dunning's
        # passes here): this one is about the limit.
        [limit_result] = [r for r in decision["rules"] if r["rule_type"] == "limit"]
        self.assertEqual(limit_result["rule_type"], "limit")
        self.assertEqual(limit_result["threshold"], 1000.0)
        self.assertEqual(limit_result["value"], 1200.0)
        self.assertEqual(limit_result["result"], "block")

    def test_block_message_lists_each_blocking_rule(self):
        # Limit 100.00 and at most 250.00 per order: a 300.00 order breaks
        # both; the message names both rules.
        self._set_limit(self.customer, "custom", 100.0)
        self.env["credit.rule"].with_user(self.credit_manager).create(
            {
                "name": "Large orders",
                "rule_type": "order_amount",
                "threshold_amount": 250.0,
            }
        )
        order = self._create_order(self.customer, qty=3.0)
        message = self._confirm_held(order)
        self.assertIn(f"{order.name} for Azure Credit Corp", message)
        self.assertIn("- Credit limit: credit limit $\xa0100.00", message)
        self.assertIn("- Large orders: order amount $\xa0300.00", message)

    def test_order_form_breakdown(self):
        # Limit 500.00, posted 450.00, order 100.00: blocked, and the banner
        # breakdown names the rule and the invoice.
        self._set_limit(self.customer, "custom", 500.0)
        invoice = self._create_invoice(self.customer, 450.0)
        with Form(self.env["sale.order"]) as order_form:
            order_form.partner_id = self.customer
            with order_form.order_line.new() as line:
                line.product_id = self.product_order
            self.assertEqual(order_form.credit_decision_result, "block")
            html = str(order_form.credit_decision_html)
        self.assertIn("Credit limit", html)
        self.assertIn(invoice.name, html)
        self.assertIn("Blocked", html)

    def test_partner_breakdown(self):
        # Limit 500.00, posted 600.00: over; the Credit page lists the rule
        # as blocked and the invoice among the open receivables.
        self._set_limit(self.customer, "custom", 500.0)
        invoice = self._create_invoice(self.customer, 600.0)
        html = str(self.contact.with_user(self.salesman).credit_decision_html)
        self.assertIn("Blocked", html)
        self.assertIn(invoice.name, html)
        self.assertIn("$\xa0600.00", html)
        # The document is a link to its form.
        self.assertIn(f"href='/odoo/account.move/{invoice.id}'", html)

    def test_quotation_send_posts_note_never_blocks(self):
        # Limit 100.00, quotation 150.00: sending works and leaves a note;
        # a quotation within the limit leaves none.
        self._set_limit(self.customer, "custom", 100.0)
        order = self._create_order(self.customer, qty=1.0, price=150.0)
        action = order.action_quotation_send()
        self.assertEqual(action["res_model"], "mail.compose.message")
        note = order.message_ids.filtered(lambda m: "Credit check" in m.body)
        self.assertEqual(len(note), 1)
        self.assertIn("blocks confirmation", note.body)
        small = self._create_order(self.customer, qty=1.0, price=50.0)
        small.action_quotation_send()
        self.assertFalse(small.message_ids.filtered(lambda m: "Credit check" in m.body))

    def test_check_query_count_twenty_invoices(self):
        # 20 posted invoices of 10.00 and a limit of 1,000.00: the check of a
        # 100.00 order reads a constant number of queries (no loop per
        # invoice), and passes (200 + 100 <= 1,000).
        self._set_limit(self.customer, "custom", 1000.0)
        for _index in range(20):
            self._create_invoice(self.customer, 10.0)
        order = self._create_order(self.customer)
        self.env.flush_all()
        self.env.invalidate_all()
        start_count = self.env.cr.sql_log_count
        start = time.perf_counter()
        order._credit_check()
        elapsed = time.perf_counter() - start
        count = self.env.cr.sql_log_count - start_count
        _logger.info("_credit_check: %s queries, %.1f ms", count, elapsed * 1000)
        # The bound covers the locks, rules, exposure, documents and the
        # order's credit holds; it does not grow with the invoices.
        self.assertLessEqual(count, 24)
        # Warm cache: the locks, the exposure, the documents and the rules.
        start_count = self.env.cr.sql_log_count
        order._credit_check()
        count = self.env.cr.sql_log_count - start_count
        _logger.info("_credit_check, warm cache: %s queries", count)
        self.assertLessEqual(count, 6)
