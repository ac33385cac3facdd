from datetime import date

from odoo import Command, fields
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

# The ledger used by every test (company currency, no taxes):
#
#   A  invoice 100, dated 2024-01-01, due 2024-01-31, paid in full 2024-02-15
#   B  invoice 200, dated 2024-01-30, due 2024-02-29, 50 paid on 2024-03-10
#   C  invoice 300, dated 2024-03-31, due 2024-04-30, unpaid
#   R  credit note 40, dated 2024-05-10, due 2024-05-10, not applied
#
# B is billed to a contact of the customer: the aging must show the company.


@tagged("post_install", "-at_install")
class TestCreditAging(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.company_data["company"]
        cls.salesman = new_test_user(
            cls.env,
            login="rep_aging_salesman",
            groups="base.group_user,sales_team.group_sale_salesman",
            company_id=cls.company.id,
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Aging Customer Ltd",
                "is_company": True,
                "country_id": cls.env.ref("base.be").id,
            }
        )
        cls.customer_contact = cls.env["res.partner"].create(
            {"name": "Accounts Payable Clerk", "parent_id": cls.customer.id}
        )
        cls.invoice_a = cls._create_customer_move(
            "out_invoice", cls.customer, 100.0, "2024-01-01", "2024-01-31"
        )
        cls.invoice_b = cls._create_customer_move(
            "out_invoice",
            cls.customer_contact,
            200.0,
            "2024-01-30",
            "2024-02-29",
            invoice_user_id=cls.salesman.id,
        )
        cls.invoice_c = cls._create_customer_move(
            "out_invoice", cls.customer, 300.0, "2024-03-31", "2024-04-30"
        )
        cls.refund_r = cls._create_customer_move(
            "out_refund", cls.customer, 40.0, "2024-05-10", "2024-05-10"
        )
        cls._register_payment(cls.invoice_a, 100.0, "2024-02-15")
        cls._register_payment(cls.invoice_b, 50.0, "2024-03-10")

    @classmethod
    def _create_customer_move(
        cls, move_type, partner, amount, invoice_date, due_date, post=True, **vals
    ):
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "invoice_date": invoice_date,
                "invoice_date_due": due_date,
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Consulting", "price_unit": amount, "tax_ids": []}
                    )
                ],
                **vals,
            }
        )
        if post:
            move.action_post()
        return move

    @classmethod
    def _register_payment(cls, invoice, amount, payment_date):
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"amount": amount, "payment_date": payment_date})
            ._create_payments()
        )

    def _build(self, as_of, company=None):
        return self.env["credit.aging.line"]._build(
            company or self.company, fields.Date.to_date(as_of)
        )

    def _by_move(self, lines):
        return {line.move_id: line for line in lines}

    def _bucket_totals(self, lines):
        return {
            "current": sum(lines.mapped("amount_current")),
            "1_30": sum(lines.mapped("amount_1_30")),
            "31_60": sum(lines.mapped("amount_31_60")),
            "61_90": sum(lines.mapped("amount_61_90")),
            "90_plus": sum(lines.mapped("amount_90_plus")),
            "total": sum(lines.mapped("amount_residual")),
        }

    def test_aging_before_any_payment(self):
        # As of 2024-02-10: A not paid yet (paid 02-15), 2024-02-10 - 01-31
        # = 10 days overdue -> 1-30; B due 02-29 is 19 days ahead -> current;
        # C (03-31) and R (05-10) do not exist yet.
        lines = self._build("2024-02-10")
        self.assertEqual(set(lines.move_id.ids), {self.invoice_a.id, self.invoice_b.id})
        by_move = self._by_move(lines)
        self.assertRecordValues(
            by_move[self.invoice_a] + by_move[self.invoice_b],
            [
                {
                    "days_overdue": 10,
                    "bucket": "1_30",
                    "amount_residual": 100.0,
                    "amount_1_30": 100.0,
                    "amount_current": 0.0,
                },
                {
                    "days_overdue": -19,
                    "bucket": "current",
                    "amount_residual": 200.0,
                    "amount_1_30": 0.0,
                    "amount_current": 200.0,
                },
            ],
        )
        self.assertDictEqual(
            self._bucket_totals(lines),
            {
                "current": 200.0,
                "1_30": 100.0,
                "31_60": 0.0,
                "61_90": 0.0,
                "90_plus": 0.0,
                "total": 300.0,
            },
        )

    def test_aging_after_partial_payment(self):
        # As of 2024-03-20: A was paid on 02-15 -> gone. B: 200 - 50 paid on
        # 03-10 = 150, due 02-29 -> 20 days overdue -> 1-30. C is dated 03-31.
        lines = self._build("2024-03-20")
        self.assertRecordValues(
            lines,
            [
                {
                    "move_id": self.invoice_b.id,
                    "days_overdue": 20,
                    "bucket": "1_30",
                    "amount_residual": 150.0,
                    "amount_1_30": 150.0,
                }
            ],
        )

    def test_aging_mid_year_with_credit_note(self):
        # As of 2024-06-15:
        #   B 150, 06-15 - 02-29 = 31 (Mar) + 30 (Apr) + 31 (May) + 15 = 107
        #     days -> 90+
        #   C 300, 06-15 - 04-30 = 31 + 15 = 46 days -> 31-60
        #   R -40, aged on its own due date 05-10: 21 + 15 = 36 days -> 31-60
        # Totals: 31-60 = 300 - 40 = 260, 90+ = 150, all = 410.
        lines = self._build("2024-06-15")
        by_move = self._by_move(lines)
        self.assertEqual(len(lines), 3)
        self.assertRecordValues(
            by_move[self.invoice_b] + by_move[self.invoice_c] + by_move[self.refund_r],
            [
                {"days_overdue": 107, "bucket": "90_plus", "amount_residual": 150.0},
                {"days_overdue": 46, "bucket": "31_60", "amount_residual": 300.0},
                {"days_overdue": 36, "bucket": "31_60", "amount_residual": -40.0},
            ],
        )
        self.assertDictEqual(
            self._bucket_totals(lines),
            {
                "current": 0.0,
                "1_30": 0.0,
                "31_60": 260.0,
                "61_90": 0.0,
                "90_plus": 150.0,
                "total": 410.0,
            },
        )

    def test_item_due_on_as_of_date_is_current(self):
        # As of 2024-04-30, C is due that very day: 0 days overdue, current.
        # B is 31 (Mar) + 30 (Apr) = 61 days overdue -> 61-90.
        # One day later C is 1 day overdue -> 1-30.
        by_move = self._by_move(self._build("2024-04-30"))
        self.assertRecordValues(
            by_move[self.invoice_c] + by_move[self.invoice_b],
            [
                {
                    "days_overdue": 0,
                    "bucket": "current",
                    "amount_current": 300.0,
                    "amount_61_90": 0.0,
                },
                {
                    "days_overdue": 61,
                    "bucket": "61_90",
                    "amount_current": 0.0,
                    "amount_61_90": 150.0,
                },
            ],
        )
        line_c = self._by_move(self._build("2024-05-01"))[self.invoice_c]
        self.assertRecordValues(
            line_c,
            [{"days_overdue": 1, "bucket": "1_30", "amount_1_30": 300.0}],
        )

    def test_later_payment_does_not_change_earlier_aging(self):
        # C is paid on 2024-07-01, registered after the 06-15 aging was built:
        # rebuilding as of 06-15 still shows C open with 300; as of 07-01 it
        # is gone and only B 150 and R -40 remain (110).
        before = self._bucket_totals(self._build("2024-06-15"))
        self._register_payment(self.invoice_c, 300.0, "2024-07-01")
        self.assertEqual(self.invoice_c.payment_state, "paid")
        lines = self._build("2024-06-15")
        self.assertDictEqual(self._bucket_totals(lines), before)
        self.assertEqual(self._by_move(lines)[self.invoice_c].amount_residual, 300.0)
        later = self._build("2024-07-01")
        self.assertNotIn(self.invoice_c, later.move_id)
        self.assertAlmostEqual(sum(later.mapped("amount_residual")), 110.0)

    def test_unapplied_payment_is_a_negative_open_item(self):
        # A payment of 70 received 2024-05-20 and not matched with any invoice
        # is a credit of the customer, aged on its date: as of 06-15 it is
        # 11 + 15 = 26 days old -> 1-30 with -70. Total 410 - 70 = 340.
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.customer.id,
                "amount": 70.0,
                "date": "2024-05-20",
            }
        )
        payment.action_post()
        lines = self._build("2024-06-15")
        credit = lines.filtered(lambda line: line.move_id == payment.move_id)
        self.assertRecordValues(
            credit,
            [
                {
                    "partner_id": self.customer.id,
                    "days_overdue": 26,
                    "bucket": "1_30",
                    "amount_residual": -70.0,
                    "amount_1_30": -70.0,
                }
            ],
        )
        self.assertAlmostEqual(sum(lines.mapped("amount_residual")), 340.0)
        # Before the payment date it does not exist.
        self.assertNotIn(payment.move_id, self._build("2024-05-19").move_id)

    def test_overpayment_leaves_a_partly_matched_credit_open(self):
        # C is paid 350 on 2024-06-01: 300 settle C, the payment's receivable
        # line (credit 350, matched 300 as credit_move_id) keeps -50 open,
        # aged on the payment date: 06-15 - 06-01 = 14 days -> 1-30.
        # As of 06-15: B 150 + R -40 + payment -50 = 60.
        payment = self._register_payment(self.invoice_c, 350.0, "2024-06-01")
        lines = self._build("2024-06-15")
        by_move = self._by_move(lines)
        self.assertNotIn(self.invoice_c, by_move)
        self.assertRecordValues(
            by_move[payment.move_id],
            [{"days_overdue": 14, "bucket": "1_30", "amount_residual": -50.0}],
        )
        self.assertEqual(by_move[payment.move_id].move_line_id.amount_residual, -50.0)
        self.assertAlmostEqual(sum(lines.mapped("amount_residual")), 60.0)
        # The day before the payment, C is fully open and the payment absent.
        by_move = self._by_move(self._build("2024-05-31"))
        self.assertEqual(by_move[self.invoice_c].amount_residual, 300.0)
        self.assertNotIn(payment.move_id, by_move)

    def test_foreign_currency_invoice_with_exchange_difference(self):
        # EUR invoice of 200 on 2024-01-10 at 2 EUR/USD = 100 USD; paid 200
        # EUR on 2024-02-10 at 2.5 = 80 USD; Odoo books a 20 USD exchange
        # difference dated 02-10 and matched with the invoice. Amounts are
        # aged in company currency: 100 USD open on 02-09, nothing on 02-10.
        eur = self.setup_other_currency(
            "EUR", rates=[("2024-01-01", 2.0), ("2024-02-01", 2.5)]
        )
        invoice = self._create_customer_move(
            "out_invoice",
            self.customer,
            200.0,
            "2024-01-10",
            "2024-01-10",
            currency_id=eur.id,
        )
        self._register_payment(invoice, 200.0, "2024-02-10")
        line = self._by_move(self._build("2024-02-09"))[invoice]
        self.assertRecordValues(
            line,
            [
                {
                    "amount_residual": 100.0,
                    "bucket": "1_30",
                    "currency_id": self.company.currency_id.id,
                }
            ],
        )
        self.assertNotIn(invoice, self._build("2024-02-10").move_id)
        self.assertNotIn(invoice, self._build(fields.Date.today()).move_id)

    def test_credit_note_applied_later_reduces_invoice_from_then_on(self):
        # R (40, dated 05-10) is applied to C. The partial counts from its
        # max_date, the later of the two matched items' dates (05-10), not
        # from the day the matching was done, as in Odoo's own aged balance.
        # As of 06-15: C 300 - 40 = 260 and R is gone.
        (self.invoice_c + self.refund_r).line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        ).reconcile()
        by_move = self._by_move(self._build("2024-06-15"))
        self.assertNotIn(self.refund_r, by_move)
        self.assertEqual(by_move[self.invoice_c].amount_residual, 260.0)
        # As of 05-09 the credit note did not exist: C is 300 in full.
        by_move = self._by_move(self._build("2024-05-09"))
        self.assertEqual(by_move[self.invoice_c].amount_residual, 300.0)

    def test_draft_and_cancelled_invoices_never_appear(self):
        draft = self._create_customer_move(
            "out_invoice", self.customer, 999.0, "2024-01-15", "2024-01-15", post=False
        )
        cancelled = self._create_customer_move(
            "out_invoice", self.customer, 888.0, "2024-01-15", "2024-01-15"
        )
        cancelled.button_draft()
        cancelled.button_cancel()
        self.assertEqual(cancelled.state, "cancel")
        lines = self._build("2024-06-15")
        self.assertFalse(lines.move_id & (draft + cancelled))
        self.assertAlmostEqual(sum(lines.mapped("amount_residual")), 410.0)

    def test_other_company_lines_never_appear(self):
        # An invoice of 500 in another company shows only in that company's
        # aging, never in ours.
        other = self.setup_other_company(name="Aging Other Co")["company"]
        self.env.user.company_ids |= other
        other_invoice = self._create_customer_move(
            "out_invoice",
            self.customer,
            500.0,
            "2024-02-01",
            "2024-02-01",
            company_id=other.id,
            journal_id=self.env["account.journal"]
            .search(
                [("company_id", "=", other.id), ("type", "=", "sale")],
                limit=1,
            )
            .id,
        )
        lines = self._build("2024-06-15")
        self.assertNotIn(other_invoice, lines.move_id)
        self.assertEqual(lines.company_id, self.company)
        other_lines = self._build("2024-06-15", company=other)
        self.assertEqual(other_lines.move_id, other_invoice)
        self.assertEqual(other_lines.amount_90_plus, 500.0)

    def test_commercial_partner_salesperson_and_country(self):
        # B was billed to a contact of Aging Customer Ltd (Belgium) by the
        # salesman: the aging line names the company, its country and him.
        line = self._by_move(self._build("2024-03-20"))[self.invoice_b]
        self.assertRecordValues(
            line,
            [
                {
                    "partner_id": self.customer.id,
                    "country_id": self.env.ref("base.be").id,
                    "user_id": self.salesman.id,
                    "invoice_date": date(2024, 1, 30),
                    "date_maturity": date(2024, 2, 29),
                    "currency_id": self.company.currency_id.id,
                    "move_line_id": self.invoice_b.line_ids.filtered(
                        lambda aml: aml.display_type == "payment_term"
                    ).id,
                }
            ],
        )

    def test_as_of_today_matches_odoo_residuals(self):
        # As of today every reconciliation counts, so the aging must equal
        # Odoo's own amount_residual of the open receivable items: B 150,
        # C 300, R -40 here, plus whatever else the company holds.
        today = fields.Date.context_today(self.env["credit.aging.line"])
        lines = self._build(today)
        open_items = self.env["account.move.line"].search(
            [
                ("company_id", "=", self.company.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("date", "<=", today),
                ("reconciled", "=", False),
            ]
        )
        open_items = open_items.filtered("amount_residual")
        self.assertEqual(lines.move_line_id, open_items)
        self.assertAlmostEqual(
            sum(lines.mapped("amount_residual")),
            sum(open_items.mapped("amount_residual")),
        )
        for line in lines:
            self.assertAlmostEqual(
                line.amount_residual, line.move_line_id.amount_residual
            )
        self.assertIn(self.invoice_b, lines.move_id)
        self.assertNotIn(self.invoice_a, lines.move_id)

    def test_rebuild_replaces_previous_snapshot(self):
        first = self._build("2024-06-15")
        second = self._build("2024-06-15")
        self.assertFalse(first.exists())
        self.assertEqual(len(second), 3)
        # Another date is another snapshot and stays.
        other_date = self._build("2024-03-20")
        self.assertTrue(second.exists())
        self.assertEqual(len(other_date), 1)

    def test_wizard_opens_lines_and_pivot_groups(self):
        # Through the wizard, as of 2024-06-15, grouped by bucket:
        # 31-60 = 260 (C 300, R -40), 90+ = 150 (B).
        wizard_form = Form(self.env["credit.aging.wizard"])
        wizard_form.as_of_date = date(2024, 6, 15)
        wizard = wizard_form.save()
        self.assertEqual(wizard.company_id, self.env.company)
        action = wizard.action_open_lines()
        self.assertEqual(action["res_model"], "credit.aging.line")
        self.assertIn("pivot", action["view_mode"])
        groups = self.env["credit.aging.line"].read_group(
            action["domain"], ["amount_residual:sum"], ["bucket"]
        )
        totals = {group["bucket"]: group["amount_residual"] for group in groups}
        self.assertDictEqual(totals, {"31_60": 260.0, "90_plus": 150.0})

    def test_pdf_report_one_row_per_customer(self):
        # Second customer with one invoice of 75 due 2024-06-01: as of 06-15,
        # 14 days overdue -> 1-30. Rows: Aging Customer Ltd (31-60 260,
        # 90+ 150, total 410) and Beta Buyer (1-30 75); grand total 485.
        beta = self.env["res.partner"].create({"name": "Beta Buyer"})
        self._create_customer_move(
            "out_invoice", beta, 75.0, "2024-06-01", "2024-06-01"
        )
        wizard = self.env["credit.aging.wizard"].create({"as_of_date": "2024-06-15"})
        wizard._build_lines()
        rows, totals = wizard._get_report_rows()
        self.assertEqual([row["partner"] for row in rows], [self.customer, beta])
        self.assertEqual(rows[0]["31_60"], 260.0)
        self.assertEqual(rows[0]["90_plus"], 150.0)
        self.assertEqual(rows[0]["total"], 410.0)
        self.assertEqual(rows[1]["1_30"], 75.0)
        self.assertEqual(totals["total"], 485.0)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("credit_reports.action_report_credit_aging", wizard.ids)[
                0
            ]
            .decode()
        )
        self.assertIn("Aging Customer Ltd", html)
        self.assertIn("Beta Buyer", html)
        self.assertIn("485.00", html)
        self.company.external_report_layout_id = self.env.ref(
            "web.external_layout_standard"
        )
        action = wizard.action_print_pdf()
        self.assertEqual(action["report_name"], "credit_reports.report_credit_aging")

    def test_billing_user_sees_only_own_snapshot(self):
        # A Billing user builds their own snapshot through the wizard; it does
        # not replace or reveal ours. A credit controller may build too, a
        # plain employee may not.
        mine = self._build("2024-06-15")
        billing = new_test_user(
            self.env,
            login="rep_aging_billing",
            groups="base.group_user,account.group_account_invoice",
            company_id=self.company.id,
        )
        wizard_form = Form(self.env["credit.aging.wizard"].with_user(billing))
        wizard_form.as_of_date = date(2024, 6, 15)
        action = wizard_form.save().action_open_lines()
        theirs = (
            self.env["credit.aging.line"].with_user(billing).search(action["domain"])
        )
        self.assertEqual(len(theirs), 3)
        self.assertTrue(mine.exists())
        self.assertEqual(
            self.env["credit.aging.line"].with_user(billing).search([]), theirs
        )
        controller = new_test_user(
            self.env,
            login="rep_aging_controller",
            groups="base.group_user,credit_management.group_credit_controller",
            company_id=self.company.id,
        )
        lines = (
            self.env["credit.aging.line"]
            .with_user(controller)
            ._build(self.company, date(2024, 6, 15))
        )
        self.assertAlmostEqual(sum(lines.mapped("amount_residual")), 410.0)
        employee = new_test_user(
            self.env, login="rep_aging_employee", company_id=self.company.id
        )
        with self.assertRaises(AccessError):
            self.env["credit.aging.line"].with_user(employee)._build(
                self.company, date(2024, 6, 15)
            )

    def test_menu_visible_to_billing_and_credit_controllers(self):
        menu = self.env.ref("credit_reports.credit_aging_wizard_menu")
        self.assertEqual(
            menu.parent_id, self.env.ref("credit_management.menu_credit_reporting")
        )
        for login, groups, visible in [
            ("rep_menu_billing", "account.group_account_invoice", True),
            ("rep_menu_ctrl", "credit_management.group_credit_controller", True),
            ("rep_menu_sales", "sales_team.group_sale_salesman", False),
        ]:
            user = new_test_user(
                self.env,
                login=login,
                groups=f"base.group_user,{groups}",
                company_id=self.company.id,
            )
            menu_ids = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
            self.assertEqual(menu.id in menu_ids, visible, login)
