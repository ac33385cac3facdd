from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class CreditDunningLetter(models.Model):
    """A reminder to one customer listing its invoices at one level."""

    _name = "credit.dunning.letter"
    _description = "Dunning Letter"
    _inherit = ["mail.thread"]
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
    to_send_line_ids = fields.One2many(
        comodel_name="credit.dunning.line",
        string="Invoices to Remind",
        compute="_compute_to_send_line_ids",
        help="Invoices the reminder lists: neither skipped nor cancelled.",
    )
    channel = fields.Selection(
        selection=[
            ("email", "Email"),
            ("letter", "Printed Letter"),
            ("phone", "Phone Call"),
        ],
        required=True,
        default="letter",
    )
    recipient_id = fields.Many2one(
        comodel_name="res.partner",
        string="Recipient",
        compute="_compute_recipient_id",
        help="Invoicing contact of the customer with an email address, or "
        "the customer itself.",
    )
    send_state = fields.Selection(
        selection=[
            ("pending", "To Send"),
            ("queued", "Queued"),
            ("sent", "Sent"),
            ("error", "Error"),
            ("skipped", "Skipped"),
        ],
        string="Sending Status",
        required=True,
        default="pending",
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    error_reason = fields.Selection(
        selection=[
            ("no_email", "No email address"),
            ("blacklisted", "Address blacklisted"),
            ("bounced", "Bounced"),
            ("exception", "Sending failed"),
        ],
        readonly=True,
        copy=False,
    )
    error_message = fields.Text(readonly=True, copy=False)
    sent_date = fields.Datetime(readonly=True, copy=False)
    mail_id = fields.Many2one(
        comodel_name="mail.mail",
        string="Email",
        readonly=True,
        copy=False,
        ondelete="set null",
        index="btree_not_null",
    )
    fee_amount = fields.Monetary(
        string="Fee",
        compute="_compute_fee_amount",
        store=True,
        help="Dunning fee of this letter, one per letter whatever the number "
        "of invoices it lists.",
    )
    interest_amount = fields.Monetary(
        string="Interest",
        compute="_compute_interest_amount",
        store=True,
        help="Late-payment interest of the invoices the letter reminds.",
    )
    fee_waive_reason = fields.Selection(
        selection=[
            ("goodwill", "Commercial goodwill"),
            ("our_error", "Error on our side"),
            ("dispute", "Settled dispute"),
            ("small_amount", "Amount too small"),
        ],
        string="Fee Waived Because",
        copy=False,
        tracking=True,
        help="Set by a controller to waive the fee of this letter.",
    )
    fee_move_id = fields.Many2one(
        comodel_name="account.move",
        string="Fee Invoice",
        readonly=True,
        copy=False,
        ondelete="set null",
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

    @api.depends("line_ids.send_state")
    def _compute_to_send_line_ids(self):
        for letter in self:
            letter.to_send_line_ids = letter.line_ids.filtered(
                lambda line: line.send_state not in ("skipped", "cancelled")
            )

    @api.depends("partner_id.child_ids.email", "partner_id.email")
    def _compute_recipient_id(self):
        for letter in self:
            invoicing = letter.partner_id.child_ids.filtered(
                lambda contact: contact.type == "invoice" and contact.email
            )
            letter.recipient_id = invoicing[:1] or letter.partner_id

    @api.depends("line_ids")
    def _compute_line_count(self):
        for letter in self:
            letter.line_count = len(letter.line_ids)

    @api.depends("line_ids.amount_residual", "line_ids.send_state")
    def _compute_amount_total(self):
        for letter in self:
            letter.amount_total = sum(letter.to_send_line_ids.mapped("amount_residual"))

    @api.depends("line_ids.interest_amount", "line_ids.send_state", "fee_waive_reason")
    def _compute_interest_amount(self):
        for letter in self:
            letter.interest_amount = (
                0.0
                if letter.fee_waive_reason
                else sum(letter.to_send_line_ids.mapped("interest_amount"))
            )

    @api.depends(
        "amount_total",
        "level_id.fee_type",
        "level_id.fee_amount",
        "fee_waive_reason",
    )
    def _compute_fee_amount(self):
        for letter in self:
            # TODO: once booked, the fee invoice is the reference; this
            # amount follows the level if its fee is changed afterwards.
            if letter.fee_waive_reason or not letter.level_id:
                letter.fee_amount = 0.0
            else:
                letter.fee_amount = letter.level_id._get_fee(
                    letter.amount_total, letter.currency_id
                )

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

    @api.constrains("fee_waive_reason")
    def _check_fee_waive_reason(self):
        for letter in self:
            if letter.fee_move_id:
                raise ValidationError(
                    self.env._(
                        "The fee of letter %(letter)s is already booked on "
                        "%(invoice)s; issue a credit note instead of waiving it.",
                        letter=letter.display_name,
                        invoice=letter.fee_move_id.name,
                    )
                )

    def action_retry(self):
        """Send a letter in error again, by the same channel."""
        # Sending writes invoices, activities and notes: check, then sudo.
        self.check_access("write")
        letters = self.sudo().filtered(lambda letter: letter.send_state == "error")
        letters._reset_to_pending()
        letters._send()
        letters.run_id._update_sending_state()
        return True

    def action_send_by_post(self):
        """Print the reminder that could not be emailed, and count it as sent."""
        self.check_access("write")
        letters = self.sudo().filtered(lambda letter: letter.send_state == "error")
        if not letters:
            raise UserError(self.env._("Only letters in error can be sent by post."))
        letters.channel = "letter"
        letters._reset_to_pending()
        letters._send()
        letters.run_id._update_sending_state()
        return letters.with_env(self.env).action_print()

    def _reset_to_pending(self):
        """Put letters in error back in the queue, with their lines.

        A line whose invoice was reminded at this level meanwhile (by a
        later run) is cancelled rather than sent a second time.
        """
        lines = self.line_ids.filtered(lambda line: line.send_state == "error")
        Line = self.env["credit.dunning.line"].sudo()
        taken = Line.search(
            [
                ("move_id", "in", lines.move_id.ids),
                ("send_state", "in", Line._get_active_states()),
            ]
        )
        taken_keys = {(line.move_id, line.level_id) for line in taken}
        dunned = lines.filtered(
            lambda line: (line.move_id, line.level_id) in taken_keys
        )
        dunned.write({"send_state": "cancelled", "cancel_reason": "dunned"})
        (lines - dunned).send_state = "pending"
        self.write(
            {"send_state": "pending", "error_reason": False, "error_message": False}
        )

    def _send(self):
        """Send pending letters by their channel.

        Printed letters and phone calls are sent at once; emails are queued
        and reported back by the mail queue (see ``mail.mail``).
        """
        for letter in self.filtered(lambda letter: letter.send_state == "pending"):
            # 1. Nothing left to remind: the controller skipped every line or
            # all were paid since the proposal.
            if not letter.line_ids.filtered(lambda ln: ln.send_state == "pending"):
                letter.send_state = "skipped"
                continue

            # 2. No address: the reminder goes by post instead.
            recipient = letter.recipient_id
            if letter.channel == "email" and not recipient.email:
                letter.channel = "letter"
                letter.message_post(
                    body=self.env._(
                        "%(customer)s has no email address: printed letter.",
                        customer=letter.partner_id.display_name,
                    )
                )
            if letter.channel == "email" and recipient.is_blacklisted:
                letter._set_error(
                    "blacklisted",
                    self.env._("%(email)s is on the blacklist.", email=recipient.email),
                )
                continue

            # 3. By channel.
            if letter.channel == "email":
                letter._queue_email()
            elif letter.channel == "phone":
                letter._schedule_call()
                letter._mark_sent()
            else:
                letter._mark_sent()

    def _queue_email(self):
        self.ensure_one()
        template = self.level_id._get_mail_template()
        if not template:
            self._set_error(
                "exception",
                self.env._(
                    "Level %(level)s has no email template.", level=self.level_id.name
                ),
            )
            return
        mail_id = template.send_mail(
            self.id, email_layout_xmlid="mail.mail_notification_light"
        )
        self.write({"send_state": "queued", "mail_id": mail_id})

    def _schedule_call(self):
        self.ensure_one()
        user = self.level_id.activity_user_id or self.env.user
        self.partner_id.sudo().activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=self.date,
            summary=self.env._(
                "%(level)s: call about %(amount)s past due",
                level=self.level_id.name,
                amount=self.currency_id.format(self.amount_total),
            ),
            note=", ".join(self.to_send_line_ids.move_id.mapped("name")),
            user_id=user.id,
        )

    def _mark_sent(self):
        """Record the level on the invoices of the letter's pending lines."""
        for letter in self:
            lines = letter.line_ids.filtered(lambda ln: ln.send_state == "pending")
            for line in lines:
                line.previous_level_id = line.move_id.credit_dunning_level_id
            lines.move_id.write(
                {
                    "credit_dunning_level_id": letter.level_id.id,
                    "credit_dunning_last_date": letter.date,
                }
            )
            lines.send_state = "sent"
            letter.write({"send_state": "sent", "sent_date": fields.Datetime.now()})
            letter._book_fee()
            letter._post_sent_note()

    def _prepare_fee_move_vals(self):
        """Values of the customer invoice that books the letter's fee."""
        self.ensure_one()
        company = self.company_id
        product = company._credit_dunning_get_fee_product()
        lines = []
        if not self.currency_id.is_zero(self.fee_amount):
            lines.append(
                fields.Command.create(
                    {
                        "product_id": product.id,
                        "name": self.env._(
                            "Dunning fee: %(level)s (%(invoices)s)",
                            level=self.level_id.name,
                            invoices=", ".join(
                                self.to_send_line_ids.move_id.mapped("name")
                            ),
                        ),
                        "quantity": 1,
                        "price_unit": self.fee_amount,
                        # A charge for late payment, not a supply.
                        "tax_ids": [fields.Command.clear()],
                    }
                )
            )
        if not self.currency_id.is_zero(self.interest_amount):
            policy = self.level_id.policy_id
            lines.append(
                fields.Command.create(
                    {
                        "product_id": product.id,
                        "name": self.env._(
                            "Late-payment interest at %(rate)s %% a year "
                            "(%(invoices)s)",
                            rate=policy.interest_rate + policy.interest_margin,
                            invoices=", ".join(
                                self.to_send_line_ids.move_id.mapped("name")
                            ),
                        ),
                        "quantity": 1,
                        "price_unit": self.interest_amount,
                        "tax_ids": [fields.Command.clear()],
                    }
                )
            )
        return {
            "move_type": "out_invoice",
            "company_id": company.id,
            "partner_id": self.partner_id.id,
            "journal_id": company._credit_dunning_get_fee_journal().id,
            "currency_id": self.currency_id.id,
            "invoice_date": self.date,
            "ref": self.env._(
                "%(level)s of %(run)s", level=self.level_id.name, run=self.run_id.name
            ),
            "invoice_line_ids": lines,
        }

    def _book_fee(self):
        """Book the fee and interest as their own open invoice.

        Kept apart from the reminded invoices so that paying those never
        silently settles the fee.
        """
        for letter in self:
            currency = letter.currency_id
            if letter.fee_move_id or (
                currency.is_zero(letter.fee_amount)
                and currency.is_zero(letter.interest_amount)
            ):
                continue
            move = (
                self.env["account.move"]
                .sudo()
                .with_company(letter.company_id)
                .create(letter._prepare_fee_move_vals())
            )
            move.action_post()
            letter.fee_move_id = move

    def _set_error(self, reason, message=False):
        """Mark letters failed; their invoices keep the level they had."""
        for letter in self:
            lines = letter.line_ids.filtered(
                lambda ln: ln.send_state in ("pending", "sent")
            )
            # A bounce arrives after the level was recorded: restore it.
            for line in lines.filtered(lambda ln: ln.send_state == "sent"):
                if line.move_id.credit_dunning_level_id == line.level_id:
                    line.move_id.credit_dunning_level_id = line.previous_level_id
            lines.send_state = "error"
            letter.write(
                {
                    "send_state": "error",
                    "error_reason": reason,
                    "error_message": message,
                }
            )
            reason_label = dict(
                letter._fields["error_reason"]._description_selection(self.env)
            )[reason]
            letter.message_post(
                body=self.env._(
                    "Not sent: %(reason)s. %(message)s",
                    reason=reason_label,
                    message=message or "",
                )
            )

    def _message_receive_bounce(self, email, partner):
        """A reminder that bounces is a reminder not received."""
        res = super()._message_receive_bounce(email, partner)
        self.filtered(
            lambda letter: (
                letter.send_state in ("queued", "sent") and letter.channel == "email"
            )
        )._set_error("bounced", self.env._("%(email)s bounced.", email=email))
        return res

    def _post_sent_note(self):
        """Note on the customer that this reminder went out."""
        self.ensure_one()
        body = self.env._(
            "%(level)s sent for %(invoices)s (run %(run)s).",
            level=self.level_id.name,
            invoices=", ".join(self.to_send_line_ids.move_id.mapped("name")),
            run=self.run_id.name,
        )
        # Controllers may dun customers they cannot edit; the note only
        # records what the run did, so it is written with sudo.
        self.partner_id.sudo().message_post(
            body=body,
            subtype_xmlid="mail.mt_note",
        )
