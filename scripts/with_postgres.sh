#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL server: `scripts/with_postgres.sh <command> [args...]`.
#
# initdb into a temporary folder, pg_ctl on 127.0.0.1 with a free port (socket in the data folder, fsync off), the
# command runs with DATABASE_URL pointing at it, then the server is stopped and the folder removed, also when the run
# is interrupted (INT/TERM are forwarded to the command, which runs in its own process group, so its own clean-up,
# e.g. pytest dropping its test database, happens before the server goes). Exits with the command's status.
#
# When DATABASE_URL is already set, the command simply runs against that database.
set -uo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 <command> [args...]" >&2
    exit 2
fi

if [[ -n "${DATABASE_URL:-}" ]]; then
    exec "$@"
fi

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [[ -z "$PG_BIN" || ! -x "$PG_BIN/initdb" ]]; then
    echo "with_postgres: no PostgreSQL binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)" >&2
    exit 3
fi

PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/itsm-pg.XXXXXX")
DATA="$PG_DIR/data"
AS_PG=()
if [[ $(id -u) -eq 0 ]]; then
    # PostgreSQL refuses to run as root: run it as the postgres user, who must own the folder.
    chown postgres: "$PG_DIR"
    AS_PG=(runuser -u postgres --)
fi

started=0
cleanup() {
    if [[ $started -eq 1 ]]; then
        "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
        started=0
    fi
    rm -rf "$PG_DIR"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

if ! "${AS_PG[@]}" "$PG_BIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --no-locale --no-sync \
    >"$PG_DIR/initdb.log" 2>&1; then
    echo "with_postgres: initdb failed:" >&2
    cat "$PG_DIR/initdb.log" >&2
    exit 3
fi

# A free port can be taken between the probe and the start: try a few.
for _ in 1 2 3; do
    PORT=$(free_port)
    OPTS="-h 127.0.0.1 -p $PORT -k $DATA -F -c max_connections=200 -c synchronous_commit=off"
    OPTS+=" -c full_page_writes=off -c shared_buffers=64MB"
    if "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -o "$OPTS" -w -t 30 start >/dev/null 2>&1; then
        started=1
        break
    fi
done
if [[ $started -ne 1 ]]; then
    echo "with_postgres: the server did not start:" >&2
    tail -n 20 "$DATA/server.log" >&2 2>/dev/null
    exit 3
fi
echo "with_postgres: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT ($PG_DIR)"

export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres"

# The command runs in its own process group (set -m) so a terminal's Ctrl-C reaches only this script, which forwards
# it once; a second signal kills the group. A plain `trap ... EXIT` around a foreground command waited for the command
# to finish on its own (19 s measured) before the clean-up ran.
signals=0
forward() {
    signals=$((signals + 1))
    if [[ $signals -eq 1 ]]; then
        kill -"$1" -- "-$child" 2>/dev/null || kill -"$1" "$child" 2>/dev/null
    else
        kill -KILL -- "-$child" 2>/dev/null || kill -KILL "$child" 2>/dev/null
    fi
}
set -m
"$@" &
child=$!
set +m
trap 'forward INT' INT
trap 'forward TERM' TERM
while true; do
    wait "$child"
    rc=$?
    # wait returns early (status > 128) when a trapped signal arrives; go on waiting while the command still runs.
    if [[ $rc -gt 128 ]] && kill -0 "$child" 2>/dev/null; then
        continue
    fi
    break
done
trap - INT TERM
exit "$rc"
