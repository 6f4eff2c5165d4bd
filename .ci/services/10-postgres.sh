# PostgreSQL for the ledger's PostgresStore tests: a throwaway cluster on a Unix socket.
#
# Uses the machine's binaries (/usr/lib/postgresql/*/bin), installing Debian's `postgresql`
# when there are none. PostgreSQL refuses to run as root, so under root (as CI runs) the
# cluster belongs to the `postgres` system user. Exports MEDBILL_PG_DSN for the tests.

medbill_pg_bin() {
    local dir found=""
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/initdb" ] && found="$dir"
    done
    echo "$found"
}

MEDBILL_PG_BIN="$(medbill_pg_bin)"
if [ -z "$MEDBILL_PG_BIN" ]; then
    ci_apt_install postgresql
    MEDBILL_PG_BIN="$(medbill_pg_bin)"
fi
if [ -z "$MEDBILL_PG_BIN" ]; then
    echo "ci: no PostgreSQL binaries after installing postgresql" >&2
    return 1
fi

MEDBILL_PG_DIR="$(mktemp -d /tmp/medbill-pg.XXXXXX)"
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$MEDBILL_PG_DIR"
    medbill_pg() { runuser -u postgres -- "$@"; }
else
    medbill_pg() { "$@"; }
fi
chmod 0755 "$MEDBILL_PG_DIR"
medbill_pg "$MEDBILL_PG_BIN/initdb" -D "$MEDBILL_PG_DIR/data" -U postgres -A trust -E UTF8 \
    --no-sync >/dev/null
# no TCP at all: the socket lives in the throwaway directory
medbill_pg "$MEDBILL_PG_BIN/pg_ctl" -D "$MEDBILL_PG_DIR/data" -l "$MEDBILL_PG_DIR/server.log" -w \
    -o "-c listen_addresses='' -c unix_socket_directories='$MEDBILL_PG_DIR' -c fsync=off -c max_connections=100" \
    start >/dev/null
ci_on_exit "medbill_pg '$MEDBILL_PG_BIN/pg_ctl' -D '$MEDBILL_PG_DIR/data' -m fast -w stop >/dev/null; rm -rf '$MEDBILL_PG_DIR'"
export MEDBILL_PG_DSN="postgresql://postgres@/postgres?host=$MEDBILL_PG_DIR"
echo "ci: PostgreSQL ($MEDBILL_PG_BIN) at $MEDBILL_PG_DIR"
