#!/usr/bin/env bash
# Inside the official odoo:18.0 image (see docker/docker-compose.yml): build
# the credit_demo database as `make run` does, once.
set -euo pipefail
db=credit_demo
args=(-c /etc/odoo/odoo.conf --db_host "$HOST" --db_user "$USER" --db_password "$PASSWORD")
exists=$(PGPASSWORD="$PASSWORD" psql -h "$HOST" -U "$USER" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$db'" || true)
if [ "$exists" = "1" ]; then
    echo "Database $db exists already; drop it to rebuild."
    exit 0
fi
odoo "${args[@]}" -d "$db" -i credit_management,credit_dunning,credit_reports \
    --stop-after-init
odoo credit_import "${args[@]}" -d "$db" --file /mnt/credit-data/ar_late_payments.csv \
    --as-of "${DEMO_AS_OF:-2013-06-30}" --shift-to-today
odoo shell "${args[@]}" -d "$db" --no-http < /mnt/credit-tools/demo_build.py
echo "Demo database $db is ready: docker compose up -d odoo"
