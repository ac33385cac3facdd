# Run inside `odoo-bin shell` by serve_demo.sh while the demo server answers:
# renders the letters of the newest dunning run into one PDF, and its first
# page to PNG for a quick look. Letters are rendered one at a time and merged,
# because Debian's wkhtmltopdf (unpatched Qt) takes one document per call.
import os
import subprocess

from odoo.tools.pdf import merge_pdf

out = os.environ["DEMO_OUT"]
env["ir.config_parameter"].set_param("report.url", os.environ["REPORT_URL"])
run = env["credit.dunning.run"].search([("state", "=", "done")], limit=1)
Report = env["ir.actions.report"]
pages = [
    Report._render_qweb_pdf("credit_dunning.action_report_dunning_letter", [letter])[0]
    for letter in run.letter_ids.ids
]
if pages:
    path = os.path.join(out, "letters.pdf")
    with open(path, "wb") as handle:
        handle.write(merge_pdf(pages))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", path]
        + [os.path.join(out, "letter")],
        check=False,
    )
env.cr.commit()
