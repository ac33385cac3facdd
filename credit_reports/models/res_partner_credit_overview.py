from odoo import api, fields, models

# Open customer invoices: posted and not (being) paid or reversed.
OPEN_PAYMENT_STATES = ("not_paid", "partial")


class ResPartner(models.Model):
    """Figures and shortcuts of the customer's Credit page: dunning history,
    what pauses reminders, the monthly KPIs and payment-habit changes.

    Everything belongs to the commercial entity: a contact shows the figures
    of its company. Records are read with the user's rights, so record rules
    (allowed companies) apply.
    """

    _inherit = "res.partner"

    credit_dunning_letter_count = fields.Integer(
        string="Dunning Letters",
        compute="_compute_credit_dunning_overview",
        groups="credit_management.group_credit_controller",
    )
    credit_dunning_letter_ids = fields.One2many(
        comodel_name="credit.dunning.letter",
        compute="_compute_credit_dunning_overview",
        string="Latest Dunning Letters",
        groups="credit_management.group_credit_controller",
        help="The last letters sent or being sent to the customer.",
    )
    credit_dunning_last_date = fields.Date(
        string="Last Reminder",
        compute="_compute_credit_dunning_overview",
        groups="credit_management.group_credit_controller",
        help="Date of the last run that sent the customer a letter.",
    )
    credit_disputed_count = fields.Integer(
        string="Disputed Invoices",
        compute="_compute_credit_pauses",
        groups="credit_management.group_credit_controller",
        help="Open customer invoices the customer contests: no reminder "
        "goes out for them.",
    )
    credit_disputed_amount = fields.Monetary(
        string="Disputed Amount",
        compute="_compute_credit_pauses",
        currency_field="credit_currency_id",
        groups="credit_management.group_credit_controller",
        help="Open amount of the disputed invoices, in company currency.",
    )
    credit_promise_open_count = fields.Integer(
        string="Open Promises",
        compute="_compute_credit_pauses",
        groups="credit_management.group_credit_controller",
        help="Promises to pay neither kept nor broken yet.",
    )
    credit_promise_open_amount = fields.Monetary(
        string="Promised Amount",
        compute="_compute_credit_pauses",
        currency_field="credit_currency_id",
        groups="credit_management.group_credit_controller",
    )
    credit_dunning_paused = fields.Boolean(
        string="Reminders Paused",
        compute="_compute_credit_pauses",
        groups="credit_management.group_credit_controller",
        help="Today falls within the customer's dunning exclusion.",
    )
    credit_kpi_count = fields.Integer(
        string="KPI Months",
        compute="_compute_credit_kpi_overview",
        groups="credit_management.group_credit_controller",
    )
    credit_kpi_last_id = fields.Many2one(
        comodel_name="credit.kpi.snapshot",
        string="Last Closed Month",
        help="KPIs of the customer's latest month before the current one: the "
        "month in progress has only its first days.",
        compute="_compute_credit_kpi_overview",
        groups="credit_management.group_credit_controller",
    )
    credit_kpi_last_month = fields.Date(
        string="Month",
        compute="_compute_credit_kpi_overview",
        groups="credit_management.group_credit_controller",
    )
    credit_kpi_dso = fields.Float(
        string="DSO (days)",
        compute="_compute_credit_kpi_overview",
        groups="credit_management.group_credit_controller",
    )
    credit_kpi_dso_trend = fields.Float(
        string="DSO Change",
        compute="_compute_credit_kpi_overview",
        groups="credit_management.group_credit_controller",
    )
    credit_kpi_add = fields.Float(
        string="ADD (days)",
        compute="_compute_credit_kpi_overview",
        groups="credit_management.group_credit_controller",
    )
    credit_kpi_add_trend = fields.Float(
        string="ADD Change",
        compute="_compute_credit_kpi_overview",
        groups="credit_management.group_credit_controller",
    )
    credit_kpi_overdue_share = fields.Float(
        string="Overdue (%)",
        compute="_compute_credit_kpi_overview",
        groups="credit_management.group_credit_controller",
    )
    credit_kpi_cei = fields.Float(
        string="CEI (%)",
        compute="_compute_credit_kpi_overview",
        groups="credit_management.group_credit_controller",
    )
    credit_habit_flag_open_id = fields.Many2one(
        comodel_name="credit.habit.flag",
        string="Open Habit Change",
        compute="_compute_credit_habit_overview",
        groups="credit_management.group_credit_controller",
    )
    credit_habit_flag_explanation = fields.Text(
        string="Habit Change",
        compute="_compute_credit_habit_overview",
        groups="credit_management.group_credit_controller",
    )
    credit_habit_flag_count = fields.Integer(
        string="Habit Changes",
        compute="_compute_credit_habit_overview",
        groups="credit_management.group_credit_controller",
    )

    # ------------------------------------------------------------------
    # Domains: one place for the counts and for the buttons' lists.
    # ------------------------------------------------------------------

    def _credit_overview_commercial_id(self):
        """Id of the commercial entity in the database (False while the
        partner is being created)."""
        self.ensure_one()
        return self.commercial_partner_id._origin.id

    def _credit_overview_letter_domain(self):
        return [("partner_id", "=", self._credit_overview_commercial_id())]

    def _credit_overview_disputed_domain(self):
        return [
            ("commercial_partner_id", "=", self._credit_overview_commercial_id()),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", OPEN_PAYMENT_STATES),
            ("credit_dispute", "=", True),
        ]

    def _credit_overview_promise_domain(self):
        return [("partner_id", "=", self._credit_overview_commercial_id())]

    def _credit_overview_kpi_domain(self):
        return [
            ("partner_id", "=", self._credit_overview_commercial_id()),
            ("is_portfolio", "=", False),
        ]

    def _credit_overview_habit_domain(self):
        return [("partner_id", "=", self._credit_overview_commercial_id())]

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("commercial_partner_id")
    def _compute_credit_dunning_overview(self):
        Letter = self.env["credit.dunning.letter"]
        for partner in self:
            domain = partner._credit_overview_letter_domain()
            partner.credit_dunning_letter_count = Letter.search_count(domain)
            partner.credit_dunning_letter_ids = Letter.search(domain, limit=5)
            last = Letter.search(
                domain + [("send_state", "=", "sent")], order="date desc", limit=1
            )
            partner.credit_dunning_last_date = last.date

    @api.depends(
        "commercial_partner_id", "commercial_partner_id.credit_dunning_excluded_until"
    )
    @api.depends_context("company")
    def _compute_credit_pauses(self):
        Move = self.env["account.move"]
        Promise = self.env["credit.dunning.promise"]
        today = fields.Date.context_today(self)
        for partner in self:
            disputed = Move.search(partner._credit_overview_disputed_domain())
            partner.credit_disputed_count = len(disputed)
            partner.credit_disputed_amount = sum(
                disputed.mapped("amount_residual_signed")
            )
            # The promise state is computed, not stored: filter in Python.
            promises = Promise.search(partner._credit_overview_promise_domain())
            open_promises = promises.filtered(lambda p: p.state == "open")
            partner.credit_promise_open_count = len(open_promises)
            partner.credit_promise_open_amount = sum(open_promises.mapped("amount"))
            until = partner.commercial_partner_id.credit_dunning_excluded_until
            partner.credit_dunning_paused = bool(until and until >= today)

    @api.depends("commercial_partner_id")
    def _compute_credit_kpi_overview(self):
        Snapshot = self.env["credit.kpi.snapshot"]
        this_month = fields.Date.context_today(self).replace(day=1)
        for partner in self:
            domain = partner._credit_overview_kpi_domain()
            partner.credit_kpi_count = Snapshot.search_count(domain)
            last = Snapshot.search(
                domain + [("month", "<", this_month)],
                order="month desc, id desc",
                limit=1,
            )
            partner.credit_kpi_last_id = last
            partner.credit_kpi_last_month = last.month
            partner.credit_kpi_dso = last.dso
            partner.credit_kpi_dso_trend = last.dso_trend
            partner.credit_kpi_add = last.average_days_late
            partner.credit_kpi_add_trend = last.average_days_late_trend
            partner.credit_kpi_overdue_share = last.overdue_share
            partner.credit_kpi_cei = last.cei

    @api.depends("commercial_partner_id")
    def _compute_credit_habit_overview(self):
        Flag = self.env["credit.habit.flag"]
        for partner in self:
            domain = partner._credit_overview_habit_domain()
            partner.credit_habit_flag_count = Flag.search_count(domain)
            flag = Flag.search(domain + [("state", "=", "open")], limit=1)
            partner.credit_habit_flag_open_id = flag
            partner.credit_habit_flag_explanation = flag.explanation

    # ------------------------------------------------------------------
    # Smart buttons
    # ------------------------------------------------------------------

    def _credit_overview_action(self, xmlid, domain, name=None):
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = domain
        action["context"] = {}
        if name:
            action["display_name"] = name
        return action

    def action_view_credit_dunning_letters(self):
        self.ensure_one()
        return self._credit_overview_action(
            "credit_dunning.credit_dunning_letter_action",
            self._credit_overview_letter_domain(),
        )

    def action_view_credit_disputed_invoices(self):
        self.ensure_one()
        action = self._credit_overview_action(
            "account.action_move_out_invoice_type",
            self._credit_overview_disputed_domain(),
            name=self.env._("Disputed Invoices"),
        )
        action["context"] = {"default_move_type": "out_invoice", "create": False}
        return action

    def action_view_credit_promises(self):
        self.ensure_one()
        action = self._credit_overview_action(
            "credit_dunning.credit_dunning_promise_action",
            self._credit_overview_promise_domain(),
        )
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_view_credit_kpis(self):
        """The customer's months as a line graph of DSO and ADD by month,
        then the pivot and the list."""
        self.ensure_one()
        action = self._credit_overview_action(
            "credit_reports.credit_kpi_snapshot_action",
            self._credit_overview_kpi_domain(),
            name=self.env._(
                "Credit KPIs of %(customer)s",
                customer=self.commercial_partner_id.display_name,
            ),
        )
        graph = self.env.ref("credit_reports.credit_kpi_snapshot_view_graph_partner")
        # A month without a snapshot is no data, not zero days late.
        action["context"] = {"fill_temporal": False}
        action["views"] = [
            (graph.id, "graph"),
            (False, "pivot"),
            (False, "list"),
        ]
        action["view_mode"] = "graph,pivot,list"
        return action
