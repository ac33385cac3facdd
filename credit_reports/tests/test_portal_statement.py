import io

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon
from odoo.tests import new_test_user, tagged
from odoo.tools.pdf import PdfFileReader

# Two customers, each with a portal contact; statement of March 2024.
#
#   Customer A: INV-A 1000 dated 2024-03-05, due 2024-03-20, unpaid
#               -> open 1000, 2024-03-31 - 2024-03-20 = 11 days late (1-30)
#   Customer B: INV-B  500 dated 2024-03-10, due 2024-04-09 -> current
#
# A's contact sees A's statement (INV-A, not INV-B) and is refused B's;
# B's contact is refused A's.


@tagged("post_install", "-at_install")
class TestPortalStatement(AccountTestInvoicingHttpCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.company_data["company"]
        # wkhtmltopdf fetches the assets from report.url: on the test server
        # it would wait for itself, so point it where nothing answers.
        cls.env["ir.config_parameter"].sudo().set_param(
            "report.url", "http://127.0.0.1:9"
        )
        Partner = cls.env["res.partner"]
        cls.customer_a = Partner.create(
            {"name": "Portal Customer A", "is_company": True}
        )
        cls.customer_b = Partner.create(
            {"name": "Portal Customer B", "is_company": True}
        )
        cls.invoice_a = cls._invoice(cls.customer_a, 1000.0, "2024-03-05", "2024-03-20")
        cls.invoice_b = cls._invoice(cls.customer_b, 500.0, "2024-03-10", "2024-04-09")
        cls.user_a = cls._portal_user("stmt_portal_a", cls.customer_a)
        cls.user_b = cls._portal_user("stmt_portal_b", cls.customer_b)
        cls.period = "date_from=2024-03-01&date_to=2024-03-31"

    @classmethod
    def _invoice(cls, partner, amount, invoice_date, due_date):
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
            }
        )
        move.action_post()
        return move

    @classmethod
    def _portal_user(cls, login, customer):
        user = new_test_user(
            cls.env,
            login=login,
            groups="base.group_portal",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        user.partner_id.parent_id = customer
        return user

    def _statement_url(self, customer, report_type="html", extra=""):
        return (
            f"/my/statement/{customer.id}?{self.period}"
            f"&report_type={report_type}{extra}"
        )

    def test_own_statement_html(self):
        self.authenticate("stmt_portal_a", "stmt_portal_a")
        response = self.url_open(self._statement_url(self.customer_a))
        self.assertEqual(response.status_code, 200)
        self.assertIn("text/html", response.headers["Content-Type"])
        self.assertIn("Statement of Account", response.text)
        self.assertIn("Portal Customer A", response.text)
        self.assertIn(self.invoice_a.name, response.text)
        self.assertNotIn(self.invoice_b.name, response.text)

    def test_own_statement_pdf(self):
        # Render a real PDF: tests otherwise get the HTML in its place.
        Report = self.env.registry["ir.actions.report"]
        pre_render = Report._pre_render_qweb_pdf

        def forced_pre_render(report, report_ref, res_ids=None, data=None):
            return pre_render(
                report.with_context(force_report_rendering=True),
                report_ref,
                res_ids=res_ids,
                data=data,
            )

        self.patch(Report, "_pre_render_qweb_pdf", forced_pre_render)
        self.authenticate("stmt_portal_a", "stmt_portal_a")
        response = self.url_open(
            self._statement_url(self.customer_a, "pdf", "&download=1"), timeout=120
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertIn(
            "Statement_Portal_Customer_A_2024_03_31.pdf",
            response.headers["Content-Disposition"],
        )
        self.assertTrue(response.content.startswith(b"%PDF"))
        text = "".join(
            page.extract_text()
            for page in PdfFileReader(io.BytesIO(response.content)).pages
        )
        self.assertIn(self.invoice_a.name, text)
        self.assertNotIn(self.invoice_b.name, text)
        # One open item of 1000, 11 days late.
        self.assertIn("1,000.00", text)

    def test_other_customer_refused(self):
        self.authenticate("stmt_portal_a", "stmt_portal_a")
        for url in (
            self._statement_url(self.customer_b),
            self._statement_url(self.customer_b, "pdf", "&download=1"),
            # A contact of A is not A itself.
            self._statement_url(self.user_a.partner_id),
            # A customer that does not exist answers the same.
            f"/my/statement/{self.customer_b.id + 100000}?{self.period}",
        ):
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 404)
                self.assertNotIn(self.invoice_b.name, response.text)
        self.authenticate("stmt_portal_b", "stmt_portal_b")
        response = self.url_open(self._statement_url(self.customer_a))
        self.assertEqual(response.status_code, 404)
        response = self.url_open(self._statement_url(self.customer_b))
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.invoice_b.name, response.text)
        self.assertNotIn(self.invoice_a.name, response.text)

    def test_anonymous_sent_to_login(self):
        response = self.url_open(
            self._statement_url(self.customer_a), allow_redirects=False
        )
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    def test_bad_period(self):
        self.authenticate("stmt_portal_a", "stmt_portal_a")
        response = self.url_open(
            f"/my/statement/{self.customer_a.id}?date_from=2024-13-01"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("date_from", response.text)
        response = self.url_open(
            f"/my/statement/{self.customer_a.id}"
            "?date_from=2024-04-01&date_to=2024-03-31"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("is after To", response.text)

    def test_portal_home_and_page(self):
        self.authenticate("stmt_portal_a", "stmt_portal_a")
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["credit_statement_count"]}
        )
        self.assertEqual(counters["credit_statement_count"], 1)
        home = self.url_open("/my")
        self.assertIn('href="/my/statement"', home.text)
        page = self.url_open("/my/statement?" + self.period)
        self.assertEqual(page.status_code, 200)
        # The links name A, the contact's commercial entity, and the period.
        self.assertIn(
            f"/my/statement/{self.customer_a.id}?date_from=2024-03-01"
            "&amp;date_to=2024-03-31&amp;report_type=pdf&amp;download=1",
            page.text,
        )
        # A bad period shows the form again with the reason.
        page = self.url_open("/my/statement?date_to=2024-02-30")
        self.assertEqual(page.status_code, 200)
        self.assertIn("To (date_to) must be a date", page.text)
        self.assertNotIn(f"/my/statement/{self.customer_b.id}", page.text)
        # A customer without any invoice has nothing to show on the home page.
        loner = self.env["res.partner"].create({"name": "No Invoice Customer"})
        self.user_b.partner_id.parent_id = loner
        self.authenticate("stmt_portal_b", "stmt_portal_b")
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["credit_statement_count"]}
        )
        self.assertEqual(counters["credit_statement_count"], 0)
