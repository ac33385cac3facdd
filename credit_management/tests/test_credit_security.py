from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import CreditManagementCommon


@tagged("post_install", "-at_install")
class TestCreditSecurity(CreditManagementCommon):
    """Only credit managers set limits; salespeople read the figures."""

    def test_admin_is_credit_manager(self):
        admin = self.env.ref("base.user_admin")
        self.assertTrue(admin.has_group("credit_management.group_credit_manager"))
        self.assertTrue(
            self.credit_controller.has_group("account.group_account_invoice")
        )
        self.assertTrue(
            self.credit_manager.has_group("credit_management.group_credit_controller")
        )

    def test_salesperson_cannot_write_limit(self):
        self._set_limit(self.customer, "custom", 1000.0)
        customer = self.customer.with_user(self.salesman)
        with self.assertRaises(AccessError):
            customer.write({"credit_limit_amount": 5000.0})
        with self.assertRaises(AccessError):
            customer.write({"credit_limit_mode": "none"})
        # Sending the value it already has is not a change.
        customer.write({"credit_limit_amount": 1000.0, "name": "Azure Credit Co"})
        self.assertEqual(self.customer.credit_limit_amount, 1000.0)

    def test_salesperson_reads_exposure(self):
        # Limit 1,000.00, posted 400.00: the salesperson sees 600.00 left.
        self._set_limit(self.customer, "custom", 1000.0)
        self._create_invoice(self.customer, 400.0)
        customer = self.customer.with_user(self.salesman)
        self.assertEqual(customer.credit_exposure_total, 400.0)
        self.assertEqual(customer.credit_available, 600.0)

    def test_salesperson_cannot_create_with_limit(self):
        Partner = self.env["res.partner"].with_user(self.salesman)
        with self.assertRaises(AccessError):
            Partner.create({"name": "Limitless", "credit_limit_mode": "none"})
        # Defaults, as a form sends them, are accepted.
        partner = Partner.create(
            {
                "name": "Plain Customer",
                "credit_limit_mode": "company",
                "credit_limit_amount": 0.0,
            }
        )
        self.assertEqual(partner.credit_limit_mode, "company")

    def test_salesperson_adds_contact_to_limited_company(self):
        # The commercial sync copies the company's limit to the new contact.
        self._set_limit(self.customer, "custom", 300.0)
        contact = (
            self.env["res.partner"]
            .with_user(self.salesman)
            .create({"name": "Bob Azure", "parent_id": self.customer.id})
        )
        self.assertEqual(contact.credit_limit_amount, 300.0)
        self.assertEqual(contact.credit_limit_effective, 300.0)

    def test_controller_cannot_manager_can(self):
        with self.assertRaises(AccessError):
            self.customer.with_user(self.credit_controller).write(
                {"credit_limit_amount": 10.0}
            )
        self.customer.with_user(self.credit_manager).write(
            {"credit_limit_mode": "custom", "credit_limit_amount": 10.0}
        )
        self.assertEqual(self.customer.credit_limit_amount, 10.0)
        self.assertEqual(self.contact.credit_limit_amount, 10.0)

    def test_manager_sets_limit_in_form(self):
        # Limit 500.00 set in the form, 200.00 posted: 300.00 available is
        # shown before saving, and the contact follows after saving.
        self._create_invoice(self.customer, 200.0)
        customer = self.customer.with_user(self.credit_manager)
        with Form(customer) as partner_form:
            partner_form.credit_limit_mode = "custom"
            partner_form.credit_limit_amount = 500.0
            self.assertTrue(partner_form.credit_has_limit)
            self.assertEqual(partner_form.credit_limit_effective, 500.0)
            self.assertEqual(partner_form.credit_available, 300.0)
        self.assertEqual(self.contact.credit_limit_effective, 500.0)
        self.assertEqual(self.contact.credit_available, 300.0)

    def test_limit_change_logged_in_chatter(self):
        # From the company default (none set: no limit) to 1,000.00.
        self._set_limit(self.customer, "custom", 1000.0)
        message = self.customer.message_ids[:1]
        self.assertIn("from no limit to $&nbsp;1,000.00", message.body)
        self.assertFalse(
            self.contact.message_ids.filtered(lambda m: "Credit limit" in m.body)
        )
