#!/usr/bin/env bash
# Write the Odoo configuration used by make run and make test. The top-level
# addons/ folder of some Odoo snapshots is stale, so only odoo/addons is used.
set -euo pipefail
src="$1"; root="$2"; conf="$3"
addons="$src/odoo/addons"
[ -d "$src/addons/web" ] && [ ! -d "$addons/web" ] && addons="$src/addons,$src/odoo/addons"
cat > "$conf.tmp" <<CONF
[options]
addons_path = $addons,$root
data_dir = $root/var/data
admin_passwd = admin
db_host = False
db_port = False
db_user = $(id -un)
db_password = False
http_interface = 127.0.0.1
list_db = False
without_demo = all
max_cron_threads = 0
log_level = info
CONF
mv "$conf.tmp" "$conf"
