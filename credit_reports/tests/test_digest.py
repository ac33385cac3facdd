from datetime import date
from unittest.mock import patch

from odoo import fields
from odoo.tests import new_test_user, tagged

from ..models.credit_controller_digest import DIGEST_PARAM, CreditControllerDigest
from .common import CreditReportsCommon

# Digest of 2024-03-02, first run: the events of 2024-03-01.
#
# Alice follows Alpha, Bob follows Beta (each their salesperson).
#   habit flags   Alpha, detected 03-01, open        -> Alice
#                 Beta, detected 02-28               -> before the period
#                 Beta, detected 03-01, acknowledged -> no longer news
#   invoices      Alpha 1200 due 03-01, open         -> Alice
#                 Alpha  700 due 02-29, open         -> overdue the day before
#                 Alpha  400 due 03-01, paid         -> nothing open
#                 Beta   800 due 03-01, 300 paid     -> Bob, 500 open
#                 Beta   900 due 03-02, open         -> not overdue on 03-02
#   promises      Beta 500 by 02-27 + 3 grace days = 03-01, nothing paid
#                                                    -> Bob, broken
#                 Alpha 1200 by 02-27 + 3 = 03-01, paid in full on 02-28
#                 (the 400 invoice)                  -> kept
#
# Alice: 1 flag + 1 invoice = 2 items; Bob: 1 invoice + 1 promise = 2 items.
# On 03-03 (events of 03-02): Beta's 900 invoice only -> Bob alone, 1 item.
# On 03-04 (events of 03-03): nothing -> no digest at all.


@tagged("post_install", "-at_install")
class TestDigest(CreditReportsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company
        controller_groups = "base.group_user,credit_management.group_credit_controller"
        cls.alice = new_test_user(
            cls.env,
            login="digest_alice",
            email="alice@example.com",
            groups=controller_groups,
            company_id=company.id,
        )
        cls.bob = new_test_user(
            cls.env,
            login="digest_bob",
            email="bob@example.com",
            groups=controller_groups,
            company_id=company.id,
        )
        Partner = cls.env["res.partner"]
        cls.alpha = Partner.create(
            {"name": "Alpha Digest", "is_company": True, "user_id": cls.alice.id}
        )
        cls.beta = Partner.create(
            {"name": "Beta Digest", "is_company": True, "user_id": cls.bob.id}
        )
        Flag = cls.env["credit.habit.flag"]
        flag_vals = {
            "company_id": company.id,
            "baseline_median": 2.0,
            "recent_median": 20.0,
            "threshold": 5.0,
        }
        cls.flag_alpha = Flag.create(
            dict(flag_vals, partner_id=cls.alpha.id, date_detected="2024-03-01")
        )
        Flag.create(dict(flag_vals, partner_id=cls.beta.id, date_detected="2024-02-28"))
        Flag.create(
            dict(
                flag_vals,
                partner_id=cls.beta.id,
                date_detected="2024-03-01",
                state="acknowledged",
            )
        )

        inv = cls._create_invoice
        cls.alpha_new = inv(cls.alpha, 1200.0, "2024-01-31", "2024-03-01")
        inv(cls.alpha, 700.0, "2024-01-30", "2024-02-29")
        alpha_paid = inv(cls.alpha, 400.0, "2024-01-31", "2024-03-01")
        cls.beta_new = inv(cls.beta, 800.0, "2024-01-31", "2024-03-01")
        cls._pay(cls.beta_new, 300.0, "2024-02-15")
        cls.beta_next = inv(cls.beta, 900.0, "2024-02-01", "2024-03-02")

        Promise = cls.env["credit.dunning.promise"]
        cls.beta_promise = Promise.create(
            {
                "partner_id": cls.beta.id,
                "company_id": company.id,
                "move_ids": [fields.Command.set(cls.beta_new.ids)],
                "amount": 500.0,
                "date": "2024-02-27",
                "grace_days": 3,
            }
        )
        Promise.create(
            {
                "partner_id": cls.alpha.id,
                "company_id": company.id,
                "move_ids": [fields.Command.set(alpha_paid.ids)],
                "amount": 400.0,
                "date": "2024-02-27",
                "grace_days": 3,
            }
        )
        cls._pay(alpha_paid, 400.0, "2024-02-28")
        cls.env["ir.config_parameter"].sudo().set_param(DIGEST_PARAM, False)

    def _send(self, today):
        return self.env["credit.controller.digest"]._send_digests(today=today)

    def _mine(self, digests):
        return digests.filtered(lambda d: d.user_id in self.alice | self.bob)

    def test_digest_content(self):
        digests = self._mine(self._send("2024-03-02"))
        self.assertEqual(digests.user_id, self.alice | self.bob)
        alice = digests.filtered(lambda d: d.user_id == self.alice)
        bob = digests.filtered(lambda d: d.user_id == self.bob)
        self.assertRecordValues(
            alice | bob,
            [
                {
                    "date": date(2024, 3, 2),
                    "date_from": date(2024, 3, 1),
                    "date_to": date(2024, 3, 1),
                    "line_count": 2,
                },
                {
                    "date": date(2024, 3, 2),
                    "date_from": date(2024, 3, 1),
                    "date_to": date(2024, 3, 1),
                    "line_count": 2,
                },
            ],
        )
        self.assertEqual(
            [(line.section, line.res_model, line.res_id) for line in alice.line_ids],
            [
                ("habit_flags", "credit.habit.flag", self.flag_alpha.id),
                ("overdue", "account.move", self.alpha_new.id),
            ],
        )
        self.assertEqual(
            [(line.section, line.res_model, line.res_id) for line in bob.line_ids],
            [
                ("overdue", "account.move", self.beta_new.id),
                ("broken_promises", "credit.dunning.promise", self.beta_promise.id),
            ],
        )
        currency = self.company.currency_id
        # Beta's invoice: 800 - 300 paid = 500 open.
        self.assertIn(currency.format(500.0), bob.line_ids[0].detail)

        # One e-mail each, in the mail queue, to the controller.
        mail = bob.mail_id
        self.assertEqual(mail.state, "outgoing")
        self.assertEqual(mail.recipient_ids, self.bob.partner_id)
        self.assertEqual(mail.subject, "Credit digest of 2024-03-02: 2 item(s)")
        self.assertIn("Invoices newly overdue", mail.body_html)
        self.assertIn("Broken promises to pay", mail.body_html)
        self.assertIn(self.beta_new.name, mail.body_html)
        self.assertNotIn("New payment habit changes", mail.body_html)
        self.assertIn(
            f"/odoo/credit.dunning.promise/{self.beta_promise.id}", mail.body_html
        )
        self.assertIn("New payment habit changes", alice.mail_id.body_html)

        # Never two digests the same day.
        self.assertFalse(self._mine(self._send("2024-03-02")))
        # The next day: only Beta's invoice due on 03-02, for Bob.
        next_day = self._mine(self._send("2024-03-03"))
        self.assertEqual(next_day.user_id, self.bob)
        self.assertEqual(next_day.line_ids.res_id, self.beta_next.id)
        self.assertEqual(next_day.date_from, date(2024, 3, 2))
        # Nothing new on 03-03: no digest, no e-mail.
        mails_before = self.env["mail.mail"].search_count([])
        self.assertFalse(self._mine(self._send("2024-03-04")))
        self.assertEqual(self.env["mail.mail"].search_count([]), mails_before)
        self.assertEqual(
            self.env["credit.controller.digest"]
            .sudo()
            .search_count([("user_id", "in", (self.alice | self.bob).ids)]),
            3,
        )

    def test_extra_section(self):
        """Another module adds a section by extending the list."""
        original = CreditControllerDigest._get_digest_sections

        def with_holds(self, user, date_from, date_to):
            sections = original(self, user, date_from, date_to)
            if user.login == "digest_alice":
                sections.append(
                    {
                        "key": "holds",
                        "title": "Holds waiting",
                        "sequence": 5,
                        "lines": [{"name": "Alpha Digest", "detail": "order S1"}],
                    }
                )
            return sections

        with patch.object(CreditControllerDigest, "_get_digest_sections", with_holds):
            digests = self._mine(self._send("2024-03-02"))
        alice = digests.filtered(lambda d: d.user_id == self.alice)
        # Sequence 5 puts the holds first: 1 hold + 1 flag + 1 invoice.
        self.assertEqual(
            alice.line_ids.mapped("section"), ["holds", "habit_flags", "overdue"]
        )
        self.assertIn("Holds waiting", alice.mail_id.body_html)

    def test_holds_waiting_section(self):
        # Beta is limited to 100.00 and Bob reviews the company's holds. Beta
        # owes 500.00 + 900.00 = 1,400.00 (see above); with an order of
        # 300.00, 1,700.00: 1,600.00 over. The hold waits, release requested.
        self.env.user.groups_id |= self.env.ref(
            "credit_management.group_credit_manager"
        )
        self.company.credit_hold_user_id = self.bob
        self.beta.with_company(self.company).write(
            {"credit_limit_mode": "custom", "credit_limit_amount": 100.0}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.beta.id,
                "company_id": self.company.id,
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": self.product_a.id,
                            "price_unit": 300.0,
                            "tax_id": [(5,)],
                        },
                    )
                ],
            }
        )
        order.action_confirm()
        hold = order.credit_hold_id
        hold._request_release("Customer pays on Friday")
        Digest = self.env["credit.controller.digest"]
        today = fields.Date.today()
        lines = Digest._get_digest_holds(self.bob, today)
        self.assertEqual(len(lines), 1)
        self.assertEqual(lines[0]["name"], f"{hold.name} ({order.name})")
        self.assertIn("$\xa0300.00, $\xa01,600.00 over the limit", lines[0]["detail"])
        self.assertIn("release requested", lines[0]["detail"])
        self.assertFalse(Digest._get_digest_holds(self.alice, today))
