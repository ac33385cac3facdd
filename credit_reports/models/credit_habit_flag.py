import logging
from statistics import median

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# Scales a median absolute deviation to the standard deviation of a normal
# distribution, so that k reads as "k sigmas".
MAD_SCALE = 1.4826
RECENT_COUNT = 6
BASELINE_MIN_COUNT = 8
MAD_FACTOR = 3.0
MIN_SHIFT_DAYS = 5.0


def detect_shift(
    days_late,
    recent_count=RECENT_COUNT,
    baseline_min=BASELINE_MIN_COUNT,
    factor=MAD_FACTOR,
    min_days=MIN_SHIFT_DAYS,
):
    """Compare the last ``recent_count`` values of ``days_late`` (oldest
    first) with all the values before them.

    :return: ``None`` without enough data, else a dict with the baseline and
        recent medians, the scaled MAD of the baseline, the threshold and
        ``shifted`` (recent median - baseline median > threshold).
    """
    if len(days_late) < recent_count + baseline_min:
        return None
    baseline = days_late[:-recent_count]
    recent = days_late[-recent_count:]
    base_median = median(baseline)
    mad = MAD_SCALE * median(abs(value - base_median) for value in baseline)
    threshold = max(factor * mad, min_days)
    recent_median = median(recent)
    return {
        "baseline_median": float(base_median),
        "recent_median": float(recent_median),
        "baseline_mad": mad,
        "threshold": threshold,
        "shifted": recent_median - base_median > threshold,
    }


class CreditHabitFlag(models.Model):
    """A customer whose recent invoices are paid clearly later than usual."""

    _name = "credit.habit.flag"
    _description = "Payment Habit Change"
    _inherit = ["mail.thread"]
    _order = "date_detected desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        comodel_name="res.company", required=True, readonly=True, index=True
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        check_company=True,
    )
    date_detected = fields.Date(
        required=True,
        readonly=True,
        help="Day whose payment history showed the change: only invoices "
        "settled on or before it were considered.",
    )
    shift_date = fields.Date(
        string="Shift Since",
        readonly=True,
        help="Invoice date of the earliest invoice of the recent window paid "
        "later than the baseline median plus the threshold.",
    )
    baseline_median = fields.Float(
        string="Usual Days Late", readonly=True, digits=(16, 1)
    )
    baseline_mad = fields.Float(
        string="Usual Spread",
        readonly=True,
        digits=(16, 1),
        help="Median absolute deviation of the baseline, times 1.4826.",
    )
    threshold = fields.Float(readonly=True, digits=(16, 1))
    recent_median = fields.Float(
        string="Recent Days Late", readonly=True, digits=(16, 1)
    )
    baseline_count = fields.Integer(readonly=True)
    move_ids = fields.Many2many(
        comodel_name="account.move",
        string="Recent Invoices",
        readonly=True,
        help="The paid invoices of the recent window.",
    )
    state = fields.Selection(
        selection=[("open", "Open"), ("acknowledged", "Acknowledged")],
        default="open",
        required=True,
        tracking=True,
    )
    explanation = fields.Text(readonly=True)

    @api.depends("partner_id", "date_detected", "shift_date")
    def _compute_name(self):
        for flag in self:
            flag.name = self.env._(
                "%(partner)s: paying later since %(date)s",
                partner=flag.partner_id.display_name or "",
                date=flag.shift_date or flag.date_detected or "",
            )

    def action_acknowledge(self):
        self.write({"state": "acknowledged"})
        self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", self.partner_id.ids),
                ("summary", "=", self.env._("Payment habit changed")),
            ]
        ).action_feedback(feedback=self.env._("Acknowledged"))

    def action_reopen(self):
        self.write({"state": "open"})

    @api.model
    def _get_paid_history(self, company, as_of):
        """Return, per commercial partner, its customer invoices paid in full
        on or before ``as_of``, oldest settlement first, as lists of dicts
        with ``move_id``, ``invoice_date``, ``settled_on`` and ``days_late``.

        The settlement date is the latest ``max_date`` of the reconciliations
        of the invoice's receivable items; days late = max(0, settlement -
        due date). Ties are ordered by invoice date, then days late, so that
        the windows hold the same values whatever the record ids.
        """
        companies = (
            self.env["res.company"].sudo().search([("id", "child_of", company.id)])
        )
        for model in ("account.move.line", "account.move", "account.partial.reconcile"):
            self.env[model].flush_model()
        self.env.cr.execute(
            SQL(
                """
                WITH paid AS (
                    SELECT aml.move_id, aml.balance,
                           SUM(p.amount) AS matched,
                           MAX(p.max_date) AS settled_on
                      FROM account_move_line aml
                      JOIN account_account account
                        ON account.id = aml.account_id
                      JOIN account_partial_reconcile p
                        ON p.debit_move_id = aml.id AND p.max_date <= %(as_of)s
                     WHERE account.account_type = 'asset_receivable'
                       AND aml.parent_state = 'posted'
                       AND aml.company_id IN %(company_ids)s
                       AND aml.balance > 0
                     GROUP BY aml.id
                )
                SELECT partner.commercial_partner_id, move.id,
                       move.invoice_date, MAX(paid.settled_on) AS settled_on,
                       GREATEST(0, MAX(paid.settled_on)
                           - COALESCE(move.invoice_date_due, move.invoice_date))
                           AS days_late
                  FROM paid
                  JOIN account_move move ON move.id = paid.move_id
                  JOIN res_partner partner ON partner.id = move.partner_id
                 WHERE move.move_type = 'out_invoice'
                 GROUP BY partner.commercial_partner_id, move.id
                HAVING BOOL_AND(paid.matched >= paid.balance)
                   AND COUNT(*) = (
                       SELECT COUNT(*) FROM account_move_line other
                         JOIN account_account acc ON acc.id = other.account_id
                        WHERE other.move_id = move.id AND other.balance > 0
                          AND acc.account_type = 'asset_receivable')
                 ORDER BY 1, 4, 3, 5, 2
                """,
                as_of=as_of,
                company_ids=tuple(companies.ids),
            )
        )
        history = {}
        for (
            partner_id,
            move_id,
            invoice_date,
            settled_on,
            days,
        ) in self.env.cr.fetchall():
            history.setdefault(partner_id, []).append(
                {
                    "move_id": move_id,
                    "invoice_date": invoice_date,
                    "settled_on": settled_on,
                    "days_late": days,
                }
            )
        return history

    @api.model
    def _detect(self, company, as_of):
        """Flag the customers of ``company`` whose payment habit changed, as
        their history stood on ``as_of``, and return the new flags.

        The last ``RECENT_COUNT`` paid invoices (the recent window) are
        compared with all those paid before (the baseline, at least
        ``BASELINE_MIN_COUNT``): a customer is flagged when the recent median
        of days late exceeds the baseline median by more than
        max(``MAD_FACTOR`` x scaled MAD of the baseline, ``MIN_SHIFT_DAYS``).
        Medians and MAD resist a single very late invoice.

        A customer with an open flag is not flagged again; after an
        acknowledged flag, only a window of invoices all settled after it
        was detected can raise a new one.
        """
        company.ensure_one()
        as_of = fields.Date.to_date(as_of)
        if not self.env.su and company not in self.env.user.company_ids:
            raise AccessError(
                self.env._(
                    "You may not check the payment habits of %(company)s.",
                    company=company.display_name,
                )
            )
        self.check_access("create")
        history = self._get_paid_history(company, as_of)
        previous = {}
        for flag in self.search(
            [("company_id", "=", company.id), ("partner_id", "in", list(history))],
            order="date_detected",
        ):
            previous[flag.partner_id.id] = flag
        flags = self.browse()
        for partner_id, invoices in history.items():
            last = previous.get(partner_id)
            recent = invoices[-RECENT_COUNT:]
            if last and (
                last.state == "open" or recent[0]["settled_on"] <= last.date_detected
            ):
                continue
            result = detect_shift([inv["days_late"] for inv in invoices])
            if result and result["shifted"]:
                flags |= self.create(
                    self._prepare_flag_vals(
                        company, as_of, partner_id, invoices, result
                    )
                )
        for flag in flags:
            flag._notify_controllers()
        _logger.info(
            "Payment habits of %s as of %s: %s customer(s) flagged",
            company.name,
            as_of,
            len(flags),
        )
        return flags

    @api.model
    def _prepare_flag_vals(self, company, as_of, partner_id, invoices, result):
        recent = invoices[-RECENT_COUNT:]
        limit = result["baseline_median"] + result["threshold"]
        late = [inv for inv in recent if inv["days_late"] > limit]
        shift_date = min(inv["invoice_date"] for inv in late) if late else False
        partner = self.env["res.partner"].browse(partner_id)
        explanation = self.env._(
            "%(partner)s usually paid %(base).1f days late (median of "
            "%(count)d invoices paid before), with a spread of %(mad).1f days. "
            "Its last %(recent)d paid invoices were paid %(now).1f days late "
            "(median): %(values)s days late. The change exceeds the threshold "
            "of %(threshold).1f days. The first of them paid clearly late was "
            "issued on %(since)s.",
            partner=partner.display_name,
            base=result["baseline_median"],
            count=len(invoices) - len(recent),
            mad=result["baseline_mad"],
            recent=len(recent),
            now=result["recent_median"],
            values=", ".join(str(inv["days_late"]) for inv in recent),
            threshold=result["threshold"],
            since=shift_date or "-",
        )
        return {
            "company_id": company.id,
            "partner_id": partner_id,
            "date_detected": as_of,
            "shift_date": shift_date,
            "baseline_median": result["baseline_median"],
            "baseline_mad": result["baseline_mad"],
            "threshold": result["threshold"],
            "recent_median": result["recent_median"],
            "baseline_count": len(invoices) - len(recent),
            "move_ids": [fields.Command.set([inv["move_id"] for inv in recent])],
            "explanation": explanation,
        }

    def _get_responsible_user(self):
        """Return the user who should follow up the flag: the customer's
        salesperson when a credit controller, else the first credit
        controller of the company, else the salesperson. Hook."""
        self.ensure_one()
        return self.partner_id._credit_get_controller(self.company_id)

    def _notify_controllers(self):
        self.ensure_one()
        partner = self.partner_id
        partner.message_post(body=self.explanation)
        partner.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=fields.Date.context_today(self),
            summary=self.env._("Payment habit changed"),
            note=self.explanation,
            user_id=self._get_responsible_user().id,
        )

    @api.model
    def _cron_detect(self):
        today = fields.Date.context_today(self)
        for company in self.env["res.company"].search([("parent_id", "=", False)]):
            self._detect(company, today)
