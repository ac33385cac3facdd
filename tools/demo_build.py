# Run by tools/build_demo.sh inside `odoo-bin shell` (which provides `env`),
# after the AR history was imported with its dates shifted so that the
# "as of" day is today. Sets limits, tries two orders, runs dunning, and
# stores a summary in the database. Commits at the end only.
import json
import logging

from dateutil.relativedelta import relativedelta

from odoo import fields

_logger = logging.getLogger("credit_demo")

company = env.company  # env is provided by odoo-bin shell
today = fields.Date.context_today(company)
Partner = env["res.partner"]
customers = Partner.search(
    [("ref", "!=", False), ("is_company", "=", True), ("customer_rank", ">", 0)]
)

# 1. Credit limits from each customer's own history.
env["credit.history.import"]._apply_history_limits(company, today)
over_limit = customers.filtered("credit_over_limit")

# 2. Orders: one for the customer with the most headroom, confirmed; one for
#    each customer over the limit, put on credit hold and taken through each
#    state of the hold queue by a salesperson and a credit controller.
product = env["product.product"].create(
    {"name": "Industrial supplies (demo)", "type": "service", "list_price": 100.0}
)
Users = env["res.users"].with_context(no_reset_password=True)
salesperson = Users.create(
    {
        "name": "Sam Seller",
        "login": "sales",
        "email": "sam.seller@example.com",
        "password": "sales",
        "groups_id": [(6, 0, [env.ref("sales_team.group_sale_salesman").id])],
    }
)
controller = Users.create(
    {
        "name": "Cora Controller",
        "login": "controller",
        "email": "cora.controller@example.com",
        "password": "controller",
        "groups_id": [
            (6, 0, [env.ref("credit_management.group_credit_controller").id])
        ],
    }
)
company.credit_hold_user_id = controller


def new_order(partner, quantity, user=None):
    return (
        env["sale.order"]
        .with_user(user or env.user)
        .create(
            {
                "partner_id": partner.id,
                "client_order_ref": "Credit demo",
                "order_line": [
                    (0, 0, {"product_id": product.id, "product_uom_qty": quantity}),
                ],
            }
        )
        .with_user(env.user)
    )


def margin(partner):
    return partner.credit_limit_effective - partner.credit_exposure_total


headroom_partner = max(customers.filtered("credit_has_limit"), key=margin)
accepted_order = new_order(headroom_partner, 1)
accepted_order.action_confirm()

held_orders = []
for partner in sorted(over_limit or customers, key=margin):
    order = new_order(partner, 1, salesperson)
    order.with_user(salesperson).action_confirm()
    if order.credit_hold_id:
        held_orders.append(order)
blocked_order = held_orders[0]
blocked_partner = blocked_order.partner_id
blocked_message = blocked_order.credit_hold_id.block_message
# What each hold goes through, in order of the customers' margin.
steps = ["requested", "pending", "approved", "released", "rejected", "expired"]
for order, step in zip(
    held_orders, steps + ["cancelled"] * len(held_orders), strict=False
):
    hold = order.credit_hold_id
    as_sales = hold.with_user(salesperson)
    as_controller = hold.with_user(controller)
    if step != "pending" and step != "cancelled":
        as_sales._request_release(
            "Regular customer; the open invoices are promised for this week."
        )
    if step in ("approved", "released", "expired"):
        as_controller._approve("Pays late but always pays; small order.")
    if step == "released":
        order.with_user(salesperson).action_confirm()
    elif step == "rejected":
        as_controller._reject("Oldest invoice is over 60 days late: collect first.")
    elif step == "expired":
        hold.sudo().release_expiry = today - relativedelta(days=1)
        env["credit.hold"]._cron_expire_releases()
    elif step == "cancelled":
        order.with_user(salesperson)._action_cancel()
holds = env["credit.hold"].search([])

# 3. The scheduled dunning job, as the daily cron runs it (it commits per
#    batch of customers).
env["credit.dunning.run"]._cron_dunning_run()
run = env["credit.dunning.run"].search(
    [("company_id", "=", company.id), ("date", "=", today)], limit=1
)

# 4. Payment-habit flags, KPIs of the last 18 months and risk classes, as
#    their daily jobs would have left them.
flags = env["credit.habit.flag"]._detect(company, today)
env["credit.kpi.snapshot"]._compute_months(
    company, today - relativedelta(months=18), today
)
env["res.partner"]._credit_compute_risk_classes(company, today)
# The portfolio dashboard, as its daily job leaves it.
portfolio = env["credit.portfolio.line"]._refresh(company, today)

# 5. PDFs need the running server for their stylesheets (see serve_demo.sh).
env["ir.config_parameter"].set_param("report.url", "http://127.0.0.1:8069")

invoices = env["account.move"].search(
    [("move_type", "=", "out_invoice"), ("state", "=", "posted")]
)
open_invoices = invoices.filtered(lambda move: move.amount_residual > 0)
overdue = open_invoices.filtered(lambda move: move.invoice_date_due < today)
summary = {
    "as_of": str(today),
    "customers": len(customers),
    "invoices": len(invoices),
    "open": len(open_invoices),
    "open_amount": round(sum(open_invoices.mapped("amount_residual")), 2),
    "overdue": len(overdue),
    "overdue_amount": round(sum(overdue.mapped("amount_residual")), 2),
    "over_limit": len(over_limit),
    "blocked_order": blocked_order.name,
    "blocked_customer": blocked_partner.display_name,
    "blocked_message": blocked_message,
    "holds": {
        label: len(holds.filtered(lambda h, st=state: h.state == st))
        for state, label in holds._fields["state"].selection
    },
    "accepted_order": accepted_order.name,
    "accepted_customer": headroom_partner.display_name,
    "habit_flags": [flag.partner_id.display_name for flag in flags],
    "portfolio_concentration": round(portfolio.concentration, 1),
    "dunning_run": run.name,
    "dunning_lines": len(run.line_ids),
    "dunning_letters": len(run.letter_ids),
    "dunning_emails": len(run.letter_ids.filtered(lambda lt: lt.channel == "email")),
    "dunning_fees": len(run.letter_ids.fee_move_id),
    "dunning_fee_amount": round(
        sum(run.letter_ids.fee_move_id.mapped("amount_total")), 2
    ),
    "letters_by_level": {
        level.name: len(run.letter_ids.filtered(lambda lt, lv=level: lt.level_id == lv))
        for level in run.letter_ids.level_id
    },
}
env["ir.config_parameter"].set_param("credit_demo.summary", json.dumps(summary))
env.cr.commit()
_logger.info("Credit demo built: %s", summary)
