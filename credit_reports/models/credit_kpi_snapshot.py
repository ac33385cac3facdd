from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

# How far back the countback DSO may walk from a month's end: beyond a year of
# sales the debt is no longer explained by recent billing anyway.
COUNTBACK_MONTHS = 12


class CreditKpiSnapshot(models.Model):
    """Monthly collection KPIs of one customer, or of the whole portfolio.

    All amounts are in company currency and come from the posted receivable
    journal items of the company and its branches, grouped on the items'
    commercial partner; the portfolio row (no customer) sums every item.
    For a month with period end E (its last day) and start S:

    - receivables at E: balance of the receivable items dated on or before
      E (the same total as the aged receivables on E); opening receivables:
      the same on S - 1 day;
    - current receivables at E: the open amount on E of the items due on or
      after E (open amount as in the aging, counting the reconciliations
      whose ``max_date`` is on or before E); overdue: receivables - current;
    - credit sales: balance of the receivable items of customer invoices
      and credit notes dated in the month (credit notes lower them);
    - DSO (standard) = receivables at E / credit sales x days in the month;
      empty without sales;
    - countback DSO: the receivables at E are matched against the sales of
      the month, then of each month before it (at most 12): every month
      they exhaust counts all its days, the last one its share of days;
    - ADD (average days late, amount weighted) = sum(amount x days late) /
      sum(amount) over the customer invoice items paid in the month, where
      the settlement date is the latest ``max_date`` of the reconciliations
      that paid the item and days late = max(0, settlement - due date);
    - CEI (collection effectiveness index) = (opening + sales - closing) /
      (opening + sales - closing current) x 100; empty when the divisor is 0;
    - overdue share = overdue receivables at E / receivables at E x 100,
      empty unless receivables are positive;
    - average days to pay: plain mean of (settlement - invoice date) over the
      same paid items as ADD.

    The trend fields are the change from the previous month's snapshot, when
    one exists.
    """

    _name = "credit.kpi.snapshot"
    _description = "Credit KPI Snapshot"
    _order = "month desc, is_portfolio desc, partner_id"
    _rec_name = "month"

    company_id = fields.Many2one(
        comodel_name="res.company", required=True, readonly=True, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    month = fields.Date(
        required=True,
        readonly=True,
        index=True,
        help="First day of the month the figures are about.",
    )
    is_portfolio = fields.Boolean(
        string="Portfolio",
        readonly=True,
        help="Figures of all customers together.",
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner", string="Customer", readonly=True, index=True
    )
    receivable_opening = fields.Monetary(
        string="Opening Receivables", readonly=True, aggregator="sum"
    )
    receivable_closing = fields.Monetary(
        string="Closing Receivables", readonly=True, aggregator="sum"
    )
    receivable_current = fields.Monetary(
        string="Closing Current", readonly=True, aggregator="sum"
    )
    receivable_overdue = fields.Monetary(
        string="Closing Overdue", readonly=True, aggregator="sum"
    )
    credit_sales = fields.Monetary(readonly=True, aggregator="sum")
    paid_amount = fields.Monetary(
        string="Invoices Paid",
        readonly=True,
        aggregator="sum",
        help="Amount of the invoice items paid in full in the month.",
    )
    paid_count = fields.Integer(string="Invoices Paid (#)", readonly=True)
    dso = fields.Float(string="DSO", readonly=True, aggregator="avg")
    dso_countback = fields.Float(
        string="Countback DSO", readonly=True, aggregator="avg"
    )
    average_days_late = fields.Float(string="ADD", readonly=True, aggregator="avg")
    cei = fields.Float(string="CEI (%)", readonly=True, aggregator="avg")
    overdue_share = fields.Float(string="Overdue (%)", readonly=True, aggregator="avg")
    average_days_to_pay = fields.Float(
        string="Days to Pay", readonly=True, aggregator="avg"
    )
    dso_trend = fields.Float(string="DSO Change", readonly=True, aggregator="avg")
    average_days_late_trend = fields.Float(
        string="ADD Change", readonly=True, aggregator="avg"
    )
    overdue_share_trend = fields.Float(
        string="Overdue Change", readonly=True, aggregator="avg"
    )

    _sql_constraints = [
        (
            "month_partner_unique",
            "UNIQUE NULLS NOT DISTINCT (company_id, month, partner_id)",
            "There is one snapshot per customer (or portfolio) and month.",
        ),
    ]

    @api.model
    def _compute_months(self, company, date_from, date_to):
        """Rebuild the snapshots of ``company`` for every month from the one
        of ``date_from`` to the one of ``date_to`` and return them.

        One statement per KPI, whatever the number of customers and months.
        """
        company.ensure_one()
        if not self.env.su and company not in self.env.user.company_ids:
            raise AccessError(
                self.env._(
                    "You may not compute the credit KPIs of %(company)s.",
                    company=company.display_name,
                )
            )
        self.check_access("create")
        start = fields.Date.to_date(date_from).replace(day=1)
        stop = fields.Date.to_date(date_to).replace(day=1)
        companies = (
            self.env["res.company"].sudo().search([("id", "child_of", company.id)])
        )
        args = {
            "uid": self.env.uid,
            "company_id": company.id,
            "company_ids": tuple(companies.ids),
            "start": start,
            "stop": stop,
            # The month in progress ends today: its DSO counts the days so
            # far, not the whole month, against the sales so far.
            "today": fields.Date.context_today(self),
        }

        # 1. Raw SQL reads the ledger: push pending ORM writes first.
        for model in ("account.move.line", "account.move", "account.partial.reconcile"):
            self.env[model].flush_model()
        self.env["account.account"].flush_model(["account_type"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])

        # 2. Replace the months' snapshots.
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM credit_kpi_snapshot
                 WHERE company_id = %(company_id)s
                   AND month BETWEEN %(start)s AND %(stop)s
                """,
                **args,
            )
        )

        # 3. Balances, sales and standard DSO; then each KPI in turn.
        self.env.cr.execute(self._get_balance_query(args))
        ids = tuple(row[0] for row in self.env.cr.fetchall())
        if ids:
            args["ids"] = ids
            for query in (
                self._get_current_query(args),
                self._get_countback_query(args),
                self._get_payment_query(args),
                self._get_trend_query(args),
            ):
                self.env.cr.execute(query)
        self.invalidate_model()
        return self.browse(ids)

    @api.model
    def _get_items_cte(self, args):
        """Return the receivable journal items as a CTE body ``items``."""
        return SQL(
            """
            SELECT aml.id, aml.date, aml.balance, aml.move_id,
                   COALESCE(aml.date_maturity, aml.date) AS date_maturity,
                   move.move_type, move.invoice_date,
                   partner.commercial_partner_id AS partner_id
              FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
              JOIN account_move move ON move.id = aml.move_id
              LEFT JOIN res_partner partner ON partner.id = aml.partner_id
             WHERE account.account_type = 'asset_receivable'
               AND aml.parent_state = 'posted'
               AND aml.company_id IN %(company_ids)s
               AND aml.date <= LEAST(
                       (%(stop)s::date + INTERVAL '1 month - 1 day')::date,
                       %(today)s::date)
            """,
            **args,
        )

    @api.model
    def _get_balance_query(self, args):
        """Insert one row per customer and month with any receivable activity,
        and a portfolio row per month, with receivables, sales and DSO."""
        return SQL(
            """
            WITH items AS (%(items)s),
            months AS (
                SELECT m::date AS month,
                       LEAST((m + INTERVAL '1 month - 1 day')::date,
                             %(today)s::date) AS month_end
                  FROM generate_series(%(start)s::date, %(stop)s::date,
                                       INTERVAL '1 month') m
            ),
            figures AS (
                SELECT m.month, m.month_end, i.partner_id,
                       GROUPING(i.partner_id) = 1 AS is_portfolio,
                       COALESCE(SUM(i.balance)
                           FILTER (WHERE i.date < m.month), 0) AS opening,
                       COALESCE(SUM(i.balance), 0) AS closing,
                       COALESCE(SUM(i.balance) FILTER (
                           WHERE i.date >= m.month
                             AND i.move_type IN ('out_invoice', 'out_refund')
                       ), 0) AS sales,
                       COUNT(*) FILTER (WHERE i.date >= m.month) AS moved
                  FROM months m
                  JOIN items i ON i.date <= m.month_end
                 GROUP BY GROUPING SETS ((m.month, m.month_end, i.partner_id),
                                         (m.month, m.month_end))
            )
            INSERT INTO credit_kpi_snapshot (
                create_uid, create_date, write_uid, write_date, company_id,
                month, is_portfolio, partner_id, receivable_opening,
                receivable_closing, credit_sales, dso
            )
            SELECT %(uid)s, NOW() AT TIME ZONE 'UTC',
                   %(uid)s, NOW() AT TIME ZONE 'UTC', %(company_id)s,
                   f.month, f.is_portfolio, f.partner_id, f.opening, f.closing,
                   f.sales,
                   CASE WHEN f.sales > 0
                        THEN f.closing / f.sales
                             * (f.month_end - f.month + 1) END
              FROM figures f
             WHERE f.is_portfolio
                OR (f.partner_id IS NOT NULL
                    AND (f.opening != 0 OR f.closing != 0 OR f.moved > 0))
            RETURNING id
            """,
            items=self._get_items_cte(args),
            **args,
        )

    @api.model
    def _get_current_query(self, args):
        """Set current and overdue receivables, overdue share and CEI."""
        return SQL(
            """
            WITH items AS (%(items)s),
            snap AS (
                SELECT id, partner_id, is_portfolio,
                       LEAST((month + INTERVAL '1 month - 1 day')::date,
                             %(today)s::date) AS month_end
                  FROM credit_kpi_snapshot WHERE id IN %(ids)s
            ),
            current AS (
                SELECT s.id, COALESCE(SUM(
                           i.balance
                           - COALESCE((SELECT SUM(p.amount)
                                         FROM account_partial_reconcile p
                                        WHERE p.debit_move_id = i.id
                                          AND p.max_date <= s.month_end), 0)
                           + COALESCE((SELECT SUM(p.amount)
                                         FROM account_partial_reconcile p
                                        WHERE p.credit_move_id = i.id
                                          AND p.max_date <= s.month_end), 0)
                       ), 0) AS amount
                  FROM snap s
                  LEFT JOIN items i
                         ON i.date <= s.month_end
                        AND i.date_maturity >= s.month_end
                        AND (s.is_portfolio OR i.partner_id = s.partner_id)
                 GROUP BY s.id
            )
            UPDATE credit_kpi_snapshot k
               SET receivable_current = c.amount,
                   receivable_overdue = k.receivable_closing - c.amount,
                   overdue_share = CASE WHEN k.receivable_closing > 0
                       THEN (k.receivable_closing - c.amount)
                            / k.receivable_closing * 100 END,
                   cei = CASE WHEN k.receivable_opening + k.credit_sales
                                   - c.amount != 0
                       THEN (k.receivable_opening + k.credit_sales
                             - k.receivable_closing)
                            / (k.receivable_opening + k.credit_sales - c.amount)
                            * 100 END
              FROM current c
             WHERE c.id = k.id
            """,
            items=self._get_items_cte(args),
            **args,
        )

    @api.model
    def _get_countback_query(self, args):
        """Set the countback DSO of the snapshots with positive receivables."""
        return SQL(
            """
            WITH items AS (%(items)s),
            sales AS (
                SELECT date_trunc('month', i.date)::date AS month,
                       i.partner_id, GROUPING(i.partner_id) = 1 AS is_portfolio,
                       SUM(i.balance) AS amount
                  FROM items i
                 WHERE i.move_type IN ('out_invoice', 'out_refund')
                 GROUP BY GROUPING SETS (
                     (date_trunc('month', i.date), i.partner_id),
                     (date_trunc('month', i.date))
                 )
            ),
            walk AS (
                SELECT k.id, k.receivable_closing AS debt,
                       LEAST((back.month + INTERVAL '1 month')::date,
                             %(today)s::date + 1) - back.month AS days,
                       COALESCE(s.amount, 0) AS sales,
                       COALESCE(SUM(COALESCE(s.amount, 0)) OVER (
                           PARTITION BY k.id ORDER BY back.month DESC
                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                       ), 0) AS before
                  FROM credit_kpi_snapshot k
                  CROSS JOIN LATERAL generate_series(
                      k.month - make_interval(months => %(depth)s), k.month,
                      INTERVAL '1 month') back_m
                  CROSS JOIN LATERAL (SELECT back_m::date AS month) back
                  LEFT JOIN sales s
                         ON s.month = back.month
                        AND s.is_portfolio = k.is_portfolio
                        AND (k.is_portfolio OR s.partner_id = k.partner_id)
                 WHERE k.id IN %(ids)s AND k.receivable_closing > 0
            )
            UPDATE credit_kpi_snapshot k
               SET dso_countback = w.days
              FROM (
                  SELECT id, SUM(CASE
                      WHEN before >= debt THEN 0
                      WHEN before + sales <= debt THEN days
                      ELSE (debt - before) / sales * days
                  END) AS days
                    FROM walk GROUP BY id
              ) w
             WHERE w.id = k.id
            """,
            items=self._get_items_cte(args),
            depth=COUNTBACK_MONTHS - 1,
            **args,
        )

    @api.model
    def _get_payment_query(self, args):
        """Set ADD, average days to pay and the invoices paid in the month."""
        return SQL(
            """
            WITH items AS (%(items)s),
            settled AS (
                SELECT i.id, i.partner_id, i.balance AS amount,
                       MAX(p.max_date) AS settled_on,
                       i.date_maturity, i.invoice_date
                  FROM items i
                  JOIN account_partial_reconcile p ON p.debit_move_id = i.id
                 WHERE i.move_type = 'out_invoice' AND i.balance > 0
                 GROUP BY i.id, i.partner_id, i.balance, i.date_maturity,
                          i.invoice_date
                HAVING SUM(p.amount) >= i.balance
            ),
            figures AS (
                SELECT date_trunc('month', s.settled_on)::date AS month,
                       s.partner_id, GROUPING(s.partner_id) = 1 AS is_portfolio,
                       COUNT(*) AS paid_count, SUM(s.amount) AS paid_amount,
                       SUM(s.amount * GREATEST(0, s.settled_on - s.date_maturity))
                           / NULLIF(SUM(s.amount), 0) AS add,
                       AVG(s.settled_on - COALESCE(s.invoice_date, s.settled_on))
                           AS days_to_pay
                  FROM settled s
                 WHERE s.settled_on BETWEEN %(start)s
                       AND LEAST((%(stop)s::date + INTERVAL '1 month - 1 day')::date,
                                 %(today)s::date)
                 GROUP BY GROUPING SETS (
                     (date_trunc('month', s.settled_on), s.partner_id),
                     (date_trunc('month', s.settled_on))
                 )
            )
            UPDATE credit_kpi_snapshot k
               SET paid_count = f.paid_count,
                   paid_amount = f.paid_amount,
                   average_days_late = f.add,
                   average_days_to_pay = f.days_to_pay
              FROM figures f
             WHERE k.id IN %(ids)s
               AND f.month = k.month
               AND f.is_portfolio = k.is_portfolio
               AND (k.is_portfolio OR f.partner_id = k.partner_id)
            """,
            items=self._get_items_cte(args),
            **args,
        )

    @api.model
    def _get_trend_query(self, args):
        """Set the change of DSO, ADD and overdue share from the month before."""
        return SQL(
            """
            UPDATE credit_kpi_snapshot k
               SET dso_trend = k.dso - prev.dso,
                   average_days_late_trend
                       = k.average_days_late - prev.average_days_late,
                   overdue_share_trend = k.overdue_share - prev.overdue_share
              FROM credit_kpi_snapshot prev
             WHERE k.id IN %(ids)s
               AND prev.company_id = k.company_id
               AND prev.month = (k.month - INTERVAL '1 month')::date
               AND prev.partner_id IS NOT DISTINCT FROM k.partner_id
            """,
            **args,
        )

    @api.model
    def _cron_compute_last_months(self, months=2):
        """Refresh the last ``months`` months (the current one included) of
        every company."""
        today = fields.Date.context_today(self)
        for company in self.env["res.company"].search([("parent_id", "=", False)]):
            self._compute_months(
                company, today - relativedelta(months=months - 1), today
            )
