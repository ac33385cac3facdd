from odoo.exceptions import AccessError

# Amounts that Odoo computes and the credit exposure reads. They are stored,
# so the ORM would let a client write them and shrink a customer's exposure:
# only server code (superuser mode) may.
CREDIT_COMPUTED_FIELDS = {
    "sale.order": {"amount_total", "amount_untaxed", "amount_tax", "currency_rate"},
    "sale.order.line": {"price_total", "price_subtotal", "price_tax", "qty_invoiced"},
    "account.move": {
        "amount_total",
        "amount_total_signed",
        "amount_residual",
        "amount_residual_signed",
    },
    "account.move.line": {"amount_residual", "amount_residual_currency", "reconciled"},
    # The credit entity of a customer follows its parent and company flag.
    "res.partner": {"commercial_partner_id"},
}


def refuse_computed_writes(records, vals_list):
    """Raise when a client sends a value for a computed amount of ``records``'
    model that the credit exposure relies on."""
    if records.env.su:
        return
    guarded = CREDIT_COMPUTED_FIELDS.get(records._name, set())
    for vals in vals_list:
        sent = guarded & vals.keys()
        if sent:
            field = records._fields[sorted(sent)[0]]
            raise AccessError(
                records.env._(
                    "%(field)s of %(model)s is computed by Odoo and cannot be written.",
                    field=field.get_description(records.env)["string"],
                    model=records._description,
                )
            )
