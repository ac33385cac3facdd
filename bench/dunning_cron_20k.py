# Benchmark of the daily dunning job on 20,000 overdue invoices.
#
# Run inside ``odoo-bin shell`` against a throw-away database (it commits):
#   ODOO_RC=var/odoo.conf .venv/bin/python $ODOO_SRC/odoo-bin shell \
#       -d DB < bench/dunning_cron_20k.py
# BENCH_INVOICES and BENCH_CUSTOMERS (environment) change the volume.
# See bench/README.md.
# ruff: noqa: F821 - ``env`` is given by ``odoo-bin shell``.
import os
import time
from datetime import timedelta

from odoo import Command, fields
from odoo.addons.credit_dunning.models.credit_dunning_run import CreditDunningRun

INVOICES = int(os.environ.get("BENCH_INVOICES", 20000))
CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", INVOICES // 10))
BATCH = 500

bench_env = env(
    context=dict(
        env.context,
        tracking_disable=True,
        mail_create_nolog=True,
        mail_notrack=True,
    )
)
company = bench_env.ref("base.main_company")
# Each email attaches the letter as a PDF: wkhtmltopdf must not fetch its
# stylesheets from whatever server listens on web.base.url.
env["ir.config_parameter"].set_param("report.url", "http://127.0.0.1:9")
today = fields.Date.context_today(bench_env["res.partner"])

# 1. Customers, with an email address so that reminders are queued emails.
# The mail queue is not processed here: nothing leaves the machine.
start = time.perf_counter()
partners = bench_env["res.partner"].create(
    [
        {
            "name": f"Bench Customer {n:05d}",
            "is_company": True,
            "email": f"bench-customer-{n:05d}@example.invalid",
            "lang": "en_US",
        }
        for n in range(CUSTOMERS)
    ]
)
env.cr.commit()
print(f"{CUSTOMERS} customers created in {time.perf_counter() - start:.1f}s")

# 2. Posted customer invoices, due 11 to 100 days ago: every level of the
# standard policy (10, 30 and 60 days) is reached.
start = time.perf_counter()
Move = bench_env["account.move"].with_company(company)
for first in range(0, INVOICES, BATCH):
    vals_list = []
    for n in range(first, min(first + BATCH, INVOICES)):
        due = today - timedelta(days=11 + n % 90)
        vals_list.append(
            {
                "move_type": "out_invoice",
                "partner_id": partners[n % CUSTOMERS].id,
                "invoice_date": due - timedelta(days=30),
                "invoice_date_due": due,
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Consulting",
                            "quantity": 1,
                            "price_unit": 100.0 + n % 400,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
    Move.create(vals_list).action_post()
    env.cr.commit()
    env.invalidate_all()
    done = min(first + BATCH, INVOICES)
    print(f"  {done} invoices posted, {time.perf_counter() - start:.1f}s", flush=True)
create_seconds = time.perf_counter() - start
print(
    f"{INVOICES} invoices created and posted in {create_seconds:.1f}s "
    f"({INVOICES / create_seconds:.0f}/s)"
)

# 3. The daily job, counting its commits (one per batch of customers).
commits = {"compute": 0, "send": 0}
# Seconds at which the proposal was done (the commit that sets "sending").
proposal_done = {"at": 0.0}
commit_progress = CreditDunningRun._commit_progress


def counting_commit_progress(self):
    phase = "send" if self.state == "sending" else "compute"
    commits[phase] += 1
    if phase == "send" and commits["send"] == 1:
        proposal_done["at"] = time.perf_counter() - start
    print(
        f"  {phase} batch {commits[phase]} committed at "
        f"{time.perf_counter() - start:.1f}s",
        flush=True,
    )
    return commit_progress(self)


CreditDunningRun._commit_progress = counting_commit_progress


def todays_run():
    return env["credit.dunning.run"].search(
        [
            ("company_id", "=", company.id),
            ("date", "=", today),
            ("is_scheduled", "=", True),
        ],
        limit=1,
    )


# Each call stops after its time budget and asks the scheduler for another
# call (``ir.cron._trigger``): here the calls are made one after the other,
# as the scheduler would, until no letter of today's run waits any more.
calls = 0
last_pending = None
try:
    start = time.perf_counter()
    while True:
        env["credit.dunning.run"]._cron_dunning_run()
        env.cr.commit()
        calls += 1
        pending = todays_run().letter_ids.filtered(
            lambda lt: lt.send_state == "pending"
        )
        print(
            f"  call {calls} done at {time.perf_counter() - start:.1f}s, "
            f"{len(pending)} letters pending",
            flush=True,
        )
        if not pending or len(pending) == last_pending:
            break
        last_pending = len(pending)
        env.invalidate_all()
    cron_seconds = time.perf_counter() - start
finally:
    CreditDunningRun._commit_progress = commit_progress

run = todays_run()
letters = run.letter_ids
print(f"Run {run.name}: state {run.state}")
print(f"  lines (invoices): {len(run.line_ids)}")
print(f"  letters: {len(letters)} for {len(letters.partner_id)} customers")
for state in ("pending", "queued", "sent", "error", "skipped"):
    count = len(letters.filtered(lambda lt, s=state: lt.send_state == s))
    if count:
        print(f"    {state}: {count}")
print(
    f"  batches committed: {commits['compute']} computing, "
    f"{commits['send']} sending, the first of which records the state "
    f"(batches of {run._get_batch_size()} customers to compute, "
    f"{run._get_send_batch_size()} to send)"
)
print(f"  cron calls: {calls}, seconds: {cron_seconds:.1f}")
sending_seconds = cron_seconds - proposal_done["at"]
print(
    f"  sending: {sending_seconds:.1f}s, "
    f"{sending_seconds / max(len(letters), 1):.3f}s per letter"
)
