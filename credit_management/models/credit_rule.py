from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.misc import formatLang

RISK_CLASSES = [
    ("a", "A - Low risk"),
    ("b", "B - Moderate risk"),
    ("c", "C - High risk"),
    ("d", "D - Very high risk"),
]


class CreditRule(models.Model):
    """A condition that warns about or blocks the confirmation of an order."""

    _name = "credit.rule"
    _description = "Credit Rule"
    _inherit = ["mail.thread"]
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    rule_type = fields.Selection(
        selection="_get_rule_types",
        string="Condition",
        required=True,
        tracking=True,
        default="limit",
    )
    action = fields.Selection(
        selection=[("warn", "Warn"), ("block", "Block")],
        required=True,
        tracking=True,
        default="block",
        help="Warn: the order can be confirmed, a note is posted on it.\n"
        "Block: the order cannot be confirmed.",
    )
    threshold_amount = fields.Monetary(
        string="Amount Threshold",
        tracking=True,
        currency_field="currency_id",
        help="In company currency. Overdue amount: the rule fires above this "
        "amount. Single order amount: the largest order allowed.",
    )
    threshold_days = fields.Integer(
        string="Days Threshold",
        tracking=True,
        help="The rule fires when the oldest overdue item is more than this "
        "number of days past its due date (zero: any overdue item).",
    )
    risk_class = fields.Selection(
        selection=RISK_CLASSES,
        string="Risk Class",
        tracking=True,
        help="Apply the rule only to customers of this risk class. Empty: "
        "apply it to every customer.",
    )
    needs_amount = fields.Boolean(compute="_compute_needs_threshold")
    needs_days = fields.Boolean(compute="_compute_needs_threshold")

    @api.depends("rule_type")
    def _compute_needs_threshold(self):
        for rule in self:
            needed = rule._get_threshold_field()
            rule.needs_amount = needed == "threshold_amount"
            rule.needs_days = needed == "threshold_days"

    @api.constrains("rule_type", "threshold_amount", "threshold_days")
    def _check_threshold(self):
        for rule in self:
            if rule.threshold_amount < 0 or rule.threshold_days < 0:
                raise ValidationError(
                    self.env._(
                        "The thresholds of the credit rule %(rule)s cannot be "
                        "negative.",
                        rule=rule.display_name,
                    )
                )
            needed = rule._get_threshold_field()
            # A zero amount would fire on any overdue cent or block every
            # order: that is what the limit (zero = payment in advance) or
            # the overdue days rule (zero = any overdue item) are for.
            if needed == "threshold_amount" and not rule.threshold_amount:
                raise ValidationError(
                    self.env._(
                        "The credit rule %(rule)s needs a positive %(field)s.",
                        rule=rule.display_name,
                        field=rule._fields["threshold_amount"].get_description(
                            self.env
                        )["string"],
                    )
                )

    # -------------------------------------------------------------------------
    # Hooks
    # -------------------------------------------------------------------------

    @api.model
    def _get_rule_types(self):
        """Return the conditions a rule can test, as selection pairs.

        Meant to be extended: an addon adds ``(key, label)`` and a method
        ``_evaluate_<key>(decision)`` (see :meth:`_evaluate`), and, when the
        condition needs a threshold, extends :meth:`_get_threshold_field`.
        """
        return [
            ("limit", self.env._("Credit limit exceeded")),
            ("overdue_amount", self.env._("Overdue amount above")),
            ("overdue_days", self.env._("Oldest overdue item older than")),
            ("order_amount", self.env._("Single order above")),
            ("no_limit", self.env._("Customer without credit limit")),
            ("manual_hold", self.env._("Manual credit hold")),
        ]

    def _get_threshold_field(self):
        """Return the name of the threshold field the condition needs, if any.

        Meant to be extended together with :meth:`_get_rule_types`.
        """
        self.ensure_one()
        return {
            "overdue_amount": "threshold_amount",
            "order_amount": "threshold_amount",
            "overdue_days": "threshold_days",
        }.get(self.rule_type)

    def _get_needed_facts(self):
        """Return the optional facts (e.g. ``"overdue"``) the rules need.

        :meth:`res.partner._credit_evaluate` computes only these, to spare a
        query when no rule looks at them. Meant to be extended.
        """
        facts = set()
        if set(self.mapped("rule_type")) & {"overdue_amount", "overdue_days"}:
            facts.add("overdue")
        return facts

    # -------------------------------------------------------------------------
    # Evaluation
    # -------------------------------------------------------------------------

    def _applies_to(self, decision):
        """Return whether the rule concerns the decision's customer."""
        self.ensure_one()
        return not self.risk_class or self.risk_class == decision["risk_class"]

    def _evaluate(self, decision):
        """Evaluate the rule for a decision being built.

        Dispatches to ``_evaluate_<rule_type>(decision)``, which returns a
        dict with ``fired`` (bool), ``value`` (measured), ``threshold`` and
        ``message`` (a sentence explaining the measure). ``decision`` is the
        dict built by ``res.partner._credit_evaluate``.

        :return: the rule result: the evaluator's dict plus ``rule``,
            ``rule_type``, ``name`` and ``result`` (``pass``, ``warn`` or
            ``block``).
        """
        self.ensure_one()
        evaluator = getattr(self, f"_evaluate_{self.rule_type}")
        values = {"value": None, "threshold": None, "message": ""}
        values.update(evaluator(decision))
        values.update(
            rule=self,
            rule_type=self.rule_type,
            name=self.name,
            result=self.action if values["fired"] else "pass",
        )
        return values

    def _fmt(self, decision, amount):
        return formatLang(self.env, amount, currency_obj=decision["currency"])

    def _get_limit_tolerance(self, decision):
        """Return the tolerance (percent) over the limit for the decision's
        customer, and a sentence when it differs from the company's. Hook."""
        return decision["company"].credit_limit_tolerance or 0.0, ""

    def _evaluate_limit(self, decision):
        limit = decision["limit"]
        exposure = decision["exposure"]
        if limit is None:
            return {"fired": False, "message": self.env._("No credit limit.")}
        currency = decision["currency"]
        tolerance, tolerance_note = self._get_limit_tolerance(decision)
        allowed = currency.round(limit * (1.0 + tolerance / 100.0))
        total = exposure["total"]
        # An order that adds nothing cannot raise the risk, even for a
        # customer who is already over the limit.
        adds_risk = (
            not decision["order"] or currency.compare_amounts(exposure["order"], 0) > 0
        )
        fired = adds_risk and currency.compare_amounts(total, allowed) > 0
        fmt = self._fmt
        message = self.env._(
            "credit limit %(limit)s, current exposure %(exposure)s (open "
            "receivables %(receivable)s, draft invoices %(draft)s, uninvoiced "
            "orders %(orders)s), order amount %(amount)s: %(total)s in total, "
            "%(excess)s over the limit.",
            limit=fmt(decision, limit),
            exposure=fmt(decision, total - exposure["order"]),
            receivable=fmt(decision, exposure["receivable"]),
            draft=fmt(decision, exposure["draft_invoices"]),
            orders=fmt(decision, exposure["orders"]),
            amount=fmt(decision, exposure["order"]),
            total=fmt(decision, total),
            excess=fmt(decision, max(total - limit, 0.0)),
        )
        if tolerance:
            message += " " + self.env._(
                "Tolerance %(tolerance)s%%: up to %(allowed)s accepted.",
                tolerance=tolerance,
                allowed=fmt(decision, allowed),
            )
        if tolerance_note:
            message += " " + tolerance_note
        return {
            "fired": fired,
            "value": total,
            "threshold": allowed,
            "message": message,
        }

    def _evaluate_overdue_amount(self, decision):
        overdue = decision["overdue"]["amount"]
        return {
            "fired": decision["currency"].compare_amounts(
                overdue, self.threshold_amount
            )
            > 0,
            "value": overdue,
            "threshold": self.threshold_amount,
            "message": self.env._(
                "overdue amount %(amount)s, %(threshold)s allowed.",
                amount=self._fmt(decision, overdue),
                threshold=self._fmt(decision, self.threshold_amount),
            ),
        }

    def _evaluate_overdue_days(self, decision):
        days = decision["overdue"]["oldest_days"]
        return {
            "fired": days > self.threshold_days,
            "value": days,
            "threshold": self.threshold_days,
            "message": self.env._(
                "oldest overdue item %(days)s days past due, %(threshold)s "
                "days allowed.",
                days=days,
                threshold=self.threshold_days,
            ),
        }

    def _evaluate_order_amount(self, decision):
        amount = decision["exposure"]["order"]
        return {
            "fired": decision["currency"].compare_amounts(amount, self.threshold_amount)
            > 0,
            "value": amount,
            "threshold": self.threshold_amount,
            "message": self.env._(
                "order amount %(amount)s, at most %(threshold)s per order.",
                amount=self._fmt(decision, amount),
                threshold=self._fmt(decision, self.threshold_amount),
            ),
        }

    def _evaluate_no_limit(self, decision):
        return {
            "fired": decision["limit"] is None,
            "message": self.env._("the customer has no credit limit."),
        }

    def _evaluate_manual_hold(self, decision):
        partner = decision["partner"]
        reason = partner.credit_hold_reason
        if not partner.credit_hold:
            message = self.env._("the customer is not on manual credit hold.")
        elif reason:
            message = self.env._(
                "the customer is on credit hold (%(reason)s).", reason=reason
            )
        else:
            message = self.env._("the customer is on credit hold.")
        return {
            "fired": bool(partner.credit_hold),
            "value": bool(partner.credit_hold),
            "message": message,
        }

    # -------------------------------------------------------------------------
    # Default rules
    # -------------------------------------------------------------------------

    @api.model
    def _prepare_default_rule_vals(self, company):
        return {
            "name": self.env._("Credit limit"),
            "company_id": company.id,
            "rule_type": "limit",
            "action": "block",
            "sequence": 10,
        }
