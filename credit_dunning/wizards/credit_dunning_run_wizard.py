from odoo import fields, models


class CreditDunningRunWizard(models.TransientModel):
    """Start a dunning run for a company and a date, and compute it."""

    _name = "credit.dunning.run.wizard"
    _description = "Start a Dunning Run"
    _check_company_auto = True

    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        help="Invoices due strictly before this date are overdue.",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.companies.ids)],
    )

    def _prepare_run_vals(self):
        self.ensure_one()
        return {"date": self.date, "company_id": self.company_id.id}

    def action_create_run(self):
        self.ensure_one()
        run = (
            self.env["credit.dunning.run"]
            .with_company(self.company_id)
            .create(self._prepare_run_vals())
        )
        run.action_compute()
        return {
            "type": "ir.actions.act_window",
            "name": run.name,
            "res_model": "credit.dunning.run",
            "res_id": run.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
