#!/usr/bin/env bash
# Stop early, in one line, when no Odoo 18 source tree is at ODOO_SRC.
src="${1:-${ODOO_SRC:-/opt/odoo/18.0}}"
if [ ! -f "$src/odoo-bin" ] || ! grep -q "version_info = (18, 0" "$src/odoo/release.py" 2>/dev/null; then
    echo "No Odoo 18 source at ODOO_SRC=$src: set ODOO_SRC to a checkout of odoo/odoo branch 18.0 (git clone -b 18.0 --depth 1 https://github.com/odoo/odoo), or use the Docker route in docker/." >&2
    exit 2
fi
