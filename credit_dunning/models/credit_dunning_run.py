import logging
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


class CreditDunningRun(models.Model):
    """A batch of reminders: overdue invoices of one company as of one date."""

    _name = "credit.dunning.run"
    _description = "Dunning Run"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        default="/",
    )
    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        tracking=True,
        help="Invoices due strictly before this date are overdue; days past "
        "due are counted up to this date.",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    state = fields.Selection(
        selection=[
            ("draft", "Draft"),
            ("computed", "Computed"),
            ("done", "Done"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="draft",
        readonly=True,
        copy=False,
        tracking=True,
    )
    line_ids = fields.One2many(
        comodel_name="credit.dunning.line",
        inverse_name="run_id",
        string="Invoices",
        readonly=True,
    )
    letter_ids = fields.One2many(
        comodel_name="credit.dunning.letter",
        inverse_name="run_id",
        string="Letters",
        readonly=True,
    )
    line_count = fields.Integer(string="Invoice Count", compute="_compute_counts")
    letter_count = fields.Integer(compute="_compute_counts")
    partner_count = fields.Integer(string="Customer Count", compute="_compute_counts")

    @api.depends("line_ids", "letter_ids")
    def _compute_counts(self):
        for run in self:
            run.line_count = len(run.line_ids)
            run.letter_count = len(run.letter_ids)
            run.partner_count = len(run.letter_ids.partner_id)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                # The year of the reference follows the run date, so a run
                # dated in 2013 is numbered DUN/2013/xxxx whatever today is.
                seq_date = fields.Date.to_date(vals.get("date")) or (
                    fields.Date.context_today(self)
                )
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "credit.dunning.run", sequence_date=seq_date
                ) or self.env._("New")
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        if any(run.state == "done" for run in self):
            raise UserError(
                self.env._(
                    "Dunning run %(name)s is done: its letters were sent and "
                    "cannot be deleted.",
                    name=self.filtered(lambda r: r.state == "done")[:1].name,
                )
            )

    def action_compute(self):
        """Propose, for each overdue invoice, the next dunning level it reached.

        Lines and letters of a draft or computed run are replaced, so the
        run can be computed again after payments were registered.
        """
        # Lines are replaced with sudo below: check the user may edit runs.
        self.check_access("write")
        for run in self:
            if run.state not in ("draft", "computed"):
                raise UserError(
                    self.env._(
                        "Dunning run %(name)s is %(state)s and cannot be "
                        "computed again.",
                        name=run.name,
                        state=run._get_state_label(),
                    )
                )
        for run in self:
            # 1. Drop what an earlier computation proposed. Users who may
            # compute a run may not delete lines one by one, hence sudo.
            run.letter_ids.sudo().unlink()
            run.line_ids.sudo().unlink()

            # 2. One query returns the invoices and the level each reached.
            rows = self._get_overdue_invoice_rows(run.company_id, run.date)
            lines = self.env["credit.dunning.line"].create(
                [run._prepare_line_vals(row) for row in rows]
            )

            # 3. One letter per customer, level and currency.
            run._create_letters(lines)
            run.state = "computed"
            _logger.info(
                "Dunning run %s computed: %s invoices, %s letters",
                run.name,
                len(run.line_ids),
                len(run.letter_ids),
            )
        return True

    def action_confirm(self):
        """Record the levels on the invoices and note the reminders sent."""
        self.check_access("write")
        for run in self:
            if run.state != "computed":
                raise UserError(
                    self.env._(
                        "Dunning run %(name)s must be computed before it is confirmed.",
                        name=run.name,
                    )
                )
        for run in self:
            # 1. Another run may have dunned the same invoice since this one
            # was computed; sending the same level twice is what the levels
            # are there to prevent.
            stale = run.line_ids.filtered(
                lambda line: (
                    line.move_id.credit_dunning_level_id
                    and line.move_id.credit_dunning_level_id.days_overdue
                    >= line.level_id.days_overdue
                )
            )
            if stale:
                raise UserError(
                    self.env._(
                        "Invoice %(invoice)s was already dunned at level "
                        "%(level)s after run %(name)s was computed. Compute "
                        "the run again.",
                        invoice=stale[0].move_id.name,
                        level=stale[0].move_id.credit_dunning_level_id.name,
                        name=run.name,
                    )
                )

            # TODO: drop the lines of invoices paid since the computation
            # instead of recording a level on them.

            # 2. Record the new level on the invoices, one write per level.
            lines_by_level = defaultdict(lambda: self.env["credit.dunning.line"])
            for line in run.line_ids:
                lines_by_level[line.level_id] |= line
            for level, lines in lines_by_level.items():
                lines.move_id.write(
                    {
                        "credit_dunning_level_id": level.id,
                        "credit_dunning_last_date": run.date,
                    }
                )

            # 3. Leave a trace on each customer. The note is internal; the
            # letter itself is printed or sent by the user.
            for letter in run.letter_ids:
                letter._post_sent_note()

            run.state = "done"
            run.message_post(
                body=self.env._(
                    "Run confirmed: %(letters)s letters for %(invoices)s invoices.",
                    letters=len(run.letter_ids),
                    invoices=len(run.line_ids),
                )
            )
        return True

    def action_cancel(self):
        for run in self:
            if run.state == "done":
                raise UserError(
                    self.env._(
                        "Dunning run %(name)s is done and cannot be cancelled.",
                        name=run.name,
                    )
                )
        self.state = "cancelled"
        return True

    def action_reset_draft(self):
        """Back to draft, without lines, so the date or company can change."""
        self.check_access("write")
        runs = self.filtered(lambda r: r.state in ("computed", "cancelled"))
        runs.letter_ids.sudo().unlink()
        runs.line_ids.sudo().unlink()
        runs.state = "draft"
        return True

    def action_print_letters(self):
        letters = self.letter_ids
        if not letters:
            raise UserError(self.env._("There is no letter to print."))
        return self.env.ref(
            "credit_dunning.action_report_dunning_letter"
        ).report_action(letters)

    def action_view_letters(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "credit_dunning.credit_dunning_letter_action"
        )
        action["domain"] = [("run_id", "=", self.id)]
        action["context"] = {"default_run_id": self.id}
        return action

    def _get_state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _prepare_line_vals(self, row):
        """Values of the dunning line for one row of the overdue query."""
        self.ensure_one()
        return {
            "run_id": self.id,
            "move_id": row["move_id"],
            "partner_id": row["partner_id"],
            "level_id": row["level_id"],
            "days_overdue": row["days_overdue"],
            "invoice_date_due": row["invoice_date_due"],
            "amount_residual": row["amount_residual"],
            "currency_id": row["currency_id"],
        }

    def _prepare_letter_vals(self, partner, level, currency, lines):
        self.ensure_one()
        return {
            "run_id": self.id,
            "partner_id": partner.id,
            "level_id": level.id,
            "currency_id": currency.id,
            "line_ids": [fields.Command.set(lines.ids)],
        }

    def _create_letters(self, lines):
        """Group the lines into letters.

        A customer with invoices at two levels gets two letters, one per
        level, since each level has its own wording. Invoices in another
        currency go on their own letter so that the total means something.
        """
        self.ensure_one()
        # TODO: offer one letter per customer that lists every level, for
        # companies that prefer a single statement.
        groups = defaultdict(lambda: self.env["credit.dunning.line"])
        for line in lines:
            groups[(line.partner_id, line.level_id, line.currency_id)] |= line
        return self.env["credit.dunning.letter"].create(
            [
                self._prepare_letter_vals(partner, level, currency, group)
                for (partner, level, currency), group in groups.items()
            ]
        )

    @api.model
    def _get_overdue_invoice_rows(self, company, date):
        """Overdue invoices of ``company`` on ``date`` that reached a new level.

        One query: posted customer invoices due strictly before ``date`` with
        an open receivable, the customer's policy (or the company's), the
        highest level whose delay has passed, minus invoices already dunned
        at that level or a higher one. Returns a list of dicts.
        """
        for model in (
            "account.move",
            "account.move.line",
            "res.partner",
            "res.company",
            "credit.dunning.policy",
            "credit.dunning.level",
        ):
            self.env[model].flush_model()
        # TODO: residuals are today's, not as of the run date; a run dated in
        # the past should rebuild them from the reconciliation dates.
        # TODO: with installments, the due date is the last one; dun each
        # receivable line on its own maturity instead.
        query = SQL(
            """
            WITH invoice AS (
                SELECT move.id AS move_id,
                       move.commercial_partner_id AS partner_id,
                       move.currency_id,
                       move.invoice_date_due,
                       %(date)s - move.invoice_date_due AS days_overdue,
                       move.credit_dunning_level_id AS sent_level_id,
                       SUM(aml.amount_residual_currency) AS amount_residual,
                       COALESCE(
                           (partner.credit_dunning_policy_id ->> %(company_key)s)::int,
                           company.credit_dunning_policy_id
                       ) AS policy_id
                  FROM account_move move
                  JOIN account_move_line aml ON aml.move_id = move.id
                  JOIN account_account account ON account.id = aml.account_id
                  JOIN res_partner partner ON partner.id = move.commercial_partner_id
                  JOIN res_company company ON company.id = move.company_id
                 WHERE move.company_id = %(company_id)s
                   AND move.move_type = 'out_invoice'
                   AND move.state = 'posted'
                   AND move.invoice_date_due < %(date)s
                   AND account.account_type = 'asset_receivable'
                   AND (partner.company_id IS NULL
                        OR partner.company_id = move.company_id)
                 GROUP BY move.id, partner.id, company.id
                HAVING SUM(aml.amount_residual) > 0
            )
            SELECT invoice.move_id,
                   invoice.partner_id,
                   invoice.currency_id,
                   invoice.invoice_date_due,
                   invoice.days_overdue,
                   invoice.amount_residual,
                   reached.id AS level_id
              FROM invoice
              JOIN credit_dunning_policy policy
                ON policy.id = invoice.policy_id AND policy.active
              JOIN LATERAL (
                    SELECT level.id, level.days_overdue
                      FROM credit_dunning_level level
                     WHERE level.policy_id = policy.id
                       AND level.days_overdue <= invoice.days_overdue
                  ORDER BY level.days_overdue DESC
                     LIMIT 1
              ) reached ON TRUE
              LEFT JOIN credit_dunning_level sent
                ON sent.id = invoice.sent_level_id
             WHERE sent.id IS NULL OR sent.days_overdue < reached.days_overdue
          ORDER BY invoice.partner_id, reached.days_overdue,
                   invoice.invoice_date_due, invoice.move_id
            """,
            date=date,
            company_id=company.id,
            company_key=str(company.id),
        )
        return self.env.execute_query_dict(query)

    @api.model
    def _cron_dunning_run(self):
        """Daily job: one confirmed run per company that has something to send."""
        today = fields.Date.context_today(self)
        for company in self.env["res.company"].search([]):
            # Asking first keeps the sequence free of empty runs.
            if not self._get_overdue_invoice_rows(company, today):
                continue
            run = self.with_company(company).create(
                {"date": today, "company_id": company.id}
            )
            run.action_compute()
            run.action_confirm()
            # TODO: commit after each company (and per batch of letters in
            # large companies) so one failure does not roll back the others.
