import logging
import time
from collections import defaultdict

from odoo import api, fields, models, modules, tools
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
            ("computed", "Proposal"),
            ("review", "In Review"),
            ("sending", "Sending"),
            ("done", "Done"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="draft",
        readonly=True,
        copy=False,
        tracking=True,
    )
    is_scheduled = fields.Boolean(
        string="Scheduled",
        readonly=True,
        copy=False,
        help="Created by the daily job, which resumes it if it was interrupted.",
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

    error_count = fields.Integer(string="Letters in Error", compute="_compute_counts")

    @api.depends("line_ids", "letter_ids.send_state")
    def _compute_counts(self):
        for run in self:
            run.line_count = len(run.line_ids)
            run.letter_count = len(run.letter_ids)
            run.partner_count = len(run.letter_ids.partner_id)
            run.error_count = len(
                run.letter_ids.filtered(lambda lt: lt.send_state == "error")
            )

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

        Computing again refreshes the proposal: lines of invoices paid since
        are dropped, new overdue invoices are added, and lines already there
        are kept. So a computation interrupted halfway can simply be started
        again.
        """
        # Lines are written with sudo below: check the user may edit runs.
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
            run._compute_proposal()
            run.state = "computed"
            if not run.line_ids and not run.company_id.credit_dunning_policy_id:
                # Say why a run is empty when the likely cause is the setup.
                run.message_post(
                    body=self.env._(
                        "No invoice to remind: %(company)s has no default "
                        "dunning policy (Settings, Dunning), so only customers "
                        "with a policy of their own are reminded.",
                        company=run.company_id.name,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
            _logger.info(
                "Dunning run %s computed: %s invoices, %s letters",
                run.name,
                len(run.line_ids),
                len(run.letter_ids),
            )
        return True

    def _compute_proposal(self, commit=False):
        """Bring the lines of the run in line with the overdue invoices.

        With ``commit``, each batch of customers is committed on its own so
        that a long run interrupted keeps what it did (scheduled runs only).
        """
        self.ensure_one()

        # 1. One query returns the invoices and the level each reached,
        # leaving out those another run already proposed or sent.
        rows = self._get_overdue_invoice_rows(self.company_id, self.date, run=self)
        wanted = {(row["move_id"], row["level_id"]): row for row in rows}

        # 2. Drop lines no longer wanted (paid since, for instance) and
        # refresh the amounts of the others.
        pending = self.line_ids.filtered(lambda line: line.send_state == "pending")
        stale = pending.filtered(
            lambda line: (line.move_id.id, line.level_id.id) not in wanted
        )
        stale.sudo().unlink()
        for line in pending - stale:
            row = wanted.pop((line.move_id.id, line.level_id.id))
            if line.amount_residual != row["amount_residual"]:
                line.sudo().amount_residual = row["amount_residual"]
            line.sudo().days_overdue = row["days_overdue"]
        # Skipped or cancelled lines stay as the controller left them.
        for line in self.line_ids - pending:
            wanted.pop((line.move_id.id, line.level_id.id), None)

        # 3. Add the missing lines, a batch of customers at a time.
        by_partner = defaultdict(list)
        for row in wanted.values():
            by_partner[row["partner_id"]].append(row)
        partner_ids = list(by_partner)
        for start in range(0, len(partner_ids), self._get_batch_size()):
            batch = partner_ids[start : start + self._get_batch_size()]
            self._add_lines([row for pid in batch for row in by_partner[pid]])
            if commit:
                self._commit_progress()

        # 4. Letters left without any line (all paid) disappear.
        self.letter_ids.filtered(lambda letter: not letter.line_ids).sudo().unlink()

    def _add_lines(self, rows):
        """Create the lines of ``rows`` and put them on their letters."""
        self.ensure_one()
        lines = (
            self.env["credit.dunning.line"]
            .sudo()
            .create([self._prepare_line_vals(row) for row in rows])
        )
        self._assign_letters(lines)
        return lines

    @api.model
    def _get_batch_size(self):
        """Customers handled between two commits of a scheduled run."""
        return 200

    def _get_send_batch_size(self):
        """Customers sent between two commits of a scheduled run: each of
        their letters renders a PDF, so batches stay small."""
        return 10

    def _get_time_budget(self):
        """Seconds a scheduled call may spend before it hands over to the
        next call; below Odoo's default cron time limit (120 s)."""
        return 60

    def _commit_progress(self):
        # Tests run in one transaction that must stay open.
        if not modules.module.current_test and not tools.config["test_enable"]:
            self.env.cr.commit()  # pylint: disable=invalid-commit

    def action_review(self):
        """Freeze the proposal so a controller can go through it."""
        for run in self:
            if run.state != "computed":
                raise UserError(
                    self.env._(
                        "Dunning run %(name)s must be computed before review.",
                        name=run.name,
                    )
                )
        self.state = "review"
        return True

    def action_confirm(self):
        """Send the reminders: emails are queued, letters and calls recorded.

        Kept under this name for the callers of the first version; it is
        the "Send" button.
        """
        self.check_access("write")
        for run in self:
            if run.state not in ("computed", "review"):
                raise UserError(
                    self.env._(
                        "Dunning run %(name)s must be computed before it is sent.",
                        name=run.name,
                    )
                )
        for run in self.sudo():
            run.state = "sending"
            run._send_letters(run.letter_ids)
            run._update_sending_state()
            run._post_sent_summary()
        return True

    def _send_letters(self, letters):
        """Send ``letters`` of this run, after dropping outdated lines."""
        self.ensure_one()
        # 1. The invoices may have changed since the proposal.
        self._cancel_outdated_lines(letters.line_ids)
        # 2. Send letter by letter; emails wait in the mail queue.
        letters._send()

    def _post_sent_summary(self):
        self.ensure_one()
        letters = self.letter_ids
        self.message_post(
            body=self.env._(
                "Run sent: %(sent)s letters sent, %(queued)s emails queued, "
                "%(errors)s in error, %(cancelled)s invoices cancelled "
                "since the proposal.",
                sent=len(letters.filtered(lambda lt: lt.send_state == "sent")),
                queued=len(letters.filtered(lambda lt: lt.send_state == "queued")),
                errors=len(letters.filtered(lambda lt: lt.send_state == "error")),
                cancelled=len(
                    self.line_ids.filtered(lambda ln: ln.send_state == "cancelled")
                ),
            )
        )

    def _cancel_outdated_lines(self, lines):
        """Cancel the pending lines whose invoice changed since the proposal.

        Paid, credited, reset to draft, disputed, or dunned at this level by
        another run: none of these must be reminded. Other lines get their
        residual of today.
        """
        cancelled = self.env["credit.dunning.line"]
        for line in lines.filtered(lambda ln: ln.send_state == "pending"):
            reason = line._get_cancel_reason()
            if reason:
                line.write({"send_state": "cancelled", "cancel_reason": reason})
                cancelled |= line
            elif line.amount_residual != line.move_id.amount_residual:
                line.amount_residual = line.move_id.amount_residual
        return cancelled

    def _update_sending_state(self):
        """A sending run is done once no letter or email waits any more."""
        for run in self.filtered(lambda r: r.state in ("sending", "done")):
            waiting = run.letter_ids.filtered(
                lambda lt: lt.send_state in ("pending", "queued")
            )
            run.state = "sending" if waiting else "done"

    def action_cancel(self):
        for run in self:
            if run.state in ("sending", "done"):
                raise UserError(
                    self.env._(
                        "Dunning run %(name)s was sent and cannot be cancelled.",
                        name=run.name,
                    )
                )
        self.line_ids.filtered(lambda ln: ln.send_state == "pending").sudo().write(
            {"send_state": "skipped"}
        )
        self.state = "cancelled"
        return True

    def action_reset_draft(self):
        """Back to draft, without lines, so the date or company can change."""
        self.check_access("write")
        runs = self.filtered(lambda r: r.state in ("computed", "review", "cancelled"))
        runs.letter_ids.sudo().unlink()
        runs.line_ids.sudo().unlink()
        runs.state = "draft"
        return True

    def action_print_letters(self):
        letters = self.letter_ids.filtered(lambda lt: lt.send_state != "skipped")
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
            "channel": level.channel,
            "line_ids": [fields.Command.set(lines.ids)],
        }

    def _assign_letters(self, lines):
        """Put each line on the letter of its customer, level and currency.

        A customer with invoices at two levels gets two letters, one per
        level, since each level has its own wording. Invoices in another
        currency go on their own letter so that the total means something.
        Letters left empty (after a level change) are removed.
        """
        self.ensure_one()
        # TODO: offer one letter per customer that lists every level, for
        # companies that prefer a single statement.
        Letter = self.env["credit.dunning.letter"].sudo()
        letters = {
            (letter.partner_id, letter.level_id, letter.currency_id): letter
            for letter in self.letter_ids
        }
        groups = defaultdict(lambda: self.env["credit.dunning.line"])
        for line in lines:
            groups[(line.partner_id, line.level_id, line.currency_id)] |= line
        for (partner, level, currency), group in groups.items():
            letter = letters.get((partner, level, currency))
            if letter:
                group.sudo().letter_id = letter
            else:
                letters[(partner, level, currency)] = Letter.create(
                    self._prepare_letter_vals(partner, level, currency, group)
                )
        self.letter_ids.filtered(lambda letter: not letter.line_ids).unlink()

    @api.model
    def _get_overdue_invoice_rows(self, company, date, run=None):
        """Overdue invoices of ``company`` on ``date`` that reached a new level.

        One query: posted, undisputed customer invoices due strictly before
        ``date`` (or due soon, for friendly reminders) with an open
        receivable, the customer's policy (or the company's), the highest
        level whose delay has passed, minus invoices already dunned at that
        level or a higher one, those another run than ``run`` already
        proposes at that level, those of customers paused up to ``date`` and
        those under a promise to pay whose grace days have not passed.
        Returns a list of dicts.
        """
        for model in (
            "account.move",
            "account.move.line",
            "res.partner",
            "res.company",
            "credit.dunning.policy",
            "credit.dunning.level",
            "credit.dunning.line",
            "credit.dunning.promise",
        ):
            self.env[model].flush_model()
        # TODO: residuals are today's, not as of the run date; a run dated in
        # the past should rebuild them from the reconciliation dates.
        # TODO: with installments, the due date is the last one; dun each
        # receivable line on its own maturity instead.
        # Friendly reminders (negative days) reach invoices not yet due;
        # without them only overdue invoices are read.
        first_level = (
            self.env["credit.dunning.level"]
            .sudo()
            .search(
                [("company_id", "=", company.id), ("policy_id.active", "=", True)],
                order="days_overdue",
                limit=1,
            )
        )
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
                   AND %(date)s - move.invoice_date_due >= %(min_days)s
                   AND move.credit_dispute IS NOT TRUE
                   AND account.account_type = 'asset_receivable'
                   AND (partner.company_id IS NULL
                        OR partner.company_id = move.company_id)
                   AND COALESCE(
                           (partner.credit_dunning_excluded_until
                               ->> %(company_key)s)::date,
                           '1900-01-01'
                       ) < %(date)s
                   AND NOT EXISTS (
                        SELECT 1
                          FROM account_move_credit_dunning_promise_rel rel
                          JOIN credit_dunning_promise promise
                            ON promise.id = rel.credit_dunning_promise_id
                         WHERE rel.account_move_id = move.id
                           AND promise.date + promise.grace_days >= %(date)s
                   )
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
             WHERE (sent.id IS NULL OR sent.days_overdue < reached.days_overdue)
               AND NOT EXISTS (
                    SELECT 1
                      FROM credit_dunning_line other
                     WHERE other.move_id = invoice.move_id
                       AND other.level_id = reached.id
                       AND other.send_state IN ('pending', 'sent')
                       AND other.run_id != %(run_id)s
               )
          ORDER BY invoice.partner_id, reached.days_overdue,
                   invoice.invoice_date_due, invoice.move_id
            """,
            date=date,
            company_id=company.id,
            company_key=str(company.id),
            run_id=run.id if run else 0,
            min_days=min(first_level.days_overdue, 1) if first_level else 1,
        )
        return self.env.execute_query_dict(query)

    @api.model
    def _cron_dunning_run(self):
        """Daily job: each company on its own, a batch of customers at a time.

        Each batch is committed, so an interrupted job keeps what it sent and
        the next call resumes today's run instead of starting another.
        """
        today = fields.Date.context_today(self)
        # The job acts for the company as a whole, whoever its user is.
        for company in self.env["res.company"].sudo().search([]):
            run = self.sudo().with_company(company)._cron_get_run(company, today)
            if run:
                run._cron_process()
                _logger.info("Scheduled dunning run %s: %s", run.name, run.state)

    @api.model
    def _cron_get_run(self, company, date):
        """Today's unfinished scheduled run of ``company``, or a new one.

        No run is created when there is nothing to send, which keeps the
        sequence free of empty runs.
        """
        run = self.search(
            [
                ("company_id", "=", company.id),
                ("date", "=", date),
                ("is_scheduled", "=", True),
                ("state", "in", ("draft", "computed", "sending")),
            ],
            limit=1,
        )
        if run or not self._get_overdue_invoice_rows(company, date):
            return run
        return self.create(
            {"date": date, "company_id": company.id, "is_scheduled": True}
        )

    def _cron_process(self):
        """Compute, then send customer by customer, committing per batch.

        Each letter renders a PDF (about a second each), so the job stops
        when its time budget is spent, well before a cron worker's time limit
        would kill it, and asks the scheduler to call it again soon: the next
        call resumes this run where it stopped.
        """
        self.ensure_one()
        deadline = time.monotonic() + self._get_time_budget()
        if self.state in ("draft", "computed"):
            self._compute_proposal(commit=True)
            self.state = "sending"
            self._commit_progress()
        while True:
            if time.monotonic() >= deadline:
                self.env.ref("credit_dunning.ir_cron_credit_dunning_run")._trigger()
                _logger.info("Dunning run %s: time budget spent, resumes", self.name)
                return
            partners = self._lock_next_partners(self._get_send_batch_size())
            if not partners:
                break
            letters = self.letter_ids.filtered(
                lambda lt, batch=partners: (
                    lt.send_state == "pending" and lt.partner_id in batch
                )
            )
            self._send_letters(letters)
            self._commit_progress()
        self._update_sending_state()
        self._post_sent_summary()

    def _lock_next_partners(self, limit):
        """Customers of this run with letters to send, locked for this worker.

        ``SKIP LOCKED`` hands each customer to one worker only: a second job
        running at the same time takes the next customers instead of waiting
        or sending them twice. ``NO KEY UPDATE`` is the lock strength that
        still lets other transactions insert rows referring to the customer.
        """
        self.ensure_one()
        self.env["credit.dunning.letter"].flush_model(["run_id", "send_state"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT partner.id
                  FROM res_partner partner
                 WHERE partner.id IN (
                        SELECT letter.partner_id
                          FROM credit_dunning_letter letter
                         WHERE letter.run_id = %(run_id)s
                           AND letter.send_state = 'pending'
                       )
              ORDER BY partner.id
                 LIMIT %(limit)s
                   FOR NO KEY UPDATE SKIP LOCKED
                """,
                run_id=self.id,
                limit=limit,
            )
        )
        return self.env["res.partner"].browse([row[0] for row in rows])
