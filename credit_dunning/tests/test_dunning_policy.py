from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningPolicy(DunningCommon):
    def test_new_company_gets_standard_policy(self):
        company = self.env["res.company"].create({"name": "Dunning Test Co"})
        policy = company.credit_dunning_policy_id
        self.assertEqual(policy.name, "Standard reminders")
        self.assertEqual(policy.company_id, company)
        self.assertEqual(
            policy.level_ids.mapped(lambda lvl: (lvl.name, lvl.days_overdue)),
            [("First reminder", 10), ("Second reminder", 30), ("Final notice", 60)],
        )

    def test_level_days_must_be_positive(self):
        with self.assertRaisesRegex(ValidationError, "Right away"):
            self.env["credit.dunning.policy"].create(
                {
                    "name": "Eager",
                    "level_ids": [
                        Command.create({"name": "Right away", "days_overdue": 0})
                    ],
                }
            )

    def test_levels_must_wait_longer_one_after_another(self):
        with self.assertRaisesRegex(ValidationError, "Too early.*First"):
            self.env["credit.dunning.policy"].create(
                {
                    "name": "Backwards",
                    "level_ids": [
                        Command.create(
                            {"name": "First", "days_overdue": 10, "sequence": 1}
                        ),
                        Command.create(
                            {"name": "Too early", "days_overdue": 5, "sequence": 2}
                        ),
                    ],
                }
            )

    def test_levels_need_distinct_days(self):
        with self.assertRaisesRegex(ValidationError, "Twin.*same days past due"):
            self.env["credit.dunning.policy"].create(
                {
                    "name": "Twins",
                    "level_ids": [
                        Command.create(
                            {"name": "First", "days_overdue": 10, "sequence": 1}
                        ),
                        Command.create(
                            {"name": "Twin", "days_overdue": 10, "sequence": 2}
                        ),
                    ],
                }
            )

    def test_level_written_alone_is_checked(self):
        with self.assertRaisesRegex(ValidationError, "Second reminder"):
            self.level_2.days_overdue = 5

    def test_moving_several_levels_in_one_save(self):
        # 10/30/60 -> 10/70/90: after the first line alone the ladder would
        # read 10/70/60, which the check must not see.
        with Form(self.policy) as policy_form:
            with policy_form.level_ids.edit(1) as level_form:
                level_form.days_overdue = 70
            with policy_form.level_ids.edit(2) as level_form:
                level_form.days_overdue = 90
        self.assertEqual(self.policy.level_ids.mapped("days_overdue"), [10, 70, 90])

    def test_level_for_days(self):
        self.assertFalse(self.policy._get_level_for_days(9))
        self.assertEqual(self.policy._get_level_for_days(10), self.level_1)
        self.assertEqual(self.policy._get_level_for_days(59), self.level_2)
        self.assertEqual(self.policy._get_level_for_days(400), self.level_3)

    def test_archived_policy_sends_nothing(self):
        self._create_invoice(self.partner_a, 500.0, 20)
        self.policy.active = False
        self.assertFalse(self._new_run().line_ids)
