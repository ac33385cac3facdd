#!/usr/bin/env bash
# The whole test suite:
#   1. each addon's own Odoo tests, on a fresh database with the three addons;
#   2. the end-to-end pytest-odoo suites in tests/, on a copy of that database
#      into which the real AR history is imported.
# Fails on any failed test, and on any ERROR or CRITICAL line in Odoo's log
# or WARNING line from our addons.
set -uo pipefail
conf="$1"; db="$2"; as_of="$3"
root="$(cd "$(dirname "$0")/.." && pwd)"
python="$root/.venv/bin/python"
odoo_bin="$ODOO_SRC/odoo-bin"
csv="${CREDIT_AR_CSV:-$root/../shared/data/ar_late_payments.csv}"
addons="credit_management,credit_dunning,credit_reports"
tags="/credit_management,/credit_dunning,/credit_reports"
logs="$root/var/log"
mkdir -p "$logs"
export CREDIT_AR_CSV="$csv"
export PYTHONPATH="$ODOO_SRC${PYTHONPATH:+:$PYTHONPATH}"

if [ ! -f "$csv" ]; then
    echo "The AR history is missing at $csv (set CREDIT_AR_CSV)." >&2
    exit 2
fi

log_problems() {
    # ERROR/CRITICAL from anywhere, WARNING from the product's own code.
    grep -E " (ERROR|CRITICAL) | WARNING [^ ]+ odoo\.addons\.credit_" "$1" \
        | grep -v "odoo.tests.result" || true
}

failed=0
passed_total=0
failed_total=0

echo "== 1/2 Addon tests ($tags) on database $db"
dropdb --if-exists "$db" >/dev/null
dropdb --if-exists "${db}_e2e" >/dev/null
start=$(date +%s)
"$python" "$odoo_bin" -c "$conf" -d "$db" -i "$addons" --test-enable \
    --test-tags "$tags" --stop-after-init --max-cron-threads=0 \
    --http-port "${TEST_HTTP_PORT:-8169}" > "$logs/addons.log" 2>&1
rc=$?
echo "   odoo exit code $rc, $(( $(date +%s) - start )) s, log var/log/addons.log"
summary=$(grep -E "odoo\.tests\.result: .* of [0-9]+ tests" "$logs/addons.log" | tail -n 1)
echo "   ${summary##*odoo.tests.result: }"
ran=$(sed -nE 's/.* of ([0-9]+) tests.*/\1/p' <<<"$summary")
bad=$(sed -nE 's/.*: ([0-9]+) failed, ([0-9]+) error.*/\1 \2/p' <<<"$summary")
bad=$(( $(echo "${bad:-0 0}" | tr ' ' '+') ))
problems=$(log_problems "$logs/addons.log")
# A browser test skipped for want of Chromium is not a pass.
if grep -qiE "Chrome executable not found|websocket-client" "$logs/addons.log"; then
    problems="${problems:+$problems
}Browser tests were skipped: install Debian's chromium and websocket-client."
fi
if [ -n "$problems" ]; then
    echo "   Problems in the log:"; echo "$problems" | head -40 | sed 's/^/   /'
fi
if [ "$rc" -ne 0 ] || [ -z "$ran" ] || [ "$ran" -eq 0 ] || [ -n "$problems" ]; then
    failed=1
    bad=$(( bad > 0 ? bad : 1 ))
fi
passed_total=$(( passed_total + ${ran:-0} - bad ))
failed_total=$(( failed_total + bad ))

echo "== 2/2 End-to-end tests on the real AR history (as of $as_of)"
createdb -T "$db" "${db}_e2e"
start=$(date +%s)
# ODOO_RC: Odoo looks for addon commands on the addons path of this file.
if ! ODOO_RC="$conf" "$python" "$odoo_bin" credit_import -c "$conf" -d "${db}_e2e" \
        --file "$csv" --as-of "$as_of" > "$logs/import.log" 2>&1; then
    echo "   import failed:"; tail -n 20 "$logs/import.log" | sed 's/^/   /'
    failed=1
    failed_total=$(( failed_total + 1 ))
else
    echo "   imported in $(( $(date +%s) - start )) s:" \
        $(grep -E "^(invoices|payments|open|overdue)_" "$logs/import.log" | tr '\n' ' ')
    cd "$root"
    "$root/.venv/bin/pytest" tests --odoo-config="$conf" \
        --odoo-database="${db}_e2e" -p no:cacheprovider -q \
        2>&1 | tee "$logs/pytest.log"
    prc=${PIPESTATUS[0]}
    line=$(grep -E "^(=+ )?[0-9]+ (passed|failed)" "$logs/pytest.log" | tail -n 1)
    p=$(grep -oE "[0-9]+ passed" <<<"$line" | grep -oE "[0-9]+")
    f=$(grep -oE "[0-9]+ (failed|errors?)" <<<"$line" | awk '{s += $1} END {print s + 0}')
    passed_total=$(( passed_total + ${p:-0} ))
    failed_total=$(( failed_total + ${f:-0} ))
    if [ "$prc" -ne 0 ] || [ -z "$p" ]; then
        failed=1
        [ "${f:-0}" -gt 0 ] || failed_total=$(( failed_total + 1 ))
    fi
fi

echo
echo "suite: $passed_total passed, $failed_total failed"
exit $failed
