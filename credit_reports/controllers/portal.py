from datetime import timedelta

from werkzeug.exceptions import NotFound

from odoo import fields
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.http import request, route

STATEMENT_REPORT = "credit_reports.action_report_customer_statement"
# Like the statement wizard: the last 30 days by default.
STATEMENT_DEFAULT_DAYS = 30


class CreditStatementPortal(CustomerPortal):
    """A customer's contacts with portal access read and download the
    statement of account of their own commercial entity, and no other."""

    def _credit_statement_partner(self):
        """Commercial entity whose statement the logged-in user may see."""
        return request.env.user.partner_id.commercial_partner_id

    def _credit_statement_has_documents(self, partner):
        company = request.env.user.company_id
        return bool(
            request.env["account.move.line"]
            .sudo()
            .search_count(
                [
                    ("partner_id", "child_of", partner.id),
                    ("company_id", "child_of", company.id),
                    ("account_type", "=", "asset_receivable"),
                    ("parent_state", "=", "posted"),
                ],
                limit=1,
            )
        )

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "credit_statement_count" in counters:
            partner = self._credit_statement_partner()
            values["credit_statement_count"] = int(
                self._credit_statement_has_documents(partner)
            )
        return values

    def _credit_statement_dates(self, date_from, date_to):
        """Parse the period of the query string, defaults as the wizard's.

        :raise ValueError: with a message naming the bad parameter
        """
        today = fields.Date.context_today(request.env.user)
        dates = {}
        for name, label, value, default in (
            ("date_from", request.env._("From"), date_from, None),
            ("date_to", request.env._("To"), date_to, today),
        ):
            try:
                dates[name] = fields.Date.to_date(value) if value else default
            except ValueError as error:
                raise ValueError(
                    request.env._(
                        "Statement: %(label)s (%(field)s) must be a date such "
                        "as 2024-03-31, not %(value)r.",
                        label=label,
                        field=name,
                        value=value,
                    )
                ) from error
        if not dates["date_from"]:
            dates["date_from"] = dates["date_to"] - timedelta(
                days=STATEMENT_DEFAULT_DAYS
            )
        if dates["date_from"] > dates["date_to"]:
            raise ValueError(
                request.env._(
                    "Statement: From (date_from) %(start)s is after To "
                    "(date_to) %(end)s.",
                    start=dates["date_from"],
                    end=dates["date_to"],
                )
            )
        return dates

    def _credit_statement_bad_request(self, message):
        return request.make_response(
            message,
            headers=[("Content-Type", "text/plain; charset=utf-8")],
            status=400,
        )

    @route("/my/statement", type="http", auth="user", website=True)
    def portal_my_credit_statement(self, date_from=None, date_to=None, **kw):
        partner = self._credit_statement_partner()
        values = self._prepare_portal_layout_values()
        values.update({"page_name": "credit_statement", "statement_partner": partner})
        try:
            values.update(self._credit_statement_dates(date_from, date_to))
        except ValueError as error:
            # Show the form again, on the default period, with the reason.
            values.update(self._credit_statement_dates(None, None))
            values["statement_error"] = str(error)
        return request.render("credit_reports.portal_my_credit_statement", values)

    @route(
        "/my/statement/<int:partner_id>",
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_credit_statement_report(
        self,
        partner_id,
        date_from=None,
        date_to=None,
        report_type="pdf",
        download=False,
        **kw,
    ):
        partner = self._credit_statement_partner()
        # Another customer's statement does not exist for this user: 404,
        # whether that customer exists or not.
        if partner_id != partner.id:
            raise NotFound()
        if report_type not in ("pdf", "html"):
            return self._credit_statement_bad_request(
                request.env._(
                    "Statement: report_type must be pdf or html, not %(value)r.",
                    value=report_type,
                )
            )
        try:
            dates = self._credit_statement_dates(date_from, date_to)
        except ValueError as error:
            return self._credit_statement_bad_request(str(error))
        wizard_sudo = (
            request.env["credit.statement.wizard"]
            .sudo()
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": request.env.user.company_id.id,
                    **dates,
                }
            )
        )
        return self._show_report(
            model=wizard_sudo,
            report_type=report_type,
            report_ref=STATEMENT_REPORT,
            download=download in (True, "1", "true", "True"),
        )
