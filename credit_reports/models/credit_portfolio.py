import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .res_partner import RISK_CLASSES

_logger = logging.getLogger(__name__)

# The concentration is the share of this many largest exposures in the total.
CONCENTRATION_TOP = 10


class CreditPortfolioLine(models.Model):
    """One customer's credit position in one company, as of the last refresh.

    Rebuilt as a whole per company (see :meth:`_refresh`) from the exposure of
    the credit engine, so that the dashboard reads the same figures as the
    credit check, and can be filtered, grouped and pivoted like any report.
    """

    _name = "credit.portfolio.line"
    _description = "Credit Portfolio Line"
    _order = "company_id, rank, id"
    _rec_name = "partner_id"

    company_id = fields.Many2one(
        comodel_name="res.company", required=True, readonly=True, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(
        string="Computed On", required=True, readonly=True, help="Refresh day."
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    user_id = fields.Many2one(
        comodel_name="res.users", string="Salesperson", readonly=True
    )
    controller_id = fields.Many2one(
        comodel_name="res.users",
        string="Credit Controller",
        readonly=True,
        help="Who follows the customer: its salesperson when a credit "
        "controller, else the company's first credit controller.",
    )
    risk_class = fields.Selection(
        selection=RISK_CLASSES + [("none", "Not Classified")],
        string="Risk Class",
        readonly=True,
        help="Effective risk class: set by a credit manager, else computed.",
    )
    exposure_receivable = fields.Monetary(
        string="Open Receivables", readonly=True, aggregator="sum"
    )
    exposure_draft = fields.Monetary(
        string="Draft Invoices", readonly=True, aggregator="sum"
    )
    exposure_orders = fields.Monetary(
        string="Uninvoiced Orders", readonly=True, aggregator="sum"
    )
    exposure_total = fields.Monetary(string="Exposure", readonly=True, aggregator="sum")
    overdue_amount = fields.Monetary(string="Overdue", readonly=True, aggregator="sum")
    credit_limit = fields.Monetary(
        readonly=True, aggregator="sum", help="0 when the customer has no limit."
    )
    has_limit = fields.Boolean(readonly=True)
    limit_usage = fields.Float(
        string="Limit Used (%)",
        readonly=True,
        aggregator="max",
        help="Exposure / credit limit x 100; empty without a positive limit.",
    )
    rank = fields.Integer(
        readonly=True,
        aggregator=False,
        help="Place of the customer by exposure in the company, the largest "
        "first; customers owing nothing come last.",
    )
    exposure_share = fields.Float(
        string="Share (%)",
        readonly=True,
        aggregator="sum",
        digits=(16, 2),
        help="Exposure / total positive exposure of the company x 100.",
    )
    concentration_group = fields.Selection(
        selection=[("top", "10 largest"), ("other", "Other customers")],
        string="Concentration",
        readonly=True,
    )

    _sql_constraints = [
        (
            "company_partner_unique",
            "UNIQUE (company_id, partner_id)",
            "A customer has one portfolio line per company.",
        ),
    ]

    @api.model
    def _get_overdue_amounts(self, company, today):
        """Return {commercial partner id: overdue open amount} in ``company``:
        open debit residuals of posted receivable items due before
        ``today``, as in the credit engine's overdue rule."""
        self.env["account.move.line"].flush_model()
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT rp.commercial_partner_id, SUM(aml.amount_residual)
                  FROM account_move_line aml
                  JOIN account_account acc ON acc.id = aml.account_id
                  JOIN res_partner rp ON rp.id = aml.partner_id
                 WHERE aml.company_id = %(company_id)s
                   AND aml.parent_state = 'posted'
                   AND acc.account_type = 'asset_receivable'
                   AND aml.amount_residual > 0
                   AND aml.date_maturity < %(today)s
                 GROUP BY rp.commercial_partner_id
                """,
                company_id=company.id,
                today=today,
            )
        )
        return dict(self.env.cr.fetchall())

    @api.model
    def _get_candidate_partners(self, company):
        """Return the commercial entities that may have exposure: those with
        an open receivable item, a draft customer invoice or credit note, or
        a confirmed sale order, in any company (an exposure may be global,
        see ``credit_exposure_scope``). The exposure query sorts them out."""
        self.env["res.partner"]._credit_flush_exposure_sources()
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT rp.commercial_partner_id
                  FROM res_partner rp
                 WHERE rp.id IN (
                        SELECT aml.partner_id
                          FROM account_move_line aml
                          JOIN account_account acc ON acc.id = aml.account_id
                         WHERE aml.parent_state = 'posted'
                           AND acc.account_type = 'asset_receivable'
                           AND aml.amount_residual != 0
                        UNION
                        SELECT am.partner_id FROM account_move am
                         WHERE am.state = 'draft'
                           AND am.move_type IN ('out_invoice', 'out_refund')
                        UNION
                        SELECT so.partner_id FROM sale_order so
                         WHERE so.state = 'sale'
                 )
                """
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        return (
            self.env["res.partner"]
            .with_company(company)
            .with_context(active_test=False)
            .browse(ids)
        )

    @api.model
    def _refresh(self, company, today=None):
        """Rebuild the portfolio lines of ``company`` and today's summary;
        return the summary.

        One line per commercial entity with any exposure or overdue amount.
        Exposure comes from ``res.partner._credit_get_exposures`` (open
        receivables + draft invoices + uninvoiced confirmed orders), the
        risk class from ``credit_risk_class_effective``. Customers are
        ranked by exposure; the share and the concentration are counted on
        the positive exposures only (a customer in credit owes nothing).
        """
        company.ensure_one()
        if not self.env.su and (
            company not in self.env.user.company_ids
            or not self.env.user.has_group("credit_management.group_credit_manager")
        ):
            raise AccessError(
                self.env._(
                    "Only a credit manager of %(company)s may refresh its "
                    "portfolio dashboard.",
                    company=company.display_name,
                )
            )
        today = fields.Date.to_date(today) or fields.Date.context_today(self)
        env = self.sudo().env
        partners = env["credit.portfolio.line"]._get_candidate_partners(company)
        exposures = partners._credit_get_exposures(company)
        overdue = self._get_overdue_amounts(company, today)
        currency = company.currency_id
        entities = (
            env["res.partner"]
            .with_company(company)
            .with_context(active_test=False)
            .browse(sorted(set(exposures) | set(overdue)))
        )
        controllers = env["res.partner"]._credit_get_company_controllers(company)
        rows = []
        for partner in entities:
            exposure = exposures.get(partner.id) or {}
            limit = partner._credit_get_limit(company)
            total = exposure.get("total", 0.0)
            rows.append(
                {
                    "company_id": company.id,
                    "date": today,
                    "partner_id": partner.id,
                    "user_id": partner.user_id.id,
                    "controller_id": partner._credit_get_controller(
                        company, controllers=controllers
                    ).id,
                    "risk_class": partner.credit_risk_class_effective or "none",
                    "exposure_receivable": exposure.get("receivable", 0.0),
                    "exposure_draft": exposure.get("draft_invoices", 0.0),
                    "exposure_orders": exposure.get("orders", 0.0),
                    "exposure_total": total,
                    "overdue_amount": currency.round(overdue.get(partner.id, 0.0)),
                    "credit_limit": limit or 0.0,
                    "has_limit": limit is not None,
                    "limit_usage": total / limit * 100 if limit else 0.0,
                }
            )
        # Largest exposure first; equal ones by customer id, for stable ranks.
        rows.sort(key=lambda row: (-row["exposure_total"], row["partner_id"]))
        positive = currency.round(
            sum(row["exposure_total"] for row in rows if row["exposure_total"] > 0)
        )
        for rank, row in enumerate(rows, start=1):
            row["rank"] = rank
            owes = row["exposure_total"] > 0
            row["exposure_share"] = (
                row["exposure_total"] / positive * 100 if owes and positive else 0.0
            )
            row["concentration_group"] = (
                "top" if owes and rank <= CONCENTRATION_TOP else "other"
            )
        lines = env["credit.portfolio.line"]
        lines.search([("company_id", "=", company.id)]).unlink()
        lines = lines.create(rows)
        summary = env["credit.portfolio.summary"]._store(company, today, lines)
        _logger.info(
            "Credit portfolio of %s: %s customer(s), %s%% in the %s largest",
            company.name,
            len(lines),
            round(summary.concentration, 1),
            CONCENTRATION_TOP,
        )
        return summary.with_env(self.env)

    def action_refresh(self):
        companies = self.company_id or self.env.company
        for company in companies:
            self._refresh(company)
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    @api.model
    def _cron_refresh(self):
        for company in self.env["res.company"].search([]):
            self._refresh(company)


class CreditPortfolioSummary(models.Model):
    """The portfolio of one company on one day, in a few figures."""

    _name = "credit.portfolio.summary"
    _description = "Credit Portfolio Summary"
    _order = "date desc, company_id"
    _rec_name = "date"

    company_id = fields.Many2one(
        comodel_name="res.company", required=True, readonly=True, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(required=True, readonly=True, index=True)
    customer_count = fields.Integer(
        string="Customers", readonly=True, help="Customers with a positive exposure."
    )
    exposure_total = fields.Monetary(
        string="Total Exposure",
        readonly=True,
        aggregator="sum",
        help="Sum of the positive exposures.",
    )
    top_exposure = fields.Monetary(
        string="10 Largest Exposures",
        readonly=True,
        aggregator="sum",
    )
    concentration = fields.Float(
        string="Concentration (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Share of the 10 largest exposures in the total exposure.",
    )
    largest_share = fields.Float(
        string="Largest Customer (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
    )
    largest_partner_id = fields.Many2one(
        comodel_name="res.partner", string="Largest Customer", readonly=True
    )
    overdue_amount = fields.Monetary(string="Overdue", readonly=True)
    overdue_share = fields.Float(
        string="Overdue (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Overdue / open receivables x 100.",
    )
    over_limit_count = fields.Integer(string="Over Limit", readonly=True)
    high_risk_exposure = fields.Monetary(
        string="Exposure in C and D",
        readonly=True,
        help="Exposure of the customers of risk class C or D.",
    )

    _sql_constraints = [
        (
            "company_date_unique",
            "UNIQUE (company_id, date)",
            "A company has one portfolio summary a day.",
        ),
    ]

    @api.model
    def _store(self, company, date, lines):
        """Replace the summary of ``company`` on ``date`` with the figures of
        its portfolio ``lines`` and return it."""
        currency = company.currency_id
        owing = lines.filtered(lambda line: line.exposure_total > 0)
        top = owing.sorted("rank")[:CONCENTRATION_TOP]
        total = currency.round(sum(owing.mapped("exposure_total")))
        top_total = currency.round(sum(top.mapped("exposure_total")))
        receivable = sum(
            line.exposure_receivable for line in lines if line.exposure_receivable > 0
        )
        overdue = currency.round(sum(lines.mapped("overdue_amount")))
        vals = {
            "company_id": company.id,
            "date": date,
            "customer_count": len(owing),
            "exposure_total": total,
            "top_exposure": top_total,
            "concentration": top_total / total * 100 if total else 0.0,
            "largest_share": top[:1].exposure_share,
            "largest_partner_id": top[:1].partner_id.id,
            "overdue_amount": overdue,
            "overdue_share": overdue / receivable * 100 if receivable else 0.0,
            "over_limit_count": len(
                lines.filtered(
                    lambda line: (
                        line.has_limit
                        and currency.compare_amounts(
                            line.exposure_total, line.credit_limit
                        )
                        > 0
                    )
                )
            ),
            "high_risk_exposure": currency.round(
                sum(
                    owing.filtered(lambda line: line.risk_class in ("c", "d")).mapped(
                        "exposure_total"
                    )
                )
            ),
        }
        self.search([("company_id", "=", company.id), ("date", "=", date)]).unlink()
        return self.create(vals)

    def action_refresh(self):
        for company in self.company_id or self.env.company:
            self.env["credit.portfolio.line"]._refresh(company)
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    def action_open_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "credit_reports.credit_portfolio_line_action_top"
        )
        action["domain"] = [("company_id", "=", self.company_id.id)]
        return action
