from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import CreditManagementCommon


@tagged("post_install", "-at_install")
class TestCreditHold(CreditManagementCommon):
    """Blocked orders wait on hold until the credit team decides."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.credit_hold_auto_confirm = False
        cls.company.credit_release_days = 7
        # Dates of releases are the users' today: keep them on UTC days.
        (
            cls.salesman | cls.colleague | cls.credit_controller | cls.credit_manager
        ).tz = "UTC"
        cls.env.user.tz = "UTC"
        # The test user reads holds, rules and statistics as a credit manager.
        cls.env.user.groups_id |= cls.env.ref("credit_management.group_credit_manager")
        # The customer's own controller decides on its holds.
        cls.customer.with_user(
            cls.credit_manager
        ).credit_controller_id = cls.credit_controller

    def _approve(self, hold, user=None, reason="Known customer", **kwargs):
        return hold.with_user(user or self.credit_controller)._approve(reason, **kwargs)

    # -------------------------------------------------------------------------
    # Hold and request
    # -------------------------------------------------------------------------

    def test_blocked_order_is_held_with_snapshot(self):
        # Limit 100.00, nothing open, order 3 x 100.00 = 300.00: 200.00 over.
        order, hold = self._held_order()
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.credit_hold_state, "pending")
        self.assertEqual(hold.partner_id, self.customer)
        self.assertEqual(hold.user_id, self.salesman)
        self.assertEqual(hold.controller_id, self.credit_controller)
        self.assertEqual(hold.limit_amount, 100.0)
        self.assertEqual(hold.exposure_amount, 0.0)
        self.assertEqual(hold.order_amount, 300.0)
        self.assertEqual(hold.amount_over_limit, 200.0)
        self.assertTrue(hold.limit_blocks_only)
        self.assertFalse(hold.requested)
        self.assertIn("$\xa0200.00 over the limit", hold.block_message)
        self.assertIn("Open receivables", hold.breakdown_html)
        self.assertTrue(
            self._messages(order).filtered(lambda m: "Put on credit hold" in m.body)
        )
        # Confirming again refreshes the same hold, with the new figures.
        order.order_line.product_uom_qty = 4.0
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.credit_hold_ids, hold)
        self.assertEqual(hold.order_amount, 400.0)

    def test_confirm_returns_the_request_form(self):
        self._set_limit(self.customer, "custom", 100.0)
        order = self._create_order(self.customer, qty=3.0, user=self.salesman)
        action = order.with_user(self.salesman).action_confirm()
        self.assertEqual(action["res_model"], "credit.hold.request")
        self.assertEqual(action["context"]["default_hold_id"], order.credit_hold_id.id)

    def test_request_release_notifies_controller(self):
        order, hold = self._held_order()
        wizard = (
            self.env["credit.hold.request"]
            .with_user(self.salesman)
            .create({"hold_id": hold.id, "comment": ""})
        )
        with self.assertRaises(UserError) as caught:
            wizard.action_request()
        self.assertIn("comment is required", str(caught.exception))
        wizard.comment = "Payment of 300.00 promised for Friday"
        wizard.action_request()
        self.assertTrue(hold.requested)
        self.assertEqual(hold.requested_by_id, self.salesman)
        self.assertEqual(hold.request_comment, "Payment of 300.00 promised for Friday")
        activity = self._activities(hold)
        self.assertEqual(activity.user_id, self.credit_controller)
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref("credit_management.mail_activity_credit_hold"),
        )
        self.assertIn(self.credit_controller.partner_id, hold.message_partner_ids)
        self.assertTrue(
            self._messages(hold).filtered(lambda m: "promised for Friday" in m.body)
        )

    def test_controller_falls_back_to_company_reviewer(self):
        self.customer.with_user(self.credit_manager).credit_controller_id = False
        self.company.credit_hold_user_id = self.credit_manager
        _order, hold = self._held_order()
        self.assertEqual(hold.controller_id, self.credit_manager)

    def test_portal_confirmation_is_held_and_submitted(self):
        # The customer signs in the portal (send_email in context, as the
        # sale portal's _validate_order does): nobody is left unaware.
        self._set_limit(self.customer, "custom", 100.0)
        order = self._create_order(self.customer, qty=2.0)
        # As the portal does it: in superuser mode, with send_email.
        order.sudo().with_context(send_email=True).action_confirm()
        hold = order.credit_hold_id
        self.assertEqual(order.state, "draft")
        self.assertEqual(hold.origin, "portal")
        self.assertTrue(hold.requested)
        self.assertEqual(self._activities(hold).user_id, self.credit_controller)
        portal_note = self._messages(hold).filtered(lambda m: "in the portal" in m.body)
        self.assertTrue(portal_note)

    def test_paid_quotation_on_hold_is_not_reported_confirmed(self):
        self._set_limit(self.customer, "custom", 100.0)
        order = self._create_order(self.customer, qty=2.0)
        provider = self.env["payment.provider"].search([("code", "=", "none")], limit=1)
        provider = provider or self.env["payment.provider"].create(
            {"name": "Credit Test Provider", "code": "none"}
        )
        method = self.env.ref("payment.payment_method_unknown")
        transaction = self.env["payment.transaction"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": method.id,
                "amount": order.amount_total,
                "currency_id": order.currency_id.id,
                "partner_id": self.customer.id,
                "reference": "CREDIT-TX-1",
                "sale_order_ids": [Command.set(order.ids)],
            }
        )
        transaction.state = "done"
        # As the payment's post-processing does it, in superuser mode.
        confirmed = transaction.sudo()._check_amount_and_confirm_order()
        self.assertFalse(confirmed)
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.credit_hold_id.origin, "portal")
        self.assertTrue(order.credit_hold_id.requested)

    # -------------------------------------------------------------------------
    # Decisions
    # -------------------------------------------------------------------------

    def test_approve_then_salesperson_confirms(self):
        order, hold = self._held_order()
        # Decided 3 hours later; the release runs 7 days from that day.
        with freeze_time(fields.Datetime.now() + timedelta(hours=3)):
            self._approve(hold)
            decision_day = fields.Date.context_today(hold)
        self.assertEqual(hold.state, "approved")
        self.assertEqual(hold.approved_amount, 300.0)
        self.assertEqual(hold.release_expiry, decision_day + timedelta(days=7))
        self.assertEqual(hold.decided_by_id, self.credit_controller)
        self.assertEqual(hold.decision_reason, "Known customer")
        self.assertAlmostEqual(hold.hold_hours, 3.0, delta=0.1)
        self.assertEqual(order.state, "draft")
        todo = self._activities(order).filtered(lambda a: a.user_id == self.salesman)
        self.assertIn("approved up to $\xa0300.00", todo.summary)
        # The salesperson confirms under the release, which is used up.
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertTrue(hold.release_used)
        self.assertTrue(
            self._messages(order).filtered(
                lambda m: f"Confirmed under credit release {hold.name}" in m.body
            )
        )

    def test_approval_confirms_when_set(self):
        self.company.credit_hold_auto_confirm = True
        order, hold = self._held_order()
        self._approve(hold)
        self.assertEqual(order.state, "sale")
        self.assertTrue(hold.release_used)

    def test_reject_needs_reason_and_tells_salesperson(self):
        order, hold = self._held_order()
        with self.assertRaises(UserError):
            hold.with_user(self.credit_controller)._reject("  ")
        hold.with_user(self.credit_controller)._reject("Two invoices 90 days late")
        self.assertEqual(hold.state, "rejected")
        self.assertEqual(hold.decision_reason, "Two invoices 90 days late")
        todo = self._activities(order).filtered(lambda a: a.user_id == self.salesman)
        self.assertIn("rejected: Two invoices 90 days late", todo.summary)
        with self.assertRaises(UserError):
            self._approve(hold)
        # Confirming again opens a new hold, the rejection stays on record.
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(len(order.credit_hold_ids), 2)
        self.assertEqual(order.credit_hold_state, "pending")

    def test_release_is_one_time_and_for_that_order(self):
        order, hold = self._held_order()
        self._approve(hold)
        other = self._create_order(self.customer, qty=2.0, user=self.salesman)
        other.with_user(self.salesman).action_confirm()
        self.assertEqual(other.state, "draft")
        self.assertEqual(other.credit_hold_state, "pending")
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        # Cancelled and reset, the order needs a new release.
        order._action_cancel()
        order.action_draft()
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.credit_hold_state, "pending")
        self.assertEqual(len(order.credit_hold_ids), 2)

    def test_order_grown_past_release_is_held_again(self):
        # Released up to 300.00; a fourth unit makes it 400.00.
        order, hold = self._held_order()
        self._approve(hold)
        order.order_line.product_uom_qty = 4.0
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "draft")
        new_hold = order.credit_hold_id
        self.assertNotEqual(new_hold, hold)
        self.assertEqual(new_hold.state, "pending")
        self.assertEqual(new_hold.order_amount, 400.0)
        self.assertFalse(hold.release_used)
        # The old release is closed, saying why: one live hold per order.
        self.assertEqual(hold.state, "expired")
        self.assertTrue(
            self._messages(hold).filtered(
                lambda m: (
                    "covers up to $\xa0300.00" in self._text(m)
                    and "now $\xa0400.00" in self._text(m)
                    and new_hold.name in self._text(m)
                )
            )
        )

    def test_release_expires(self):
        order, hold = self._held_order()
        self._approve(hold)
        expiry = hold.release_expiry
        # The day after the expiry, the release no longer confirms.
        with freeze_time(expiry + timedelta(days=1)):
            order.with_user(self.salesman).action_confirm()
            self.assertEqual(order.state, "draft")
            self.assertEqual(hold.state, "expired")
            self.assertEqual(order.credit_hold_state, "pending")

    def test_cron_expires_unused_releases(self):
        _order, hold = self._held_order()
        today = fields.Date.context_today(hold)
        self._approve(hold, expiry=today + timedelta(days=2))
        with freeze_time(today + timedelta(days=2)):
            self.env["credit.hold"]._cron_expire_releases()
            self.assertEqual(hold.state, "approved")
        with freeze_time(today + timedelta(days=3)):
            self.env["credit.hold"]._cron_expire_releases()
            self.assertEqual(hold.state, "expired")

    def test_approve_refuses_past_expiry_and_zero_amount(self):
        _order, hold = self._held_order()
        with self.assertRaises(UserError):
            self._approve(
                hold, expiry=fields.Date.context_today(hold) - timedelta(days=1)
            )
        with self.assertRaises(UserError):
            self._approve(hold, approved_amount=0.0)
        self.assertEqual(hold.state, "pending")

    def test_cancel_order_cancels_hold(self):
        order, hold = self._held_order()
        order._action_cancel()
        self.assertEqual(hold.state, "cancelled")
        self.assertEqual(hold.decision_reason, "The order was cancelled.")

    def test_passing_check_closes_pending_hold(self):
        order, hold = self._held_order()
        self._set_limit(self.customer, "custom", 1000.0)
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(hold.state, "cancelled")

    # -------------------------------------------------------------------------
    # Confirmed orders that grow
    # -------------------------------------------------------------------------

    def test_confirmed_order_cannot_grow_past_limit(self):
        # Limit 500.00, order 300.00 confirmed; 3 more units make 600.00.
        self._set_limit(self.customer, "custom", 500.0)
        order = self._create_order(self.customer, qty=3.0)
        order.action_confirm()
        with self.assertRaises(UserError) as caught:
            order.order_line.product_uom_qty = 6.0
        self.assertIn("do not allow this change", str(caught.exception))
        self.assertIn("$\xa0100.00 over the limit", str(caught.exception))
        with self.assertRaises(UserError):
            order.write(
                {
                    "order_line": [
                        Command.create(
                            {"product_id": self.product_order.id, "product_uom_qty": 3}
                        )
                    ]
                }
            )
        # Within the limit it may grow: 5 units, 500.00.
        order.order_line.product_uom_qty = 5.0
        self.assertEqual(order.amount_total, 500.0)

    def test_released_order_grows_within_approved_amount_only(self):
        # Released up to 400.00 for an order of 300.00: one more unit fits,
        # two do not.
        order, hold = self._held_order()
        self._approve(hold, approved_amount=400.0)
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        order.order_line.product_uom_qty = 4.0
        self.assertEqual(order.amount_total, 400.0)
        with self.assertRaises(UserError):
            order.order_line.product_uom_qty = 5.0
        self.assertEqual(order.order_line.product_uom_qty, 4.0)

    # -------------------------------------------------------------------------
    # Approval authority
    # -------------------------------------------------------------------------

    def test_authority_matrix(self):
        # Controllers up to 5,000.00 over the limit, managers any amount.
        Authority = self.env["credit.approval.authority"]
        self.assertEqual(
            Authority._get_user_authority(self.credit_controller, self.company),
            5000.0,
        )
        self.assertIsNone(
            Authority._get_user_authority(self.credit_manager, self.company)
        )
        self.assertEqual(Authority._get_user_authority(self.salesman, self.company), 0)
        # Limit 1,000.00, order 60 x 100.00 = 6,000.00: 5,000.00 over, which
        # a controller may release.
        _order, hold = self._held_order(qty=60.0, limit=1000.0)
        self.assertEqual(hold.amount_over_limit, 5000.0)
        self.assertFalse(self._approve(hold))
        self.assertEqual(hold.state, "approved")

    def test_approval_above_authority_is_escalated(self):
        # Limit 1,000.00, order 70 x 100.00 = 7,000.00: 6,000.00 over.
        order, hold = self._held_order(qty=70.0, limit=1000.0)
        escalated = self._approve(hold)
        self.assertEqual(escalated, hold)
        self.assertEqual(hold.state, "pending")
        manager_group = self.env.ref("credit_management.group_credit_manager")
        self.assertEqual(hold.escalated_group_id, manager_group)
        self.assertIn(self.credit_manager, self._activities(hold).user_id)
        message = self._messages(hold).filtered(lambda m: "Escalated to" in m.body)
        self.assertIn("may release up to $\xa05,000.00", self._text(message))
        self.assertIn("needs $\xa06,000.00", self._text(message))
        # The manager may release any amount.
        self._approve(hold, user=self.credit_manager)
        self.assertEqual(hold.state, "approved")
        self.assertEqual(hold.decided_by_id, self.credit_manager)

    def test_partial_approval_needs_less_authority(self):
        # Approving 5,500.00 of the 7,000.00 order needs 4,500.00 over the
        # 1,000.00 limit: within a controller's 5,000.00.
        order, hold = self._held_order(qty=70.0, limit=1000.0)
        self.assertFalse(self._approve(hold, approved_amount=5500.0))
        self.assertEqual(hold.approved_amount, 5500.0)
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "draft")

    def test_other_rule_needs_authority_for_whole_order(self):
        # On manual credit hold (not the limit): the whole 6,000.00 released
        # counts against the controller's 5,000.00.
        self.env["credit.rule"].create(
            {"name": "Manual hold", "rule_type": "manual_hold", "action": "block"}
        )
        self.customer.with_user(self.credit_manager).write(
            {"credit_hold": True, "credit_hold_reason": "Disputed delivery"}
        )
        self._set_limit(self.customer, "none")
        order = self._create_order(self.customer, qty=60.0, user=self.salesman)
        order.with_user(self.salesman).action_confirm()
        hold = order.credit_hold_id
        self.assertFalse(hold.limit_blocks_only)
        self.assertEqual(self._approve(hold), hold)
        self.assertEqual(hold.state, "pending")

    # -------------------------------------------------------------------------
    # Refused actions
    # -------------------------------------------------------------------------

    def test_salesperson_cannot_decide_or_forge(self):
        order, hold = self._held_order()
        as_salesman = hold.with_user(self.salesman)
        with self.assertRaises(AccessError):
            as_salesman._approve("Mine")
        with self.assertRaises(AccessError):
            as_salesman._reject("Mine")
        with self.assertRaises(AccessError):
            as_salesman.write({"state": "approved", "approved_amount": 300.0})
        with self.assertRaises(AccessError):
            self.env["credit.hold"].with_user(self.salesman).create(
                {
                    "order_id": order.id,
                    "partner_id": self.customer.id,
                    "company_id": self.company.id,
                    "state": "approved",
                    "approved_amount": 1e9,
                }
            )
        with self.assertRaises(AccessError):
            self.env["credit.hold.decision"].with_user(self.salesman).create(
                {"hold_ids": [Command.set(hold.ids)], "reason": "Mine"}
            )
        with self.assertRaises(AccessError):
            as_salesman.action_open_decision()
        with self.assertRaises(AccessError):
            self.env["credit.approval.authority"].with_user(self.salesman).create(
                {
                    "group_id": self.env.ref("sales_team.group_sale_salesman").id,
                    "unlimited": True,
                }
            )
        self.assertEqual(hold.state, "pending")
        # The salesperson reads the hold of their order and its state.
        self.assertEqual(as_salesman.state, "pending")
        self.assertEqual(order.with_user(self.salesman).credit_hold_state, "pending")

    def test_controller_cannot_raise_own_authority(self):
        line = self.env["credit.approval.authority"].search(
            [
                ("company_id", "=", self.company.id),
                (
                    "group_id",
                    "=",
                    self.env.ref("credit_management.group_credit_controller").id,
                ),
            ]
        )
        with self.assertRaises(AccessError):
            line.with_user(self.credit_controller).write({"unlimited": True})
        line.with_user(self.credit_manager).write({"max_amount": 8000.0})
        self.assertEqual(line.max_amount, 8000.0)

    def test_colleague_sees_only_own_holds(self):
        _order, hold = self._held_order()
        Hold = self.env["credit.hold"].with_user(self.colleague)
        self.assertFalse(Hold.search([("id", "=", hold.id)]))

    def test_user_without_credit_group_confirms(self):
        # A salesperson with no credit group: within limits the order is
        # confirmed, over the limit it is held, never an AccessError.
        self._set_limit(self.customer, "custom", 500.0)
        fine = self._create_order(self.customer, qty=2.0, user=self.colleague)
        fine.with_user(self.colleague).action_confirm()
        self.assertEqual(fine.state, "sale")
        held = self._create_order(self.customer, qty=4.0, user=self.colleague)
        action = held.with_user(self.colleague).action_confirm()
        self.assertEqual(action["res_model"], "credit.hold.request")
        wizard = (
            self.env["credit.hold.request"]
            .with_user(self.colleague)
            .create({"hold_id": held.credit_hold_id.id, "comment": "Urgent"})
        )
        wizard.action_request()
        self.assertTrue(held.credit_hold_id.requested)

    # -------------------------------------------------------------------------
    # Queue and statistics
    # -------------------------------------------------------------------------

    def test_queue_filters(self):
        order, hold = self._held_order()
        self.company.credit_hold_large_amount = 250.0
        Hold = self.env["credit.hold"]
        self.assertIn(hold, Hold.search([("is_large", "=", True)]))
        self.company.credit_hold_large_amount = 300.0
        self.assertNotIn(hold, Hold.search([("is_large", "=", True)]))
        self.assertNotIn(hold, Hold.search([("age_hours", ">", 24)]))
        with freeze_time(fields.Datetime.now() + timedelta(hours=25)):
            self.assertIn(hold, Hold.search([("age_hours", ">", 24)]))
        pending = self.env["sale.order"].search([("credit_hold_state", "=", "pending")])
        self.assertIn(order, pending)

    def test_time_in_hold_statistics(self):
        # Two holds decided by the controller after 2 h and 12 h: average
        # 7.0 h; 90th percentile (linear) 2 + 0.9 x (12 - 2) = 11.0 h.
        _order, first = self._held_order()
        second_order = self._create_order(self.customer, qty=2.0, user=self.salesman)
        second_order.with_user(self.salesman).action_confirm()
        second = second_order.credit_hold_id
        now = fields.Datetime.now()
        for hold, hours in ((first, 2), (second, 12)):
            self.env.cr.execute(
                "UPDATE credit_hold SET create_date = %s WHERE id = %s",
                (now - timedelta(hours=hours), hold.id),
            )
        self.env.invalidate_all()
        self._approve(first)
        second.with_user(self.credit_controller)._reject("Too late")
        self.env.flush_all()
        stats = self.env["credit.hold.time.report"].search(
            [("decided_by_id", "=", self.credit_controller.id)]
        )
        self.assertEqual(stats.decision_count, 2)
        self.assertEqual(stats.approved_count, 1)
        self.assertEqual(stats.rejected_count, 1)
        self.assertAlmostEqual(stats.avg_hours, 7.0, delta=0.05)
        self.assertAlmostEqual(stats.p90_hours, 11.0, delta=0.05)

    def test_rule_change_tracked(self):
        rule = self.env["credit.rule"].search(
            [("company_id", "=", self.company.id), ("rule_type", "=", "limit")]
        )
        # The rule was created in this test's transaction, whose creation
        # tracking is pending: close it as a commit would.
        self.env.flush_all()
        self.env.cr.precommit.run()
        # A clean context, as the web client sends: changes are tracked.
        rule.with_env(self.env(user=self.credit_manager, context={})).action = "warn"
        self.env.flush_all()
        self.env.cr.precommit.run()
        tracking = (
            self._messages(rule)
            .sudo()
            .tracking_value_ids.filtered(lambda t: t.field_id.name == "action")
        )
        self.assertEqual(tracking.old_value_char, "Block")
        self.assertEqual(tracking.new_value_char, "Warn")
        self.assertEqual(
            tracking.mail_message_id.author_id, self.credit_manager.partner_id
        )


@tagged("post_install", "-at_install")
class TestCreditLimitRequest(CreditManagementCommon):
    """A proposed limit applies only once a credit manager approves it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id |= cls.env.ref("credit_management.group_credit_manager")

    def _request(self, user=None, **values):
        return (
            self.env["credit.limit.request"]
            .with_user(user or self.salesman)
            .create(
                {
                    "partner_id": self.contact.id,
                    "proposed_limit": 2000.0,
                    "reason": "Orders of 1,500 a month, pays on time",
                }
                | values
            )
        )

    def test_request_approved_by_manager(self):
        self._set_limit(self.customer, "custom", 1000.0)
        request = self._request()
        # A contact's request is the commercial entity's.
        self.assertEqual(request.partner_id, self.customer)
        self.assertEqual(request.current_limit_label, "$\xa01,000.00")
        request.action_submit()
        self.assertEqual(request.state, "submitted")
        self.assertIn(self.credit_manager, self._activities(request).user_id)
        self.assertEqual(self.customer.credit_limit_amount, 1000.0)
        with self.assertRaises(AccessError):
            request.with_user(self.salesman).action_approve()
        with self.assertRaises(AccessError):
            request.with_user(self.credit_controller).action_approve()
        request.with_user(self.credit_manager).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.previous_limit, "$\xa01,000.00")
        self.assertEqual(self.customer.credit_limit_amount, 2000.0)
        logs = self._messages(self.customer).filtered(
            lambda m: "changed from" in m.body
        )
        log = logs[:1]
        body = str(log.body).replace("&nbsp;", "\xa0")
        self.assertIn("from $\xa01,000.00 to $\xa02,000.00", body)
        self.assertEqual(log.author_id, self.credit_manager.partner_id)

    def test_temporary_request(self):
        self._set_limit(self.customer, "custom", 1000.0)
        with self.assertRaises(ValidationError):
            self._request(temporary=True)
        request = self._request(
            temporary=True, date_from="2030-01-01", date_to="2030-03-31"
        )
        request.action_submit()
        request.with_user(self.credit_manager).action_approve()
        self.assertEqual(self.customer.credit_limit_amount, 1000.0)
        self.assertEqual(self.customer.credit_temp_limit_amount, 2000.0)
        self.assertEqual(str(self.customer.credit_temp_limit_date_to), "2030-03-31")

    def test_reject_and_forgery_refused(self):
        self._set_limit(self.customer, "custom", 1000.0)
        request = self._request()
        with self.assertRaises(AccessError):
            request.write({"state": "approved"})
        with self.assertRaises(AccessError):
            self._request(state="approved")
        request.action_submit()
        with self.assertRaises(UserError):
            request.write({"proposed_limit": 9000.0})
        action = request.with_user(self.credit_manager).action_reject()
        self.assertEqual(action["res_model"], "credit.limit.request.reject")
        request.with_user(self.credit_manager).action_reject("Pays 40 days late")
        self.assertEqual(request.state, "rejected")
        self.assertEqual(request.decision_reason, "Pays 40 days late")
        self.assertEqual(self.customer.credit_limit_amount, 1000.0)

    def test_colleague_does_not_see_request(self):
        request = self._request()
        Request = self.env["credit.limit.request"].with_user(self.colleague)
        self.assertFalse(Request.search([("id", "=", request.id)]))


@tagged("post_install", "-at_install")
class TestCreditHoldMultiCompany(CreditManagementCommon):
    """Users of one company see neither holds nor requests of another."""

    def test_company_isolation(self):
        self.env.user.groups_id |= self.env.ref(
            "credit_management.group_credit_manager"
        )
        company_2 = self.setup_other_company()["company"]
        user_2 = new_test_user(
            self.env,
            login="credit_clerk_2",
            groups="base.group_user,credit_management.group_credit_manager,"
            "sales_team.group_sale_salesman_all_leads",
            company_id=company_2.id,
            company_ids=[Command.set(company_2.ids)],
        )
        self._set_limit(self.customer, "custom", 100.0)
        order = self._create_order(self.customer, qty=3.0)
        order.action_confirm()
        hold = order.credit_hold_id
        request = self.env["credit.limit.request"].create(
            {"partner_id": self.customer.id, "proposed_limit": 5.0, "reason": "x"}
        )
        self.assertTrue(hold)
        self.assertFalse(
            self.env["credit.hold"].with_user(user_2).search([("id", "=", hold.id)])
        )
        self.assertFalse(
            self.env["credit.limit.request"]
            .with_user(user_2)
            .search([("id", "=", request.id)])
        )
        with self.assertRaises(AccessError):
            hold.with_user(user_2).read(["state"])
        # Each company has its own approval authority lines.
        lines = self.env["credit.approval.authority"].search(
            [("company_id", "=", company_2.id)]
        )
        self.assertEqual(len(lines), 2)


@tagged("post_install", "-at_install")
class TestCreditHoldBypass(CreditManagementCommon):
    """Ways around the hold that a salesperson's client could try."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id |= cls.env.ref("credit_management.group_credit_manager")
        (cls.salesman | cls.colleague | cls.credit_controller).tz = "UTC"

    def test_cancelled_order_written_to_sale_is_checked(self):
        order, _hold = self._held_order()
        order._action_cancel()
        with self.assertRaises(UserError) as caught:
            order.with_user(self.salesman).write({"state": "sale"})
        self.assertIn("over the limit", str(caught.exception))
        self.assertEqual(order.state, "cancel")

    def test_computed_amounts_cannot_be_written(self):
        # Lowering the amounts the exposure reads is refused to clients.
        self._set_limit(self.customer, "custom", 1000.0)
        confirmed = self._create_order(self.customer, qty=5.0, user=self.salesman)
        confirmed.action_confirm()
        quotation = self._create_order(self.customer, qty=8.0, user=self.salesman)
        as_salesman = quotation.with_user(self.salesman)
        for vals in ({"currency_rate": 1e6}, {"amount_total": 0.0}):
            with self.assertRaises(AccessError):
                as_salesman.write(vals)
        lines = confirmed.order_line.with_user(self.salesman)
        for vals in ({"qty_invoiced": 5.0}, {"price_total": 0.0}):
            with self.assertRaises(AccessError):
                lines.write(vals)
        # 500.00 confirmed + 800.00: 300.00 over, held.
        as_salesman.action_confirm()
        self.assertEqual(quotation.state, "draft")
        self.assertEqual(quotation.credit_hold_id.exposure_amount, 500.0)

    def test_detaching_a_contact_keeps_no_limit(self):
        # The contact carries the company's custom limit of 300.00: made a
        # customer of its own by a salesperson, it would keep it.
        self._set_limit(self.customer, "custom", 300.0)
        self.assertEqual(self.contact.credit_limit_amount, 300.0)
        with self.assertRaises(AccessError) as caught:
            self.contact.with_user(self.salesman).write(
                {"parent_id": False, "is_company": True}
            )
        self.assertIn(
            "Only credit managers may change the credit entity of Jane Azure",
            str(caught.exception),
        )
        self.assertEqual(self.contact.parent_id, self.customer)
        # A credit manager may.
        self.contact.with_user(self.credit_manager).write({"parent_id": False})
        self.assertEqual(self.contact.commercial_partner_id, self.contact)

    def test_release_tied_to_customer(self):
        order, hold = self._held_order()
        hold.with_user(self.credit_controller)._approve("Known customer")
        self._set_limit(self.other_customer, "custom", 100.0)
        order.with_user(self.salesman).write({"partner_id": self.other_customer.id})
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertEqual(hold.state, "expired")
        self.assertFalse(hold.release_used)
        self.assertEqual(order.credit_hold_id.partner_id, self.other_customer)

    def test_authority_judged_on_current_exposure(self):
        # Held at 300.00 (200.00 over a 100.00 limit). Before the decision,
        # a 5,000.00 invoice is posted: 5,200.00 over, beyond a controller's
        # 5,000.00, so the approval is escalated.
        _order, hold = self._held_order()
        self._create_invoice(self.customer, 5000.0)
        escalated = hold.with_user(self.credit_controller)._approve("Known")
        self.assertEqual(escalated, hold)
        self.assertEqual(hold.state, "pending")
        self.assertEqual(hold.amount_over_limit, 5200.0)

    def test_release_void_when_exposure_outgrows_authority(self):
        # Approved by a controller at 200.00 over; then a 5,000.00 invoice:
        # using the release would put 5,200.00 over the limit, beyond the
        # approver's 5,000.00: held again.
        order, hold = self._held_order()
        hold.with_user(self.credit_controller)._approve("Known customer")
        self._create_invoice(self.customer, 5000.0)
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertFalse(hold.release_used)
        new_hold = order.credit_hold_id
        self.assertNotEqual(new_hold, hold)
        self.assertEqual(hold.state, "expired")
        notes = self._messages(hold).filtered(lambda m: "no longer covers" in m.body)
        self.assertTrue(notes)

    def test_import_of_confirmed_order_over_limit_fails(self):
        self._set_limit(self.customer, "custom", 100.0)
        result = (
            self.env["sale.order"]
            .with_user(self.salesman)
            .load(
                [
                    "partner_id/.id",
                    "state",
                    "order_line/product_id/.id",
                    "order_line/product_uom_qty",
                ],
                [[str(self.customer.id), "sale", str(self.product_order.id), "3"]],
            )
        )
        self.assertFalse(result["ids"])
        self.assertIn("over the limit", result["messages"][0]["message"])
        self.assertFalse(
            self.env["sale.order"].search([("partner_id", "=", self.customer.id)])
        )

    def test_reassigned_order_hold_follows_salesperson(self):
        order, hold = self._held_order()
        order.user_id = self.colleague
        self.assertEqual(hold.user_id, self.colleague)
        wizard = (
            self.env["credit.hold.request"]
            .with_user(self.colleague)
            .create({"hold_id": hold.id, "comment": "Taking over this account"})
        )
        wizard.action_request()
        self.assertTrue(hold.requested)
        # The limit is raised: the colleague confirms, the hold closes.
        self._set_limit(self.customer, "custom", 1000.0)
        order.with_user(self.colleague).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(hold.state, "cancelled")

    def test_client_context_does_not_fake_the_portal(self):
        self._set_limit(self.customer, "custom", 100.0)
        order = self._create_order(self.customer, qty=3.0, user=self.salesman)
        order.with_user(self.salesman).with_context(send_email=True).action_confirm()
        hold = order.with_env(self.env).credit_hold_id
        self.assertEqual(hold.origin, "backend")
        self.assertFalse(hold.requested)

    def test_partial_approval_does_not_auto_confirm(self):
        # Approval confirms orders (setting), but 200.00 approved for a
        # 300.00 order cannot: the order waits, its release stays unused.
        self.company.credit_hold_auto_confirm = True
        order, hold = self._held_order()
        hold.with_user(self.credit_controller)._approve("Part", approved_amount=200.0)
        self.assertEqual(hold.state, "approved")
        self.assertEqual(order.state, "draft")
        self.assertEqual(len(order.credit_hold_ids), 1)

    def test_decision_on_invisible_holds_is_refused(self):
        _order, hold = self._held_order()
        company_2 = self.setup_other_company()["company"]
        clerk_2 = new_test_user(
            self.env,
            login="credit_clerk_other",
            groups="base.group_user,credit_management.group_credit_controller",
            company_id=company_2.id,
            company_ids=[Command.set(company_2.ids)],
        )
        # Refused, whether at creation or at the decision (AccessError is a
        # UserError).
        with self.assertRaises(UserError):
            self.env["credit.hold.decision"].with_user(clerk_2).create(
                {"hold_ids": [Command.set(hold.ids)], "reason": "x"}
            ).action_approve()
        self.assertEqual(hold.state, "pending")

    def test_age_stops_at_decision(self):
        _order, hold = self._held_order()
        hold.with_user(self.credit_controller)._reject("No")
        Hold = self.env["credit.hold"]
        with freeze_time(fields.Datetime.now() + timedelta(hours=48)):
            self.assertNotIn(hold, Hold.search([("age_hours", ">", 24)]))

    def test_pending_hold_follows_new_customer(self):
        # Held for Azure; the order moves to Deco (limit 50.00) and is
        # confirmed again: the same pending hold now names Deco, 250.00 over.
        order, hold = self._held_order()
        self._set_limit(self.other_customer, "custom", 50.0)
        order.with_user(self.salesman).write({"partner_id": self.other_customer.id})
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.credit_hold_ids, hold)
        self.assertEqual(hold.partner_id, self.other_customer)
        self.assertEqual(hold.amount_over_limit, 250.0)
        self.assertIn("Deco Credit Ltd", hold.block_message)

    def test_confirmed_order_moved_to_another_customer_is_checked(self):
        # A 300.00 confirmed order for Azure (limit 1,000.00) moved to Deco
        # (limit 100.00): 200.00 over, refused.
        self._set_limit(self.customer, "custom", 1000.0)
        self._set_limit(self.other_customer, "custom", 100.0)
        order = self._create_order(self.customer, qty=3.0, user=self.salesman)
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        with self.assertRaises(UserError) as caught:
            order.with_user(self.salesman).write({"partner_id": self.other_customer.id})
        self.assertIn("$\xa0200.00 over the limit", str(caught.exception))
        self.assertEqual(order.partner_id, self.customer)

    def test_more_ways_around_are_closed(self):
        self._set_limit(self.customer, "custom", 100.0)
        # The credit entity is computed from the parent: not writable.
        shell = self.env["res.partner"].create({"name": "Shell", "is_company": True})
        with self.assertRaises(AccessError):
            self.customer.with_user(self.salesman).write(
                {"commercial_partner_id": shell.id}
            )
        # A customer with its own limit is not put under another company by a
        # salesperson (its limit would give way to the other's).
        with self.assertRaises(AccessError):
            self.customer.with_user(self.salesman).write(
                {"parent_id": shell.id, "is_company": False}
            )
        # A draft credit note makes no room: 300.00 still 200.00 over.
        self._create_invoice(self.customer, 5000.0, move_type="out_refund", post=False)
        _order, hold = self._held_order()
        self.assertEqual(hold.amount_over_limit, 200.0)

    def test_line_moved_into_confirmed_order_is_checked(self):
        # Limit 500.00, confirmed order 300.00; a 300.00 line of a quotation
        # moved into it would make 600.00: refused.
        self._set_limit(self.customer, "custom", 500.0)
        confirmed = self._create_order(self.customer, qty=3.0, user=self.salesman)
        confirmed.with_user(self.salesman).action_confirm()
        quotation = self._create_order(self.customer, qty=3.0, user=self.salesman)
        with self.assertRaises(UserError):
            quotation.order_line.with_user(self.salesman).write(
                {"order_id": confirmed.id}
            )
        with self.assertRaises(UserError):
            confirmed.with_user(self.salesman).write(
                {"order_line": [Command.link(quotation.order_line.id)]}
            )
        self.assertEqual(confirmed.amount_total, 300.0)

    def test_release_does_not_cover_a_new_blocking_rule(self):
        # Released for the limit; then the customer is put on manual hold by
        # a credit manager: the release no longer confirms the order.
        self.env["credit.rule"].create(
            {"name": "Manual hold", "rule_type": "manual_hold", "action": "block"}
        )
        order, hold = self._held_order()
        hold.with_user(self.credit_controller)._approve("Known customer")
        self.customer.with_user(self.credit_manager).write(
            {"credit_hold": True, "credit_hold_reason": "Bankruptcy filed"}
        )
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertFalse(hold.release_used)
        self.assertIn("Bankruptcy filed", order.credit_hold_id.block_message)

    def test_portal_confirming_again_adds_no_activity(self):
        self._set_limit(self.customer, "custom", 100.0)
        order = self._create_order(self.customer, qty=3.0)
        for _attempt in range(3):
            order.sudo().with_context(send_email=True).action_confirm()
        self.assertEqual(len(self._activities(order.credit_hold_id)), 1)

    def test_user_without_write_access_learns_nothing(self):
        # A portal user writing the state gets an access error, not the
        # customer's credit figures.
        portal = new_test_user(
            self.env, login="credit_portal_2", groups="base.group_portal"
        )
        order, _hold = self._held_order()
        with self.assertRaises(AccessError):
            order.with_user(portal).write({"state": "sale"})

    def test_currency_of_confirmed_order_is_kept(self):
        # A confirmed order switched to a currency at 2.0 per dollar would
        # weigh half as much: refused, on the currency as on the pricelist.
        other = self.setup_other_currency("EUR")
        self._set_limit(self.customer, "custom", 500.0)
        order = self._create_order(self.customer, qty=3.0, user=self.salesman)
        order.with_user(self.salesman).action_confirm()
        with self.assertRaises(UserError) as caught:
            order.with_user(self.salesman).write({"currency_id": other.id})
        self.assertIn("cannot change", str(caught.exception))
        self.assertEqual(order._credit_company_amount(), 300.0)
        # A quotation may change currency; it is judged when confirmed.
        quotation = self._create_order(self.customer, qty=3.0, user=self.salesman)
        quotation.with_user(self.salesman).write({"currency_id": other.id})
        self.assertEqual(quotation._credit_company_amount(), 150.0)
