from odoo import api, models

# The letter prints no script of its own: the only scripts of the layout are
# the page-number substitutions of the header and footer, which run when
# each page loads, not after a delay.
NO_SCRIPT_DELAY_REPORTS = ("credit_dunning.report_dunning_letter",)


class IrActionsReport(models.Model):
    """Render the dunning letter without wkhtmltopdf's script delay."""

    _inherit = "ir.actions.report"

    @api.model
    def _run_wkhtmltopdf(
        self,
        bodies,
        report_ref=False,
        header=None,
        footer=None,
        landscape=False,
        specific_paperformat_args=None,
        set_viewport_size=False,
    ):
        # Odoo waits ``report.print_delay`` (1 s by default) in every
        # wkhtmltopdf call for the report's scripts to finish: most of the
        # time a reminder email takes, and the letter has none to wait for.
        report = self
        if (
            report_ref
            and self._get_report(report_ref).report_name in NO_SCRIPT_DELAY_REPORTS
        ):
            report = self.with_context(credit_dunning_no_script_delay=True)
        return super(IrActionsReport, report)._run_wkhtmltopdf(
            bodies,
            report_ref=report_ref,
            header=header,
            footer=footer,
            landscape=landscape,
            specific_paperformat_args=specific_paperformat_args,
            set_viewport_size=set_viewport_size,
        )

    @api.model
    def _build_wkhtmltopdf_args(
        self,
        paperformat_id,
        landscape,
        specific_paperformat_args=None,
        set_viewport_size=False,
    ):
        args = super()._build_wkhtmltopdf_args(
            paperformat_id,
            landscape,
            specific_paperformat_args=specific_paperformat_args,
            set_viewport_size=set_viewport_size,
        )
        if self.env.context.get("credit_dunning_no_script_delay"):
            args = list(args)
            for index, arg in enumerate(args[:-1]):
                if arg == "--javascript-delay":
                    args[index + 1] = "0"
        return args
