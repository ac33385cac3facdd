#!/usr/bin/env bash
# Serve the demo database on 127.0.0.1, render the dunning letters once the
# server answers (wkhtmltopdf takes the stylesheets from it), print the
# summary, and keep serving until Ctrl-C.
set -euo pipefail
conf="$1"; db="$2"; port="$3"
root="$(cd "$(dirname "$0")/.." && pwd)"
python="$root/.venv/bin/python"
odoo=("$python" "$ODOO_SRC/odoo-bin" -c "$conf")
log="$root/var/log/server.log"

if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "Port $port on 127.0.0.1 is already in use: stop that server or set HTTP_PORT." >&2
    exit 1
fi
"${odoo[@]}" -d "$db" --db-filter="^$db\$" --http-interface=127.0.0.1 \
    --http-port="$port" --max-cron-threads=1 --logfile="$log" &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 60); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/web/login" && break
    kill -0 "$server" 2>/dev/null || { echo "Odoo did not start, see $log" >&2; exit 1; }
    sleep 1
done

if [ ! -f "$root/var/demo/letters.pdf" ]; then
    DEMO_OUT="$root/var/demo" REPORT_URL="http://127.0.0.1:$port" \
        "$python" "$ODOO_SRC/odoo-bin" shell -c "$conf" -d "$db" --no-http \
        --logfile="$root/var/log/letters.log" \
        < "$root/tools/demo_letters.py" \
        || echo "Rendering the letters failed, see var/log/letters.log" >&2
fi

psql -d "$db" -tAc "SELECT value FROM ir_config_parameter
                    WHERE key = 'credit_demo.summary'" \
    | python3 "$root/tools/demo_summary.py" "$port" "$root/var/demo"
wait "$server"
