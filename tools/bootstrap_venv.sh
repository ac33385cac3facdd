#!/usr/bin/env bash
# Build .venv with Odoo 18's requirements and the project's own.
set -euo pipefail
src="$1"
venv="$2"
here="$(cd "$(dirname "$0")/.." && pwd)"

# python-ldap (an Odoo requirement) compiles against these headers.
need=()
for pkg in libldap2-dev libsasl2-dev; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "Installing system packages: ${need[*]}"
    if [ "$(id -u)" = 0 ]; then
        apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
    else
        sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
    fi
fi

[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# cbor2's build still imports pkg_resources, removed from setuptools 81.
echo "setuptools<81" > "$work/build-constraints.txt"
# psycopg2-binary instead of the source-built psycopg2 pin.
grep -viE '^psycopg2[= ]' "$src/requirements.txt" > "$work/odoo-requirements.txt"
echo "psycopg2-binary" >> "$work/odoo-requirements.txt"
"$venv/bin/python" -m pip install -q \
    --build-constraint "$work/build-constraints.txt" \
    -r "$work/odoo-requirements.txt" -r "$here/requirements.txt"
echo "Python environment ready in $venv"
