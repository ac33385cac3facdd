"""Expected figures of the real AR history, worked out from the CSV alone.

The end-to-end tests compare the ledger that ``credit_import`` built with
what the file says, so every expected value comes from here and none is
copied from elsewhere. Amounts are summed as decimals to avoid float drift.
"""

import csv
import math
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CSV_PATH = Path(
    os.environ.get("CREDIT_AR_CSV")
    or ROOT.parent / "shared" / "data" / "ar_late_payments.csv"
)
# The e2e database is imported as of this day, without any date shift.
AS_OF = date.fromisoformat(os.environ.get("CREDIT_AS_OF", "2013-06-30"))
CENT = Decimal("0.01")


@dataclass(frozen=True)
class HistoryRow:
    """One invoice of the history file."""

    customer: str
    country_code: str
    number: str
    invoice_date: date
    due_date: date
    amount: Decimal
    settled_date: date

    def is_issued(self, as_of):
        return self.invoice_date <= as_of

    def is_open(self, as_of):
        return self.is_issued(as_of) and self.settled_date > as_of

    def is_overdue(self, as_of):
        return self.is_open(as_of) and self.due_date < as_of

    def days_overdue(self, as_of):
        return (as_of - self.due_date).days


def _date(value):
    return datetime.strptime(value, "%d/%m/%Y").date()


@cache
def load_rows(path=CSV_PATH):
    """Return the rows of the history file as a tuple of HistoryRow."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return tuple(
            HistoryRow(
                customer=row["customerID"],
                country_code=row["countrycode"],
                number=row["invoiceNumber"],
                invoice_date=_date(row["InvoiceDate"]),
                due_date=_date(row["DueDate"]),
                amount=Decimal(row["InvoiceAmount"]),
                settled_date=_date(row["SettledDate"]),
            )
            for row in csv.DictReader(handle)
        )


def issued(as_of=AS_OF):
    return [row for row in load_rows() if row.is_issued(as_of)]


def open_rows(as_of=AS_OF):
    return [row for row in load_rows() if row.is_open(as_of)]


def overdue_rows(as_of=AS_OF):
    return [row for row in load_rows() if row.is_overdue(as_of)]


def total(rows):
    """Sum of the amounts of rows, as a float rounded to the cent."""
    return float(sum((row.amount for row in rows), Decimal(0)).quantize(CENT))


def open_by_customer(as_of=AS_OF):
    """Open amount of each customer that had an invoice by as_of (0 included)."""
    amounts = {row.customer: Decimal(0) for row in issued(as_of)}
    for row in open_rows(as_of):
        amounts[row.customer] += row.amount
    return amounts


def suggested_limits(as_of=AS_OF):
    """The demo's limit rule, for each customer that had an invoice by as_of.

    Twice the average monthly amount invoiced in (as_of - 365 days, as_of],
    rounded to the cent, then up to the next multiple of 50; 0 without any
    invoice in that window.
    """
    start = as_of - timedelta(days=365)
    invoiced = {row.customer: Decimal(0) for row in issued(as_of)}
    for row in issued(as_of):
        if row.invoice_date > start:
            invoiced[row.customer] += row.amount
    return {
        customer: 50.0
        * math.ceil((2 * amount / 12).quantize(CENT, rounding=ROUND_HALF_UP) / 50)
        for customer, amount in invoiced.items()
    }


def expected_dunning(level_days, as_of=AS_OF):
    """Overdue invoices that reached a level on as_of, with that level's delay.

    :param level_days: the delays (days past due) of the policy's levels
    :return: dict invoice number -> (days overdue, delay of the level reached)
    """
    expected = {}
    for row in overdue_rows(as_of):
        days = row.days_overdue(as_of)
        reached = [delay for delay in level_days if delay <= days]
        if reached:
            expected[row.number] = (days, max(reached))
    return expected
