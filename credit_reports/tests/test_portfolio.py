from datetime import date

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import CreditReportsCommon

# Portfolio of the company on 2024-03-01 (amounts untaxed, company currency):
#
#   customer  receivable        draft  orders  exposure  overdue  class  limit
#   Big       5000 due 02-15    1000        0      6000     5000  D (manual) 4000
#   Mid       3000 - 1000 paid     0     1500      3500        0  C        10000
#             = 2000, due 03-15
#   S1..S10   100 x k, due 03-31   0        0    100 x k       0  A (S1 none)
#   Credit    credit note -300     0        0      -300        0  none
#
# Positive exposure: 6000 + 3500 + (100 + ... + 1000 = 5500) = 15000.
# Ranks: Big 1, Mid 2, S10..S1 3..12, Credit 13.
# 10 largest: Big, Mid, S10..S3 = 6000 + 3500 + (1000 + ... + 300 = 5200)
#   = 14700, concentration 14700 / 15000 = 98.0 %; S2 and S1 (300) are the
#   other customers, Credit owes nothing.
# Shares: Big 6000 / 15000 = 40 %, Mid 3500 / 15000 = 23.33 %.
# Overdue: Big's 5000 only (due 02-15 < 03-01); positive receivables
#   5000 + 2000 + 5500 = 12500, overdue share 5000 / 12500 = 40 %.
# Risk C and D: Big 6000 + Mid 3500 = 9500. Over limit: Big (6000 > 4000,
#   150 % used); Mid uses 3500 / 10000 = 35 %.


@tagged("post_install", "-at_install")
class TestPortfolio(CreditReportsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company
        company.credit_default_limit = 0.0
        cls.manager = new_test_user(
            cls.env,
            login="portfolio_manager",
            groups="base.group_user,credit_management.group_credit_manager",
            company_id=company.id,
        )
        cls.controller = new_test_user(
            cls.env,
            login="portfolio_controller",
            groups="base.group_user,credit_management.group_credit_controller",
            company_id=company.id,
        )
        Partner = cls.env["res.partner"]
        cls.big = Partner.create(
            {"name": "Big Buyer", "is_company": True, "user_id": cls.controller.id}
        )
        cls.mid = Partner.create({"name": "Mid Buyer", "is_company": True})
        cls.smalls = Partner.create(
            [{"name": f"Small {k}", "is_company": True} for k in range(1, 11)]
        )
        cls.credit = Partner.create({"name": "Credit Holder", "is_company": True})

        cls._create_invoice(cls.big, 5000.0, "2024-01-16", "2024-02-15")
        cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.big.id,
                "invoice_date": "2024-02-28",
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Draft", "price_unit": 1000.0, "tax_ids": []}
                    )
                ],
            }
        )
        mid_invoice = cls._create_invoice(cls.mid, 3000.0, "2024-02-14", "2024-03-15")
        cls._pay(mid_invoice, 1000.0, "2024-02-20")
        for k, small in enumerate(cls.smalls, start=1):
            cls._create_invoice(small, 100.0 * k, "2024-03-01", "2024-03-31")
        cls._create_invoice(
            cls.credit, 300.0, "2024-02-01", "2024-02-01", move_type="out_refund"
        )

        for partner, mode, amount in (
            (cls.big, "custom", 4000.0),
            (cls.mid, "custom", 10000.0),
        ):
            partner.with_user(cls.manager).with_company(company).write(
                {"credit_limit_mode": mode, "credit_limit_amount": amount}
            )
        product = cls._create_product(
            name="Portfolio Widget",
            lst_price=1500.0,
            taxes_id=[Command.clear()],
            invoice_policy="order",
        )
        order = cls.env["sale.order"].create(
            {
                "partner_id": cls.mid.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": 1.0,
                            "price_unit": 1500.0,
                            "tax_id": [Command.clear()],
                        }
                    )
                ],
            }
        )
        order.action_confirm()

        cls.big.with_user(cls.manager).with_company(company).credit_risk_class = "d"
        cls.mid.with_company(company).sudo().credit_risk_class_computed = "c"
        cls.smalls[1:].with_company(company).sudo().write(
            {"credit_risk_class_computed": "a"}
        )

    def _refresh(self, user=None):
        Line = self.env["credit.portfolio.line"]
        if user:
            Line = Line.with_user(user)
        return Line._refresh(self.company, today="2024-03-01")

    def _line(self, partner):
        return self.env["credit.portfolio.line"].search(
            [("company_id", "=", self.company.id), ("partner_id", "=", partner.id)]
        )

    def test_lines(self):
        self._refresh(self.manager)
        big, mid, credit = (
            self._line(self.big),
            self._line(self.mid),
            self._line(self.credit),
        )
        lines = self.env["credit.portfolio.line"].search(
            [("company_id", "=", self.company.id)]
        )
        self.assertEqual(len(lines), 13)
        self.assertRecordValues(
            big | mid | credit,
            [
                {
                    "rank": 1,
                    "exposure_receivable": 5000.0,
                    "exposure_draft": 1000.0,
                    "exposure_orders": 0.0,
                    "exposure_total": 6000.0,
                    "overdue_amount": 5000.0,
                    "risk_class": "d",
                    "credit_limit": 4000.0,
                    "has_limit": True,
                    "limit_usage": 150.0,
                    "concentration_group": "top",
                },
                {
                    "rank": 2,
                    "exposure_receivable": 2000.0,
                    "exposure_draft": 0.0,
                    "exposure_orders": 1500.0,
                    "exposure_total": 3500.0,
                    "overdue_amount": 0.0,
                    "risk_class": "c",
                    "credit_limit": 10000.0,
                    "has_limit": True,
                    "limit_usage": 35.0,
                    "concentration_group": "top",
                },
                {
                    "rank": 13,
                    "exposure_receivable": -300.0,
                    "exposure_draft": 0.0,
                    "exposure_orders": 0.0,
                    "exposure_total": -300.0,
                    "overdue_amount": 0.0,
                    "risk_class": "none",
                    "credit_limit": 0.0,
                    "has_limit": False,
                    "limit_usage": 0.0,
                    "concentration_group": "other",
                },
            ],
        )
        # Big's salesperson is a credit controller: they follow it.
        self.assertEqual(big.controller_id, self.controller)
        self.assertAlmostEqual(big.exposure_share, 40.0)
        # 3500 / 15000 x 100 = 23.333..., kept with 2 decimals.
        self.assertAlmostEqual(mid.exposure_share, 23.33)
        self.assertEqual(credit.exposure_share, 0.0)
        # Small k has 100 x k: rank 13 - k; S3 (rank 10) is the last of the
        # ten largest, S2 (rank 11) the first of the others.
        self.assertEqual(self._line(self.smalls[2]).rank, 10)
        self.assertEqual(self._line(self.smalls[2]).concentration_group, "top")
        self.assertEqual(self._line(self.smalls[1]).concentration_group, "other")
        self.assertEqual(self._line(self.smalls[0]).risk_class, "none")

        # Exposure by risk class: D 6000, C 3500, A S2..S10 = 5400,
        # not classified S1 100 - Credit 300 = -200.
        groups = self.env["credit.portfolio.line"].read_group(
            [("company_id", "=", self.company.id)],
            ["exposure_total:sum"],
            ["risk_class"],
        )
        by_class = {group["risk_class"]: group["exposure_total"] for group in groups}
        self.assertEqual(
            by_class, {"a": 5400.0, "c": 3500.0, "d": 6000.0, "none": -200.0}
        )

    def test_summary(self):
        summary = self._refresh(self.manager)
        self.assertRecordValues(
            summary,
            [
                {
                    "date": date(2024, 3, 1),
                    "customer_count": 12,
                    "exposure_total": 15000.0,
                    "top_exposure": 14700.0,
                    "largest_partner_id": self.big.id,
                    "overdue_amount": 5000.0,
                    "over_limit_count": 1,
                    "high_risk_exposure": 9500.0,
                }
            ],
        )
        self.assertAlmostEqual(summary.concentration, 98.0)
        self.assertAlmostEqual(summary.largest_share, 40.0)
        self.assertAlmostEqual(summary.overdue_share, 40.0)

        # A second refresh the same day replaces, it does not add.
        self._refresh(self.manager)
        Line = self.env["credit.portfolio.line"]
        Summary = self.env["credit.portfolio.summary"]
        domain = [("company_id", "=", self.company.id)]
        self.assertEqual(Line.search_count(domain), 13)
        self.assertEqual(Summary.search_count(domain), 1)

    def test_access(self):
        # Controllers read the dashboard but may not rebuild it.
        self._refresh(self.manager)
        lines = (
            self.env["credit.portfolio.line"]
            .with_user(self.controller)
            .search([("company_id", "=", self.company.id)])
        )
        self.assertEqual(len(lines), 13)
        with self.assertRaises(AccessError) as caught:
            self._refresh(self.controller)
        self.assertIn("Only a credit manager", str(caught.exception))
        with self.assertRaises(AccessError):
            lines[:1].write({"exposure_total": 1.0})
