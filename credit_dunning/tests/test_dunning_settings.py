from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningSettings(DunningCommon):
    """The company dunning settings on the Settings page."""

    @classmethod
    def get_default_groups(cls):
        # The Settings page is for administrators.
        return super().get_default_groups() | cls.env.ref("base.group_system")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fee_product = cls.env["product.product"].create(
            {"name": "Reminder charge", "type": "service"}
        )
        sales = cls.company_data["default_journal_sale"]
        cls.fee_journal = sales.copy(
            {
                "name": "Dunning Fees",
                "code": "DFEE",
                "sequence": sales.sequence + 10,
                "default_account_id": sales.default_account_id.id,
            }
        )
        cls.strict_policy = cls.env["credit.dunning.policy"].create(
            {
                "name": "Strict reminders",
                "company_id": cls.company.id,
                "level_ids": [
                    (0, 0, {"name": "Only reminder", "days_overdue": 5}),
                ],
            }
        )

    # The accounting test company has cash basis taxes and pricelists while
    # the settings' own defaults say otherwise: the Sales and Accounting
    # settings warn about that on the first onchange, not about dunning.
    @mute_logger("odoo.tests.form.onchange")
    def test_settings_form_stores_on_company(self):
        # Empty before: the module's product and the first sales journal
        # are used; the standard policy is the default.
        self.assertFalse(self.company.credit_dunning_fee_product_id)
        self.assertFalse(self.company.credit_dunning_fee_journal_id)
        settings = Form(self.env["res.config.settings"])
        self.assertEqual(settings.credit_dunning_policy_id, self.policy)
        settings.credit_dunning_policy_id = self.strict_policy
        settings.credit_dunning_fee_product_id = self.fee_product
        settings.credit_dunning_fee_journal_id = self.fee_journal
        settings.save().execute()
        self.assertRecordValues(
            self.company,
            [
                {
                    "credit_dunning_policy_id": self.strict_policy.id,
                    "credit_dunning_fee_product_id": self.fee_product.id,
                    "credit_dunning_fee_journal_id": self.fee_journal.id,
                }
            ],
        )
        self.assertEqual(
            self.company._credit_dunning_get_fee_journal(), self.fee_journal
        )
        # A new settings form shows what is stored.
        settings = Form(self.env["res.config.settings"])
        self.assertEqual(settings.credit_dunning_fee_journal_id, self.fee_journal)

    def test_settings_refuse_a_journal_that_is_not_for_sales(self):
        purchase = self.company_data["default_journal_purchase"]
        with self.assertRaises(ValidationError) as caught:
            self.company.credit_dunning_fee_journal_id = purchase
        message = str(caught.exception)
        self.assertIn("Dunning Fee Journal", message)
        self.assertIn(purchase.display_name, message)
        self.assertIn("a sales journal of this company", message)

    def test_settings_refuse_another_company_policy(self):
        company_2 = self.setup_other_company()["company"]
        with self.assertRaises(ValidationError) as caught:
            self.company.credit_dunning_policy_id = company_2.credit_dunning_policy_id
        self.assertIn("Default Dunning Policy", str(caught.exception))
