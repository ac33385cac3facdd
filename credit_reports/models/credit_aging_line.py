from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

AGING_BUCKETS = [
    ("current", "Current"),
    ("1_30", "1-30 days"),
    ("31_60", "31-60 days"),
    ("61_90", "61-90 days"),
    ("90_plus", "90+ days"),
]

# Snapshots are a working set, not an archive: the autovacuum drops the ones
# nobody rebuilt for this many days.
AGING_LINE_RETENTION_DAYS = 7


class CreditAgingLine(models.Model):
    """One open receivable item as it stood on a chosen date.

    A regular model rather than a TransientModel: the lines are explored in
    pivot and graph views and printed, sometimes long after they were built,
    and the transient vacuum (one hour by default) would empty a report under
    the user's feet. Each user keeps a private snapshot per company and date
    (record rule on ``create_uid``); rebuilding replaces it and the
    autovacuum removes stale ones.
    """

    _name = "credit.aging.line"
    _description = "Aged Receivable Line"
    _order = "as_of_date desc, partner_id, date_maturity, id"
    _rec_name = "move_id"

    as_of_date = fields.Date(string="As of", required=True, readonly=True, index=True)
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        readonly=True,
        index=True,
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        readonly=True,
        index=True,
        help="Commercial entity of the journal item's partner.",
    )
    move_line_id = fields.Many2one(
        comodel_name="account.move.line",
        string="Journal Item",
        readonly=True,
        ondelete="cascade",
    )
    move_id = fields.Many2one(
        comodel_name="account.move",
        string="Document",
        readonly=True,
        ondelete="cascade",
    )
    move_type = fields.Selection(
        selection=lambda self: self.env["account.move"]._fields["move_type"].selection,
        string="Document Type",
        readonly=True,
    )
    invoice_date = fields.Date(readonly=True)
    date = fields.Date(string="Accounting Date", readonly=True)
    date_maturity = fields.Date(string="Due Date", readonly=True)
    days_overdue = fields.Integer(
        readonly=True,
        aggregator="max",
        help="As-of date minus due date; zero or negative means not yet due.",
    )
    bucket = fields.Selection(selection=AGING_BUCKETS, readonly=True, index=True)
    # TODO: add the residual in the document currency for foreign-currency items.
    currency_id = fields.Many2one(
        comodel_name="res.currency",
        readonly=True,
        help="Company currency: all amounts of the aging are in it.",
    )
    amount_residual = fields.Monetary(
        string="Open Amount", readonly=True, aggregator="sum"
    )
    amount_current = fields.Monetary(string="Current", readonly=True, aggregator="sum")
    amount_1_30 = fields.Monetary(string="1-30", readonly=True, aggregator="sum")
    amount_31_60 = fields.Monetary(string="31-60", readonly=True, aggregator="sum")
    amount_61_90 = fields.Monetary(string="61-90", readonly=True, aggregator="sum")
    amount_90_plus = fields.Monetary(string="90+", readonly=True, aggregator="sum")
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Salesperson",
        readonly=True,
    )
    country_id = fields.Many2one(
        comodel_name="res.country",
        string="Country",
        readonly=True,
    )

    @api.autovacuum
    def _gc_stale_aging_lines(self):
        limit = fields.Datetime.now() - timedelta(days=AGING_LINE_RETENTION_DAYS)
        self.env.cr.execute(
            "DELETE FROM credit_aging_line WHERE create_date < %s", [limit]
        )
        self.invalidate_model()

    @api.model
    def _build(self, company, as_of):
        """Rebuild the current user's aged receivables of ``company`` as of
        ``as_of`` and return the new lines.

        An item's residual on ``as_of`` is its balance less the partial
        reconciliations that had happened by then, a partial counting from
        its ``max_date`` (the later date of the two matched items): a debit
        item loses the partials where it is ``debit_move_id``, a credit item
        (payment, credit note) gets back those where it is
        ``credit_move_id``, as ``account.move.line._compute_amount_residual``
        does without the date filter. A foreign-currency item whose own
        currency amount is fully matched is settled: what is left in company
        currency is an exchange difference that Odoo books with an entry of
        its own, often dated at month end, not a debt of the customer.

        Items are aged on their due date, negative ones included, so that an
        old unapplied payment shows as old. The company's branches count.
        """
        company.ensure_one()
        as_of = fields.Date.to_date(as_of)
        self.check_access("read")
        if not self.env.su and company not in self.env.user.company_ids:
            raise AccessError(
                self.env._(
                    "You may not build the aged receivables of %(company)s.",
                    company=company.display_name,
                )
            )
        companies = (
            self.env["res.company"].sudo().search([("id", "child_of", company.id)])
        )

        # 1. Raw SQL below reads the tables: push pending ORM writes first.
        self.env["account.move.line"].flush_model()
        self.env["account.move"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        self.env["account.account"].flush_model(["account_type"])
        self.env["res.partner"].flush_model(["commercial_partner_id", "country_id"])

        # 2. Drop this user's previous snapshot for the same company and date.
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM credit_aging_line
                 WHERE create_uid = %s AND company_id = %s AND as_of_date = %s
                """,
                self.env.uid,
                company.id,
                as_of,
            )
        )

        # 3. Rebuild the open items in one statement.
        self.env.cr.execute(self._get_build_query(company, companies, as_of))
        line_ids = [row[0] for row in self.env.cr.fetchall()]
        self.invalidate_model()
        return self.browse(line_ids)

    @api.model
    def _get_build_query(self, company, companies, as_of):
        """Return the ``INSERT ... SELECT`` statement building the snapshot.

        Hook: override to add columns or filters to the aging.
        """
        return SQL(
            """
            INSERT INTO credit_aging_line (
                create_uid, create_date, write_uid, write_date,
                as_of_date, company_id, partner_id, move_line_id, move_id,
                move_type, invoice_date, date, date_maturity, days_overdue,
                bucket, amount_residual, amount_current, amount_1_30,
                amount_31_60, amount_61_90, amount_90_plus, currency_id,
                user_id, country_id
            )
            SELECT
                %(uid)s, NOW() AT TIME ZONE 'UTC',
                %(uid)s, NOW() AT TIME ZONE 'UTC',
                %(as_of)s, %(company_id)s, item.partner_id, item.line_id,
                item.move_id, item.move_type, item.invoice_date, item.date,
                item.date_maturity, item.days_overdue,
                CASE
                    WHEN item.days_overdue <= 0 THEN 'current'
                    WHEN item.days_overdue <= 30 THEN '1_30'
                    WHEN item.days_overdue <= 60 THEN '31_60'
                    WHEN item.days_overdue <= 90 THEN '61_90'
                    ELSE '90_plus'
                END,
                item.residual,
                CASE WHEN item.days_overdue <= 0
                     THEN item.residual ELSE 0 END,
                CASE WHEN item.days_overdue BETWEEN 1 AND 30
                     THEN item.residual ELSE 0 END,
                CASE WHEN item.days_overdue BETWEEN 31 AND 60
                     THEN item.residual ELSE 0 END,
                CASE WHEN item.days_overdue BETWEEN 61 AND 90
                     THEN item.residual ELSE 0 END,
                CASE WHEN item.days_overdue > 90
                     THEN item.residual ELSE 0 END,
                item.currency_id, item.user_id, item.country_id
            FROM (
                SELECT
                    aml.id AS line_id,
                    aml.move_id,
                    move.move_type,
                    move.invoice_date,
                    aml.date,
                    COALESCE(aml.date_maturity, aml.date) AS date_maturity,
                    %(as_of)s::date - COALESCE(aml.date_maturity, aml.date)
                        AS days_overdue,
                    ROUND(
                        aml.balance
                        - COALESCE(matched_as_debit.amount, 0)
                        + COALESCE(matched_as_credit.amount, 0),
                        currency.decimal_places
                    ) AS residual,
                    ROUND(
                        aml.amount_currency
                        - COALESCE(matched_as_debit.amount_currency, 0)
                        + COALESCE(matched_as_credit.amount_currency, 0),
                        line_currency.decimal_places
                    ) AS residual_currency,
                    currency.id AS currency_id,
                    commercial.id AS partner_id,
                    move.invoice_user_id AS user_id,
                    commercial.country_id
                FROM account_move_line aml
                JOIN account_account account ON account.id = aml.account_id
                JOIN account_move move ON move.id = aml.move_id
                JOIN res_company company ON company.id = %(company_id)s
                JOIN res_currency currency ON currency.id = company.currency_id
                JOIN res_currency line_currency
                  ON line_currency.id = aml.currency_id
                LEFT JOIN res_partner partner ON partner.id = aml.partner_id
                LEFT JOIN res_partner commercial
                       ON commercial.id = partner.commercial_partner_id
                LEFT JOIN LATERAL (
                    SELECT SUM(part.amount) AS amount,
                           SUM(part.debit_amount_currency) AS amount_currency
                      FROM account_partial_reconcile part
                     WHERE part.debit_move_id = aml.id
                       AND part.max_date <= %(as_of)s
                ) matched_as_debit ON TRUE
                LEFT JOIN LATERAL (
                    SELECT SUM(part.amount) AS amount,
                           SUM(part.credit_amount_currency) AS amount_currency
                      FROM account_partial_reconcile part
                     WHERE part.credit_move_id = aml.id
                       AND part.max_date <= %(as_of)s
                ) matched_as_credit ON TRUE
                WHERE account.account_type = 'asset_receivable'
                  AND aml.parent_state = 'posted'
                  AND aml.company_id IN %(company_ids)s
                  AND aml.date <= %(as_of)s
            ) item
            WHERE item.residual != 0 AND item.residual_currency != 0
            RETURNING id
            """,
            uid=self.env.uid,
            as_of=as_of,
            company_id=company.id,
            company_ids=tuple(companies.ids),
        )
