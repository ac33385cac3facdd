from odoo import api, fields, models
from odoo.tools.misc import format_date


class CreditAgingWizard(models.TransientModel):
    """Choose a date and a company, then view or print the aged receivables."""

    _name = "credit.aging.wizard"
    _description = "Build Aged Receivables"

    as_of_date = fields.Date(
        string="As of",
        required=True,
        default=fields.Date.context_today,
        help="Receivables are aged as they stood at the end of this day: "
        "payments and reconciliations dated later are ignored.",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        default=lambda self: self.env.company,
    )

    def action_open_lines(self):
        """Build the snapshot and open it in pivot, list and graph views."""
        self.ensure_one()
        self._build_lines()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "credit_reports.credit_aging_line_action"
        )
        action["name"] = self.env._(
            "Aged Receivables as of %(date)s",
            date=format_date(self.env, self.as_of_date),
        )
        action["domain"] = self._get_line_domain()
        action["target"] = "main"
        return action

    def action_print_pdf(self):
        """Build the snapshot and print one row per customer."""
        self.ensure_one()
        self._build_lines()
        return self.env.ref("credit_reports.action_report_credit_aging").report_action(
            self
        )

    def _build_lines(self):
        self.ensure_one()
        return self.env["credit.aging.line"]._build(self.company_id, self.as_of_date)

    def _get_line_domain(self):
        self.ensure_one()
        return [
            ("as_of_date", "=", fields.Date.to_string(self.as_of_date)),
            ("company_id", "=", self.company_id.id),
            ("create_uid", "=", self.env.uid),
        ]

    @api.model
    def _get_bucket_fields(self):
        """Return ``(bucket key, label, amount field)`` in column order."""
        field = self.env["credit.aging.line"]._fields["bucket"]
        return [
            (key, label, f"amount_{key}")
            for key, label in field._description_selection(self.env)
        ]

    def _get_report_rows(self):
        """Return the per-customer rows and the totals row of the PDF.

        Each row is a dict with ``partner`` (a record, maybe empty), one key
        per bucket and ``total``; reads the snapshot built last for this
        wizard's company and date.
        """
        self.ensure_one()
        buckets = self._get_bucket_fields()
        aggregates = [f"{field}:sum" for __, __, field in buckets]
        groups = self.env["credit.aging.line"]._read_group(
            self._get_line_domain(),
            groupby=["partner_id"],
            aggregates=[*aggregates, "amount_residual:sum"],
        )
        rows = []
        for partner, *amounts in groups:
            row = {"partner": partner, "total": amounts[-1]}
            row.update(
                (key, amount)
                for (key, __, __), amount in zip(buckets, amounts, strict=False)
            )
            rows.append(row)
        rows.sort(key=lambda row: (not row["partner"], row["partner"].name or ""))
        totals = {
            key: sum(row[key] for row in rows)
            for key in [*(key for key, __, __ in buckets), "total"]
        }
        return rows, totals
