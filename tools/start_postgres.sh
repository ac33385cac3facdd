#!/usr/bin/env bash
# Make sure a local PostgreSQL answers and that the current user has a
# superuser role in it. Installs PostgreSQL with apt when it is missing.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "PostgreSQL is not installed: installing it with apt."
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
fi

if ! pg_isready -q; then
    cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2}')
    if [ -z "$cluster" ]; then
        version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
        as_root pg_createcluster "$version" main
        cluster="$version main"
    fi
    echo "Starting PostgreSQL cluster $cluster"
    as_root pg_ctlcluster $cluster start
    for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
fi

user=$(id -un)
if ! as_root su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='$user'\"" | grep -q 1; then
    as_root su postgres -c "createuser -s $user"
fi
