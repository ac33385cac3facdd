from odoo import fields, models, tools


class CreditHoldTimeReport(models.Model):
    """Time holds waited for a decision, per deciding user and company.

    A database view, so that the 90th percentile, which Odoo's grouping
    cannot compute, is read off PostgreSQL's ``percentile_cont``.
    """

    _name = "credit.hold.time.report"
    _description = "Credit Hold Time Statistics"
    _auto = False
    _order = "company_id, avg_hours desc"

    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    decided_by_id = fields.Many2one(
        comodel_name="res.users", string="Decided by", readonly=True
    )
    decision_count = fields.Integer(string="Decisions", readonly=True)
    approved_count = fields.Integer(string="Approved", readonly=True)
    rejected_count = fields.Integer(string="Rejected", readonly=True)
    avg_hours = fields.Float(
        string="Average Time in Hold (h)",
        readonly=True,
        digits=(16, 1),
        aggregator="max",
    )
    p90_hours = fields.Float(
        string="90th Percentile (h)",
        readonly=True,
        digits=(16, 1),
        aggregator="max",
        help="Nine holds in ten were decided within this time.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE VIEW {self._table} AS (
                SELECT MIN(hold.id) AS id,
                       hold.company_id,
                       hold.decided_by_id,
                       COUNT(*) AS decision_count,
                       COUNT(*) FILTER (WHERE hold.state IN ('approved', 'expired'))
                           AS approved_count,
                       COUNT(*) FILTER (WHERE hold.state = 'rejected')
                           AS rejected_count,
                       AVG(hold.hold_hours) AS avg_hours,
                       percentile_cont(0.9) WITHIN GROUP (ORDER BY hold.hold_hours)
                           AS p90_hours
                  FROM credit_hold hold
                 WHERE hold.decided_by_id IS NOT NULL
                   AND hold.state IN ('approved', 'rejected', 'expired')
                 GROUP BY hold.company_id, hold.decided_by_id
            )
            """
        )
