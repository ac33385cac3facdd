from odoo import api, models


class ResPartner(models.Model):
    """Who among the credit controllers follows a customer."""

    _inherit = "res.partner"

    @api.model
    def _credit_get_company_controllers(self, company):
        """Return the internal credit controllers (managers included) who may
        work in ``company``, oldest user first."""
        group = self.env.ref("credit_management.group_credit_controller")
        return self.env["credit.hold"]._credit_get_authorized_users(company, group)

    def _credit_get_controller(self, company, preferred=None, controllers=None):
        """Return the credit controller who follows this customer in
        ``company``. Hook.

        The customer's own credit controller when one is set; else the
        first of ``preferred`` (say, an invoice's salesperson) and the
        customer's salesperson who is a credit controller of the company;
        else the company's hold reviewer, else its first credit controller;
        else ``preferred``, the salesperson or the current user, so that
        someone is always named.

        :param controllers: the company's controllers, when the caller
            already has them (see :meth:`_credit_get_company_controllers`)
        """
        self.ensure_one()
        commercial = self.commercial_partner_id.sudo().with_company(company)
        if commercial.credit_controller_id.active:
            return commercial.credit_controller_id.with_env(self.env)
        if controllers is None:
            controllers = self._credit_get_company_controllers(company)
        salesperson = commercial.user_id
        for user in (preferred, salesperson):
            if user and user in controllers:
                return user.with_env(self.env)
        reviewer = company.sudo().credit_hold_user_id
        if reviewer.active and reviewer in controllers:
            return reviewer.with_env(self.env)
        fallback = controllers[:1] or preferred or salesperson or self.env.user
        return fallback.with_env(self.env)
