from unittest.mock import patch

from odoo.addons.base.models import ir_actions_report
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningLetter(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 1,000 with 400 paid, 20 days late: a first reminder for 600.00.
        cls.invoice = cls._create_invoice(cls.partner_a, 1000.0, 20)
        cls._pay(cls.invoice, 400.0)

    def _letter(self):
        run = self._new_run()
        self.assertEqual(len(run.letter_ids), 1)
        return run.letter_ids

    def test_total_in_words(self):
        letter = self._letter()
        self.assertEqual(letter.amount_total, 600.0)
        self.assertIn("Six Hundred", letter.amount_total_words)

    def test_total_in_words_uses_partner_language(self):
        # num2words in French: 600 -> "six cents".
        self.env["res.lang"]._activate_lang("fr_FR")
        self.partner_a.lang = "fr_FR"
        letter = self._letter()
        self.assertIn("Six Cents", letter.amount_total_words)

    def test_letter_html_lists_invoice_and_total(self):
        letter = self._letter()
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "credit_dunning.action_report_dunning_letter", letter.ids
        )
        html = html.decode()
        for expected in (
            self.invoice.name,
            self.invoice.ref,
            "First reminder",
            "600.00",
            "1,000.00",
            "Six Hundred",
            self.level_1.letter_intro[:40],
        ):
            self.assertIn(expected, html)

    # The wkhtmltopdf build installed here uses unpatched Qt and reports on
    # stderr the header/footer switches it ignores; Odoo logs that stderr as
    # a warning, which says nothing about the letter itself.
    @mute_logger("odoo.addons.base.models.ir_actions_report")
    def test_letter_pdf_renders(self):
        letter = self._letter()
        # wkhtmltopdf fetches the stylesheets from report.url. The test server
        # would build them in a transaction that waits on this test's own
        # uncommitted one, so point it at a closed port and print unstyled.
        self.env["ir.config_parameter"].set_param("report.url", "http://127.0.0.1:9")
        pdf, report_type = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("credit_dunning.action_report_dunning_letter", letter.ids)
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_print_actions(self):
        letter = self._letter()
        # Without a document layout, admins are first sent to the layout
        # configurator; the report action itself is what is checked here.
        run = letter.run_id.with_context(discard_logo_check=True)
        action = run.action_print_letters()
        self.assertEqual(action["report_name"], "credit_dunning.report_dunning_letter")
        self.assertEqual(action["context"]["active_ids"], letter.ids)
        action = letter.with_context(discard_logo_check=True).action_print()
        self.assertEqual(action["context"]["active_ids"], letter.ids)

    def test_access_rights(self):
        letter = self._letter()
        run = letter.run_id
        billing = new_test_user(
            self.env, login="dun_billing", groups="account.group_account_invoice"
        )
        controller = new_test_user(
            self.env,
            login="dun_controller",
            groups="credit_management.group_credit_controller",
        )
        # Billing reads runs and letters, changes nothing.
        self.assertEqual(run.with_user(billing).letter_ids.amount_total, 600.0)
        with self.assertRaises(AccessError):
            run.with_user(billing).action_compute()
        # Controllers compute and confirm but do not delete.
        run.with_user(controller).action_compute()
        run.with_user(controller).action_confirm()
        self.assertEqual(self.invoice.credit_dunning_level_id, self.level_1)
        with self.assertRaises(AccessError):
            self._new_run(compute=False).with_user(controller).unlink()
        with self.assertRaises(AccessError):
            self.policy.with_user(controller).name = "Renamed"

    @mute_logger("odoo.addons.base.models.ir_actions_report")
    def test_letter_pdf_without_script_delay(self):
        # Odoo waits report.print_delay (here its default, 1000 ms) for the
        # scripts of a report; the letter has none: its wkhtmltopdf call
        # waits 0 ms, other reports keep the delay.
        letter = self._letter()
        Report = self.env["ir.actions.report"]
        self.env["ir.config_parameter"].set_param("report.url", "http://127.0.0.1:9")
        self.env["ir.config_parameter"].set_param("report.print_delay", "1000")
        commands = []
        real_popen = ir_actions_report.subprocess.Popen

        def spy_popen(args, *pargs, **kwargs):
            commands.append(list(args))
            return real_popen(args, *pargs, **kwargs)

        with patch.object(ir_actions_report.subprocess, "Popen", spy_popen):
            pdf, _type = Report.with_context(
                force_report_rendering=True
            )._render_qweb_pdf(
                "credit_dunning.action_report_dunning_letter", letter.ids
            )
        self.assertTrue(pdf.startswith(b"%PDF"))
        [command] = [cmd for cmd in commands if "--javascript-delay" in cmd]
        delay = command[command.index("--javascript-delay") + 1]
        self.assertEqual(delay, "0")
        # Any other report: the arguments keep Odoo's delay.
        paperformat = self.env.company.paperformat_id
        args = Report._build_wkhtmltopdf_args(paperformat, False)
        self.assertEqual(args[args.index("--javascript-delay") + 1], "1000")
