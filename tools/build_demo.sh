#!/usr/bin/env bash
# Build the demo database once: the three addons, the real AR history shifted
# so that the "as of" day is today, credit limits from each customer's history,
# a blocked and an accepted order, and a confirmed dunning run. A later call
# reuses the database, and only updates the addons when their code changed.
set -euo pipefail
conf="$1"; db="$2"; as_of="$3"
root="$(cd "$(dirname "$0")/.." && pwd)"
python="$root/.venv/bin/python"
# A subcommand (shell, credit_import) must come before any option.
odoo=("$python" "$ODOO_SRC/odoo-bin" -c "$conf")
csv="${CREDIT_AR_CSV:-$root/../shared/data/ar_late_payments.csv}"
addons="credit_management,credit_dunning,credit_reports"
stamp="$root/var/demo.stamp"
mkdir -p "$root/var/log" "$root/var/demo"
log="$root/var/log/demo-build.log"

code_hash() {
    (cd "$root" && find credit_management credit_dunning credit_reports -type f \
        -not -name '*.pyc' -print0 | sort -z | xargs -0 sha1sum | sha1sum | cut -c1-40)
}

built() {
    psql -d "$db" -tAc "SELECT value FROM ir_config_parameter
                        WHERE key = 'credit_demo.summary'" 2>/dev/null | grep -q .
}

if built; then
    if [ "$(cat "$stamp" 2>/dev/null)" = "$(code_hash)" ]; then
        echo "Reusing database $db."
        exit 0
    fi
    echo "Addon code changed: updating $addons in $db (log: var/log/demo-build.log)."
    "${odoo[@]}" -d "$db" -u "$addons" --stop-after-init >> "$log" 2>&1 \
        || { echo "Update failed, see $log" >&2; exit 1; }
    code_hash > "$stamp"
    exit 0
fi

if [ ! -f "$csv" ]; then
    echo "The AR history is missing at $csv (set CREDIT_AR_CSV)." >&2
    exit 2
fi
echo "Building database $db (log: var/log/demo-build.log) ..."
start=$(date +%s)
dropdb --if-exists "$db"
rm -f "$root"/var/demo/*.pdf "$root"/var/demo/*.png
echo "  installing $addons"
"${odoo[@]}" -d "$db" -i "$addons" --stop-after-init > "$log" 2>&1 \
    || { echo "Install failed, see $log" >&2; exit 1; }
echo "  importing the AR history as of $as_of, shifted so that it is today"
# ODOO_RC: Odoo looks for addon commands on the addons path of this file.
ODOO_RC="$conf" "$python" "$ODOO_SRC/odoo-bin" credit_import -c "$conf" -d "$db" \
    --file "$csv" --as-of "$as_of" --shift-to-today >> "$log" 2>&1 \
    || { echo "Import failed, see $log" >&2; exit 1; }
echo "  setting limits, trying orders, running dunning"
"$python" "$ODOO_SRC/odoo-bin" shell -c "$conf" -d "$db" --no-http \
    < "$root/tools/demo_build.py" >> "$log" 2>&1 \
    || { echo "Demo build failed, see $log" >&2; exit 1; }
built || { echo "Demo build did not finish, see $log" >&2; exit 1; }
code_hash > "$stamp"
echo "  built in $(( $(date +%s) - start )) s"
