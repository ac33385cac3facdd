from odoo import api, fields, models
from odoo.tools import SQL

# The same keys and labels as the manual class of credit_management
# (``credit_risk_class``), so that both read alike and can be compared.
RISK_CLASSES = [
    ("a", "A - Low risk"),
    ("b", "B - Moderate risk"),
    ("c", "C - High risk"),
    ("d", "D - Very high risk"),
]
MANUAL_RISK_FIELD = "credit_risk_class"


class ResPartner(models.Model):
    """Customers get a risk class computed from their payment record."""

    _inherit = "res.partner"

    credit_risk_class_computed = fields.Selection(
        selection=RISK_CLASSES,
        string="Computed Risk Class",
        company_dependent=True,
        readonly=True,
        groups="credit_management.group_credit_controller",
        help="Set every day from the last 12 months of payments, the overdue "
        "share of the open receivables and open payment-habit flags.",
    )
    credit_risk_class_effective = fields.Selection(
        selection=RISK_CLASSES,
        string="Effective Risk Class",
        compute="_compute_credit_risk_class_effective",
        groups="credit_management.group_credit_controller",
        help="The risk class set by a credit manager when there is one, "
        "else the computed one.",
    )
    credit_habit_flag_ids = fields.One2many(
        comodel_name="credit.habit.flag",
        inverse_name="partner_id",
        string="Payment Habit Changes",
        groups="credit_management.group_credit_controller",
    )

    @api.depends_context("company")
    @api.depends(
        lambda self: [
            fname
            for fname in (MANUAL_RISK_FIELD, "credit_risk_class_computed")
            if fname in self._fields
        ]
    )
    def _compute_credit_risk_class_effective(self):
        # The manual class comes with credit_management's credit rules; read
        # it only where that field exists.
        has_manual = MANUAL_RISK_FIELD in self._fields
        for partner in self:
            manual = partner[MANUAL_RISK_FIELD] if has_manual else False
            partner.credit_risk_class_effective = (
                manual or partner.credit_risk_class_computed
            )

    @api.model
    def _credit_get_risk_class(
        self, add, overdue_share, has_open_flag, dispute_share=0.0
    ):
        """Return the risk class of a customer. Hook.

        :param add: amount-weighted average days late of the invoices paid in
            the last 12 months (0 without any)
        :param overdue_share: overdue share (%) of the open receivables
        :param has_open_flag: whether a payment-habit change is open
        :param dispute_share: share (%) of the invoices of the last 12 months
            that the customer disputed
        """
        if overdue_share >= 50 or add > 30:
            return "d"
        if overdue_share >= 25 or add > 15 or has_open_flag or dispute_share >= 50:
            return "c"
        if overdue_share >= 10 or add > 5:
            return "b"
        return "a"

    @api.model
    def _credit_compute_risk_classes(self, company, as_of):
        """Set the computed risk class, in ``company``, of every customer with
        receivable items there, as of ``as_of``; return {partner id: class}.

        ADD over the invoices paid in full in (as_of - 365 days, as_of], the
        overdue share over the open items on as_of (reconciliations counted
        from their ``max_date``) and the share of the invoices dated in that
        year that were ever disputed, in one statement.
        """
        as_of = fields.Date.to_date(as_of)
        companies = self.env["res.company"].search([("id", "child_of", company.id)])
        for model in ("account.move.line", "account.move", "account.partial.reconcile"):
            self.env[model].flush_model()
        self.env["credit.habit.flag"].flush_model()
        self.env["account.move"].flush_model(["credit_disputed_once"])

        # 1. Figures of every customer.
        self.env.cr.execute(
            SQL(
                """
                WITH items AS (
                    SELECT aml.id, aml.balance, aml.move_id,
                           COALESCE(aml.date_maturity, aml.date) AS due,
                           partner.commercial_partner_id AS partner_id,
                           aml.balance
                           - COALESCE((SELECT SUM(p.amount)
                                         FROM account_partial_reconcile p
                                        WHERE p.debit_move_id = aml.id
                                          AND p.max_date <= %(as_of)s), 0)
                           + COALESCE((SELECT SUM(p.amount)
                                         FROM account_partial_reconcile p
                                        WHERE p.credit_move_id = aml.id
                                          AND p.max_date <= %(as_of)s), 0)
                               AS residual,
                           (SELECT MAX(p.max_date)
                              FROM account_partial_reconcile p
                             WHERE p.debit_move_id = aml.id
                               AND p.max_date <= %(as_of)s) AS settled_on
                      FROM account_move_line aml
                      JOIN account_account account
                        ON account.id = aml.account_id
                      JOIN res_partner partner ON partner.id = aml.partner_id
                     WHERE account.account_type = 'asset_receivable'
                       AND aml.parent_state = 'posted'
                       AND aml.company_id IN %(company_ids)s
                       AND aml.date <= %(as_of)s
                )
                SELECT i.partner_id,
                       COALESCE(SUM(i.balance * GREATEST(0, i.settled_on - i.due))
                           FILTER (WHERE paid.ok)
                           / NULLIF(SUM(i.balance) FILTER (WHERE paid.ok), 0), 0),
                       CASE WHEN SUM(i.residual) > 0
                            THEN SUM(i.residual) FILTER (WHERE i.due < %(as_of)s)
                                 / SUM(i.residual) * 100
                            ELSE 0 END,
                       EXISTS (SELECT 1 FROM credit_habit_flag f
                                WHERE f.partner_id = i.partner_id
                                  AND f.company_id = %(company_id)s
                                  AND f.state = 'open'),
                       COALESCE(
                           COUNT(DISTINCT i.move_id) FILTER (
                               WHERE recent.ok AND move.credit_disputed_once)
                           * 100.0
                           / NULLIF(COUNT(DISTINCT i.move_id)
                                        FILTER (WHERE recent.ok), 0),
                           0)
                  FROM items i
                  JOIN account_move move ON move.id = i.move_id
                  CROSS JOIN LATERAL (
                      SELECT move.move_type = 'out_invoice' AND i.balance > 0
                             AND i.residual = 0
                             AND i.settled_on > %(as_of)s::date - 365 AS ok
                  ) paid
                  CROSS JOIN LATERAL (
                      SELECT move.move_type = 'out_invoice'
                             AND move.invoice_date > %(as_of)s::date - 365 AS ok
                  ) recent
                 GROUP BY i.partner_id
                """,
                as_of=as_of,
                company_id=company.id,
                company_ids=tuple(companies.ids),
            )
        )

        # 2. Classify, and write each class in one go.
        classes = {}
        for partner_id, add, share, flagged, disputed in self.env.cr.fetchall():
            classes[partner_id] = self._credit_get_risk_class(
                float(add), float(share or 0), flagged, float(disputed or 0)
            )
        partners = self.browse(list(classes)).with_company(company).sudo()
        for risk_class, _label in RISK_CLASSES:
            partners.filtered(lambda p, c=risk_class: classes[p.id] == c).write(
                {"credit_risk_class_computed": risk_class}
            )
        return classes

    @api.model
    def _cron_compute_risk_classes(self):
        today = fields.Date.context_today(self)
        for company in self.env["res.company"].search([("parent_id", "=", False)]):
            self._credit_compute_risk_classes(company, today)

    def action_view_credit_habit_flags(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "credit_reports.credit_habit_flag_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        return action

    def _credit_get_decision_risk_class(self):
        # The credit rules follow the class derived from behaviour unless a
        # credit manager set one by hand.
        self.ensure_one()
        return self.sudo().credit_risk_class_effective
