"""The health endpoint for load balancers and monitors: `GET /health/` answers 200 when every check passes and 503
naming the failing ones otherwise. No sign-in, no personal data. Apps add checks from their AppConfig.ready() with
`register_check(name, fn)`; `fn()` returns None when healthy or a short sentence saying what is wrong."""

from __future__ import annotations

from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

Check = Callable[[], str | None]
_checks: dict[str, Check] = {}
_migrated = False


def register_check(name: str, fn: Check) -> None:
    _checks[name] = fn


def database() -> str | None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    return None


def migrations() -> str | None:
    """Unapplied migrations mean this code runs against an older schema. Once all were applied the answer cannot go
    back while this process runs, so it is remembered and later probes cost nothing."""
    global _migrated
    if _migrated:
        return None
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        return f"{len(plan)} migration(s) not applied, e.g. {plan[0][0].app_label}.{plan[0][0].name}"
    _migrated = True
    return None


register_check("database", database)
register_check("migrations", migrations)


def run_checks() -> dict[str, str]:
    """Every check's result: "ok" or what is wrong (an exception counts as a failure, never a 500)."""
    results = {}
    for name, fn in _checks.items():
        try:
            problem = fn()
        except Exception as error:  # a health probe must answer, whatever broke
            problem = f"{type(error).__name__}: {error}"
        results[name] = problem or "ok"
    return results


@never_cache
@require_safe
def health(request):
    results = run_checks()
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse({"status": "ok" if healthy else "failing", "checks": results}, status=200 if healthy else 503)
