"""Print the one-screen summary of the demo database (JSON on stdin)."""

import json
import os
import sys

port, out_dir = sys.argv[1], sys.argv[2]
raw = sys.stdin.read().strip()
if not raw:
    sys.exit("The demo database has no summary: run `make clean-db run`.")
data = json.loads(raw)
letters = os.path.join(out_dir, "letters.pdf")
levels = ", ".join(f"{n} {name}" for name, n in data["letters_by_level"].items())
emails = data.get("dunning_emails", 0)
fees = data.get("dunning_fees", 0)
fee_amount = data.get("dunning_fee_amount", 0.0)
holds = ", ".join(f"{n} {state.lower()}" for state, n in data.get("holds", {}).items())
print(f"""
Credit management demo: real AR history, as of {data["as_of"]} (dates shifted)
Figures as the demo build left them:
  customers imported         {data["customers"]}
  posted invoices            {data["invoices"]}
  open invoices              {data["open"]} ({data["open_amount"]:,.2f})
  overdue invoices           {data["overdue"]} ({data["overdue_amount"]:,.2f})
  customers over limit       {data["over_limit"]}
  blocked order              {data["blocked_order"]} for {data["blocked_customer"]}
  accepted order             {data["accepted_order"]} for {data["accepted_customer"]}
  credit holds               {holds or "none"}
  payment habit changes      {", ".join(data.get("habit_flags", [])) or "none"}
  dunning run                {data["dunning_run"]}: {data["dunning_lines"]} lines, \
{data["dunning_letters"]} letters ({levels or "none"})
  emails queued              {emails} (a customer without email gets a letter)
  fees booked                {fees} ({fee_amount:,.2f})
  letters PDF                {letters if os.path.exists(letters) else "not rendered"}

Why {data["blocked_order"]} is on credit hold:
  {data["blocked_message"].strip().replace(chr(10), chr(10) + "  ")}

Log in at http://127.0.0.1:{port}/web/login as admin / admin (credit manager),
controller / controller (credit controller) or sales / sales (salesperson).
  Sales > Credit: my credit holds, customers over limit, limit requests
  Accounting > Credit Control > Credit Hold Queue: approve or reject holds
  Accounting > Credit Control: dunning runs, letters, aged receivables
Press Ctrl-C to stop the server.""")
