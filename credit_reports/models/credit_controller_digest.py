import logging
from datetime import timedelta

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

DIGEST_PARAM = "credit_reports.digest_last_date"


class CreditControllerDigest(models.Model):
    """The daily e-mail of one credit controller: what is new for them.

    The digest of day D covers the days from the previous run's day up to
    D - 1 (the first run: D - 1 alone); it is built from sections (see
    :meth:`_get_digest_sections`), each a list of items for which the user
    is the credit controller. A controller gets at most one digest a day,
    and none when every section is empty.
    """

    _name = "credit.controller.digest"
    _description = "Credit Controller Daily Digest"
    _order = "date desc, id desc"

    name = fields.Char(compute="_compute_name")
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Credit Controller",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        readonly=True,
        help="The controller's main company, whose address sends the e-mail.",
    )
    date = fields.Date(required=True, readonly=True, index=True)
    date_from = fields.Date(string="Events From", required=True, readonly=True)
    date_to = fields.Date(
        string="Events To",
        required=True,
        readonly=True,
        help="Last day whose events are in the digest (the day before it).",
    )
    line_ids = fields.One2many(
        comodel_name="credit.controller.digest.line",
        inverse_name="digest_id",
        string="Items",
        readonly=True,
    )
    line_count = fields.Integer(compute="_compute_line_count", string="Items (#)")
    mail_id = fields.Many2one(
        comodel_name="mail.mail", string="E-mail", readonly=True, ondelete="set null"
    )
    mail_state = fields.Selection(related="mail_id.state", string="E-mail Status")

    _sql_constraints = [
        (
            "user_date_unique",
            "UNIQUE (user_id, date)",
            "A credit controller gets one digest a day.",
        ),
    ]

    @api.depends("user_id", "date")
    def _compute_name(self):
        for digest in self:
            digest.name = self.env._(
                "Credit digest of %(user)s, %(date)s",
                user=digest.user_id.name or "",
                date=digest.date or "",
            )

    @api.depends("line_ids")
    def _compute_line_count(self):
        for digest in self:
            digest.line_count = len(digest.line_ids)

    # ------------------------------------------------------------------
    # Sections
    # ------------------------------------------------------------------

    @api.model
    def _get_digest_sections(self, user, date_from, date_to):
        """Return the sections of the digest of ``user`` for the events of
        the days ``date_from`` to ``date_to`` (both included). Hook: a
        module adds its section by extending the list, e.g. holds waiting.

        Each section is a dict with ``key``, ``title``, ``sequence`` and
        ``lines``, a list of dicts with ``name``, ``detail`` and optionally
        ``res_model`` and ``res_id`` (the record the line links to).
        Sections without lines are left out of the e-mail.
        """
        return [
            {
                "key": "habit_flags",
                "title": self.env._("New payment habit changes"),
                "sequence": 10,
                "lines": self._get_digest_habit_flags(user, date_from, date_to),
            },
            {
                "key": "overdue",
                "title": self.env._("Invoices newly overdue"),
                "sequence": 20,
                "lines": self._get_digest_overdue(user, date_from, date_to),
            },
            {
                "key": "broken_promises",
                "title": self.env._("Broken promises to pay"),
                "sequence": 30,
                "lines": self._get_digest_broken_promises(user, date_from, date_to),
            },
            {
                "key": "holds",
                "title": self.env._("Orders waiting on credit hold"),
                "sequence": 40,
                "lines": self._get_digest_holds(user, date_to),
            },
        ]

    @api.model
    def _get_digest_holds(self, user, date_to):
        """Holds still pending at the end of the period that the user is
        asked to decide: as the hold's controller, or as a member of the
        group it was escalated to."""
        holds = (
            self.env["credit.hold"]
            .sudo()
            .search(
                [
                    ("company_id", "in", user.company_ids.ids),
                    ("state", "=", "pending"),
                    ("create_date", "<", date_to + timedelta(days=1)),
                    "|",
                    ("controller_id", "=", user.id),
                    ("escalated_group_id", "in", user.groups_id.ids),
                ],
                order="create_date, id",
            )
        )
        return [
            {
                "name": f"{hold.name} ({hold.order_id.name})",
                "detail": self.env._(
                    "%(partner)s: %(amount)s, %(over)s over the limit, held "
                    "since %(date)s%(requested)s",
                    partner=hold.partner_id.display_name,
                    amount=hold.currency_id.format(hold.order_amount),
                    over=hold.currency_id.format(hold.amount_over_limit),
                    date=fields.Date.to_date(hold.create_date),
                    requested=self.env._(", release requested")
                    if hold.requested
                    else "",
                ),
                "res_model": hold._name,
                "res_id": hold.id,
            }
            for hold in holds
        ]

    @api.model
    def _get_digest_habit_flags(self, user, date_from, date_to):
        """Open payment-habit flags detected in the period, of the customers
        the user follows."""
        flags = (
            self.env["credit.habit.flag"]
            .sudo()
            .search(
                [
                    ("company_id", "in", user.company_ids.ids),
                    ("state", "=", "open"),
                    ("date_detected", ">=", date_from),
                    ("date_detected", "<=", date_to),
                ],
                order="date_detected, id",
            )
        )
        return [
            {
                "name": flag.partner_id.display_name,
                "detail": self.env._(
                    "paid %(recent).1f days late lately, usually %(usual).1f "
                    "(detected on %(date)s)",
                    recent=flag.recent_median,
                    usual=flag.baseline_median,
                    date=flag.date_detected,
                ),
                "res_model": flag._name,
                "res_id": flag.id,
            }
            for flag in flags
            if flag._get_responsible_user() == user
        ]

    @api.model
    def _get_digest_overdue(self, user, date_from, date_to):
        """Customer invoices still open whose due date is in the period: on
        the digest's day they are overdue, for one day or a few."""
        invoices = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("company_id", "in", user.company_ids.ids),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial")),
                    ("invoice_date_due", ">=", date_from),
                    ("invoice_date_due", "<=", date_to),
                ],
                order="invoice_date_due, id",
            )
        )
        return [
            {
                "name": invoice.name,
                "detail": self.env._(
                    "%(partner)s: %(amount)s open, due on %(due)s",
                    partner=invoice.commercial_partner_id.display_name,
                    amount=invoice.currency_id.format(invoice.amount_residual),
                    due=invoice.invoice_date_due,
                ),
                "res_model": invoice._name,
                "res_id": invoice.id,
            }
            for invoice in invoices
            if invoice._credit_get_controller() == user
        ]

    @api.model
    def _get_digest_broken_promises(self, user, date_from, date_to):
        """Promises to pay whose grace days ended in the period (the promised
        date plus the grace days is in it) without the promised amount being
        paid."""
        longest_grace = max(
            self.env["credit.dunning.promise"]
            .sudo()
            .search([], order="grace_days desc", limit=1)
            .mapped("grace_days")
            or [0]
        )
        promises = (
            self.env["credit.dunning.promise"]
            .sudo()
            .search(
                [
                    ("company_id", "in", user.company_ids.ids),
                    ("date", ">=", date_from - timedelta(days=longest_grace)),
                    ("date", "<=", date_to),
                ],
                order="date, id",
            )
        )
        lines = []
        for promise in promises:
            broken = (
                date_from <= promise.paused_until <= date_to
                and promise.currency_id.compare_amounts(
                    promise.amount_paid, promise.amount
                )
                < 0
            )
            if not broken:
                continue
            if promise.partner_id._credit_get_controller(promise.company_id) != user:
                continue
            lines.append(
                {
                    "name": promise.partner_id.display_name,
                    "detail": self.env._(
                        "promised %(amount)s by %(date)s, %(paid)s paid since",
                        amount=promise.currency_id.format(promise.amount),
                        date=promise.date,
                        paid=promise.currency_id.format(promise.amount_paid),
                    ),
                    "res_model": promise._name,
                    "res_id": promise.id,
                }
            )
        return lines

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    @api.model
    def _get_digest_users(self):
        """Return the users who may get a digest: active internal credit
        controllers (managers included) with an e-mail address."""
        group = self.env.ref("credit_management.group_credit_controller")
        return (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("groups_id", "in", group.ids),
                    ("share", "=", False),
                    ("email", "!=", False),
                ],
                order="id",
            )
        )

    @api.model
    def _send_digests(self, today=None, date_from=None):
        """Queue the digest of each credit controller for ``today`` and return
        the digests created.

        Events are those of the days ``date_from`` to ``today`` - 1;
        ``date_from`` defaults to the day of the previous run (system
        parameter ``credit_reports.digest_last_date``), or yesterday on the
        first run. A controller who already has today's digest, or has
        nothing new, gets none.
        """
        params = self.env["ir.config_parameter"].sudo()
        today = fields.Date.to_date(today) or fields.Date.context_today(self)
        date_to = today - timedelta(days=1)
        if date_from is None:
            date_from = fields.Date.to_date(params.get_param(DIGEST_PARAM)) or date_to
        date_from = fields.Date.to_date(date_from)
        digests = self.browse()
        if date_from > date_to:
            return digests
        template = self.env.ref("credit_reports.mail_template_credit_digest")
        done = set(self.sudo().search([("date", "=", today)]).user_id.ids)
        for user in self._get_digest_users():
            if user.id in done:
                continue
            sections = sorted(
                (
                    section
                    for section in self._get_digest_sections(user, date_from, date_to)
                    if section["lines"]
                ),
                key=lambda section: section["sequence"],
            )
            if not sections:
                continue
            digest = self.sudo().create(
                {
                    "user_id": user.id,
                    "company_id": user.company_id.id,
                    "date": today,
                    "date_from": date_from,
                    "date_to": date_to,
                    "line_ids": [
                        fields.Command.create(
                            {
                                "sequence": index,
                                "section": section["key"],
                                "section_title": section["title"],
                                "name": line["name"],
                                "detail": line.get("detail"),
                                "res_model": line.get("res_model"),
                                "res_id": line.get("res_id"),
                            }
                        )
                        for index, (section, line) in enumerate(
                            (section, line)
                            for section in sections
                            for line in section["lines"]
                        )
                    ],
                }
            )
            mail_id = template.sudo().send_mail(digest.id, force_send=False)
            digest.mail_id = mail_id
            digests |= digest
        params.set_param(DIGEST_PARAM, fields.Date.to_string(today))
        _logger.info(
            "Credit digests of %s: %s queued (events %s to %s)",
            today,
            len(digests),
            date_from,
            date_to,
        )
        return digests

    @api.model
    def _cron_send_digests(self):
        self._send_digests()


class CreditControllerDigestLine(models.Model):
    _name = "credit.controller.digest.line"
    _description = "Credit Controller Digest Item"
    _order = "digest_id, sequence, id"

    digest_id = fields.Many2one(
        comodel_name="credit.controller.digest",
        required=True,
        ondelete="cascade",
        index=True,
    )
    sequence = fields.Integer()
    section = fields.Char(
        string="Section Key", required=True, help="Key of the section."
    )
    section_title = fields.Char(string="Section", required=True)
    name = fields.Char(string="Item", required=True)
    detail = fields.Char()
    res_model = fields.Char(string="Document Model")
    res_id = fields.Many2oneReference(string="Document", model_field="res_model")

    url = fields.Char(compute="_compute_url", string="Link")

    @api.depends("res_model", "res_id")
    def _compute_url(self):
        for line in self:
            line.url = (
                f"{line.get_base_url()}/odoo/{line.res_model}/{line.res_id}"
                if line.res_model and line.res_id
                else False
            )
