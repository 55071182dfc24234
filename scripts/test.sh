#!/usr/bin/env bash
# `make test`: every check, in order, with a summary of what ran, what was skipped and how long each part took.
#
#   lint         ruff check and ruff format --check
#   django       manage.py check, makemigrations --check --dry-run
#   sqlite       pytest on SQLite: everything, browser tests included when Chromium is installed
#   postgresql   the database tests again on PostgreSQL (-m "not browser and not fuzz"): DATABASE_URL when set, else a
#                throwaway server (scripts/with_postgres.sh), else skipped with one SKIPPED: line. The schemathesis run
#                (about 4-5 minutes per pass on 2 cores) is in the SQLite pass only, unless ITSM_FUZZ_POSTGRES=1.
#
# Environment: PYTEST_ARGS (extra pytest arguments for both passes), CHROMIUM_PATH, DATABASE_URL, CI (true: never
# reuse a test database), ITSM_FUZZ_EXAMPLES (schemathesis examples per operation, 50 by default), ITSM_FUZZ_POSTGRES
# (1: the schemathesis run also in the PostgreSQL pass).
# Exits non-zero when any part failed; later parts still run so one run shows every problem.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p var

VENV=${VENV:-.venv}
PY="$VENV/bin/python"
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
read -r -a EXTRA <<<"${PYTEST_ARGS:-}"

names=()
results=()
times=()
failed=0

record() { # name, status, seconds
    names+=("$1")
    results+=("$2")
    times+=("$3")
    [[ $2 == FAILED ]] && failed=1
    return 0
}

run_part() { # name, command...
    local name=$1
    shift
    echo ""
    echo "==> $name: $*"
    local start=$SECONDS
    if "$@"; then
        record "$name" passed $((SECONDS - start))
    else
        record "$name" FAILED $((SECONDS - start))
    fi
}

on_signal() {
    echo ""
    echo "make test: interrupted"
    exit 130
}
trap on_signal INT TERM

lint() { "$VENV/bin/ruff" check . && "$VENV/bin/ruff" format --check .; }
django_checks() {
    env -u DATABASE_URL DEBUG=true "$PY" manage.py check --fail-level WARNING &&
        env -u DATABASE_URL DEBUG=true "$PY" manage.py makemigrations --check --dry-run
}

# The SQLite pass ignores any DATABASE_URL; a test database left by an earlier run is rebuilt, never reused.
sqlite_tests() { env -u DATABASE_URL "$VENV/bin/pytest" "${EXTRA[@]}"; }
pg_marks="not browser and not fuzz"
[[ ${ITSM_FUZZ_POSTGRES:-0} == 1 ]] && pg_marks="not browser"
postgres_tests() { scripts/with_postgres.sh "$VENV/bin/pytest" -m "$pg_marks" "${EXTRA[@]}"; }

run_part lint lint
run_part django django_checks

if [[ -x "$CHROMIUM" ]]; then
    browser_note="browser tests included (Chromium at $CHROMIUM)"
else
    browser_note="browser tests skipped"
    echo ""
    echo "SKIPPED: browser tests because Chromium is not installed at $CHROMIUM (apt-get install chromium, or set CHROMIUM_PATH)"
fi
run_part "sqlite ($browser_note)" sqlite_tests

pg_bins=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | head -n 1)
if [[ -n "${DATABASE_URL:-}" ]]; then
    run_part "postgresql (DATABASE_URL)" postgres_tests
elif [[ -n "$pg_bins" ]]; then
    run_part "postgresql (throwaway server)" postgres_tests
else
    echo ""
    echo "SKIPPED: PostgreSQL tests because DATABASE_URL is not set and no PostgreSQL binaries exist under /usr/lib/postgresql/*/bin (apt-get install postgresql)"
    record "postgresql" skipped 0
fi

echo ""
echo "==> summary"
for i in "${!names[@]}"; do
    printf '  %-8s %5ss  %s\n' "${results[$i]}" "${times[$i]}" "${names[$i]}"
done
printf '  total    %5ss\n' "$SECONDS"
if [[ $failed -ne 0 ]]; then
    echo "make test: FAILED"
    exit 1
fi
echo "make test: OK"
