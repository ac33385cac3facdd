"""Payment-habit changes found on the real AR history, replayed month by month.

The rule is computed a second time here, in plain Python on the CSV, without
the addon's code: for each customer, its invoices settled on or before the
month end, ordered by settlement date (then invoice date, then days late);
the last 6 are the recent window, the ones before the baseline (at least 8).
Flag when median(recent) - median(baseline) > max(3 x 1.4826 x MAD(baseline),
5), with days late = max(0, SettledDate - DueDate). A customer flagged once
keeps its open flag and is not flagged again in later months.
"""

import calendar
from datetime import date
from statistics import median

import ar_history

from odoo.tests.common import TransactionCase, tagged

# Month ends replayed: 2012-07-31 ... 2013-06-30 (the import's as-of day).
MONTH_ENDS = [
    date(year, month, calendar.monthrange(year, month)[1])
    for year, month in [(2012, m) for m in range(7, 13)]
    + [(2013, m) for m in range(1, 7)]
]


def _days_late(row):
    return max(0, (row.settled_date - row.due_date).days)


def expected_flags():
    """Return {customerID: (month end, baseline median, recent median,
    invoice numbers of the recent window)} for the first month end at which
    each customer's habit changed."""
    flags = {}
    for as_of in MONTH_ENDS:
        paid = {}
        for row in ar_history.load_rows():
            if row.settled_date <= as_of:
                paid.setdefault(row.customer, []).append(row)
        for customer, rows in paid.items():
            if customer in flags or len(rows) < 6 + 8:
                continue
            rows.sort(key=lambda r: (r.settled_date, r.invoice_date, _days_late(r)))
            baseline = [_days_late(r) for r in rows[:-6]]
            recent = [_days_late(r) for r in rows[-6:]]
            usual = median(baseline)
            spread = 1.4826 * median(abs(days - usual) for days in baseline)
            if median(recent) - usual > max(3 * spread, 5):
                flags[customer] = (
                    as_of,
                    float(usual),
                    float(median(recent)),
                    sorted(r.number for r in rows[-6:]),
                )
    return flags


@tagged("standard", "post_install", "-at_install")
class TestPaymentHabits(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.expected = expected_flags()

    def test_replay_flags_match_the_file(self):
        flags = self.env["credit.habit.flag"]
        found = {}
        for as_of in MONTH_ENDS:
            for flag in flags._detect(self.company, as_of):
                found[flag.partner_id.ref] = (
                    flag.date_detected,
                    flag.baseline_median,
                    flag.recent_median,
                    sorted(flag.move_ids.mapped("ref")),
                )
        # The file does hold habit changes: the test would be empty otherwise.
        self.assertTrue(self.expected)
        self.assertEqual(found, self.expected)

    def test_flag_explains_itself_on_the_customer(self):
        for as_of in MONTH_ENDS:
            self.env["credit.habit.flag"]._detect(self.company, as_of)
        flags = self.env["credit.habit.flag"].search(
            [("company_id", "=", self.company.id)]
        )
        self.assertEqual(len(flags), len(self.expected))
        for flag in flags:
            self.assertEqual(flag.state, "open")
            self.assertIn(f"{flag.recent_median:.1f} days late", flag.explanation)
            self.assertIn(
                flag.explanation,
                flag.partner_id.message_ids.mapped(lambda m: m.body.striptags()),
            )
            self.assertTrue(
                flag.partner_id.activity_ids.filtered(
                    lambda a: a.summary == "Payment habit changed"
                )
            )
