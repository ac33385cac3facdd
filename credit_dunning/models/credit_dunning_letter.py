from odoo import api, fields, models


class CreditDunningLetter(models.Model):
    """A reminder to one customer listing its invoices at one level."""

    _name = "credit.dunning.letter"
    _description = "Dunning Letter"
    _order = "date desc, run_id desc, partner_id, id"
    _check_company_auto = True

    run_id = fields.Many2one(
        comodel_name="credit.dunning.run",
        string="Run",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="run_id.company_id", store=True)
    date = fields.Date(related="run_id.date", store=True)
    state = fields.Selection(related="run_id.state")
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        index=True,
    )
    level_id = fields.Many2one(
        comodel_name="credit.dunning.level",
        string="Level",
        required=True,
        ondelete="restrict",
    )
    currency_id = fields.Many2one(comodel_name="res.currency", required=True)
    line_ids = fields.One2many(
        comodel_name="credit.dunning.line",
        inverse_name="letter_id",
        string="Invoices",
    )
    line_count = fields.Integer(string="Invoice Count", compute="_compute_line_count")
    amount_total = fields.Monetary(
        string="Total Due",
        compute="_compute_amount_total",
        store=True,
        aggregator="sum",
    )
    amount_total_words = fields.Char(
        string="Total in Words",
        compute="_compute_amount_total_words",
        help="Total due in words, in the customer's language.",
    )

    @api.depends("run_id.name", "partner_id.name", "level_id.name")
    def _compute_display_name(self):
        for letter in self:
            letter.display_name = " - ".join(
                name
                for name in (
                    letter.run_id.name,
                    letter.partner_id.name,
                    letter.level_id.name,
                )
                if name
            )

    @api.depends("line_ids")
    def _compute_line_count(self):
        for letter in self:
            letter.line_count = len(letter.line_ids)

    @api.depends("line_ids.amount_residual")
    def _compute_amount_total(self):
        for letter in self:
            letter.amount_total = sum(letter.line_ids.mapped("amount_residual"))

    @api.depends("amount_total", "currency_id", "partner_id.lang")
    def _compute_amount_total_words(self):
        for letter in self:
            currency = letter.currency_id.with_context(lang=letter.partner_id.lang)
            letter.amount_total_words = (
                currency.amount_to_text(letter.amount_total) if currency else ""
            )

    def action_print(self):
        return self.env.ref(
            "credit_dunning.action_report_dunning_letter"
        ).report_action(self)

    def _post_sent_note(self):
        """Note on the customer that this reminder went out."""
        self.ensure_one()
        body = self.env._(
            "%(level)s sent for %(invoices)s (run %(run)s).",
            level=self.level_id.name,
            invoices=", ".join(self.line_ids.move_id.mapped("name")),
            run=self.run_id.name,
        )
        # Controllers may dun customers they cannot edit; the note only
        # records what the run did, so it is written with sudo.
        self.partner_id.sudo().message_post(
            body=body,
            subtype_xmlid="mail.mt_note",
        )
