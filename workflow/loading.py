"""Loading rules for the engine: the rules as definitions, what exists for validation, the engine's configuration,
and the cache of the live rule set (rebuilt only when a rule, or anything a rule names, changed)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery

from people.models import Team
from services.models import CustomerGroup, ServiceInstance, ServiceLevel, TechnicalService
from tickets.choices import LIFECYCLE
from vip.models import VipStatus
from workflow.definitions import choice_known, choice_labels, rule_def
from workflow.engine import EngineConfig, RuleDef, RuleSet
from workflow.engine import vocabulary as vocab
from workflow.engine.validation import Known
from workflow.models import Action, Criterion, Rule


def known_ids(criteria: Iterable[dict], actions: Iterable[dict]) -> Known:
    """The vocabularies plus which of the ids that these criteria and actions name exist (one query per kind)."""
    wanted: dict[str, set[int]] = {}
    for c in criteria:
        spec = vocab.FIELDS.get(c.get("field")) if isinstance(c.get("field"), str) else None
        if spec is None or not spec.refs:
            continue
        value = c.get("value")
        values = value if isinstance(value, list | tuple | set | frozenset) else [value]
        wanted.setdefault(spec.refs, set()).update(v for v in values if isinstance(v, int) and not isinstance(v, bool))
    for a in actions:
        spec = vocab.ACTIONS.get(a.get("type")) if isinstance(a.get("type"), str) else None
        attr = {"team": "team_ids", "user": "user_ids", "service_level": "service_level_ids"}.get(
            spec.value if spec else ""
        )
        value = a.get("value")
        if attr and isinstance(value, int) and not isinstance(value, bool):
            wanted.setdefault(attr, set()).add(value)
    models_by_attr = {
        "vip_status_ids": VipStatus,
        "team_ids": Team,
        "service_instance_ids": ServiceInstance,
        "technical_service_ids": TechnicalService,
        "group_ids": CustomerGroup,
        "service_level_ids": ServiceLevel,
        "user_ids": get_user_model(),
    }
    found: dict[str, frozenset[int]] = {}
    for attr, model in models_by_attr.items():
        ids = {i for i in wanted.get(attr, ()) if 1 <= i <= 2**63 - 1}
        found[attr] = (
            frozenset(model._default_manager.filter(pk__in=ids).values_list("pk", flat=True)) if ids else (frozenset())
        )
    base = choice_known()
    return Known(**{**base.__dict__, **found})


def engine_config() -> EngineConfig:
    from tickets.services import priority_matrix

    return EngineConfig(
        matrix=priority_matrix(),
        lifecycle=LIFECYCLE,
        status_labels=choice_labels("statuses"),
        level_labels=choice_labels("levels"),
    )


# -- rules ------------------------------------------------------------------------------------------------------------
def rules_queryset() -> QuerySet[Rule]:
    """Rules with their definition and the id of their latest history row (the version a firing records)."""
    latest = Rule.history.filter(id=OuterRef("pk")).order_by("-history_id").values("history_id")[:1]
    return Rule.objects.ordered().with_definition().annotate(version_id=Subquery(latest))


def load_rules(*, active_only: bool = True, ids: Iterable[int] | None = None) -> list[RuleDef]:
    """Rules as engine definitions, in position order; four queries however many rules there are."""
    rules = rules_queryset()
    if active_only:
        rules = rules.filter(active=True)
    if ids is not None:
        rules = rules.filter(pk__in=list(ids))
    return [rule_def(rule) for rule in rules]


def load_ruleset(*, active_only: bool = True) -> RuleSet:
    return RuleSet(load_rules(active_only=active_only))


# The tables whose rows shape the active rules as the engine sees them (definitions, versions, ranks, names shown in
# traces) and the engine's configuration (the ITIL matrix). Every write to them leaves a history row.
def _stamp_models() -> list[Any]:
    from tickets.models import PriorityMatrixCell

    return [
        Rule.history.model,
        Criterion.history.model,
        Criterion.vip_statuses.through,
        Action.history.model,
        VipStatus.history.model,
        Team.history.model,
        ServiceInstance.history.model,
        TechnicalService.history.model,
        CustomerGroup.history.model,
        ServiceLevel.history.model,
        PriorityMatrixCell.history.model,
    ]


def definitions_stamp() -> tuple:
    """One query: for each history table above, its highest id and latest history date (both read from an index);
    for the one table without history (a criterion's VIP statuses), its row count and highest id.

    Any write through the services adds a history row, deletions included, so the stamp changes. The date guards
    against ids reused after a rollback (SQLite hands out a rolled-back id again).
    """
    quote = connection.ops.quote_name
    parts = []
    for model in _stamp_models():
        table = quote(model._meta.db_table)
        pk = quote(model._meta.pk.column)
        parts.append(f"(SELECT MAX({pk}) FROM {table})")
        if any(f.name == "history_date" for f in model._meta.concrete_fields):
            parts.append(f"(SELECT MAX({quote('history_date')}) FROM {table})")
        else:
            parts.append(f"(SELECT COUNT(*) FROM {table})")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    return (connection.alias, *row)


_live_cache: dict[str, tuple[tuple, RuleSet, EngineConfig]] = {}
_live_lock = threading.Lock()


def live_rules() -> tuple[RuleSet, EngineConfig]:
    """The active rules, compiled, and the engine configuration, for live runs (logging and changing tickets).

    Loading 200 rules with their criteria and actions costs four queries and compiling them a few milliseconds, on
    every ticket write; instead they are kept in memory per process and reused while `definitions_stamp()` (one
    query) is unchanged, so a rule saved on another server is used by this one on its next ticket write.
    """
    stamp = definitions_stamp()
    cached = _live_cache.get(connection.alias)
    if cached is not None and cached[0] == stamp:
        return cached[1], cached[2]
    ruleset, config = load_ruleset(), engine_config()
    with _live_lock:
        _live_cache[connection.alias] = (stamp, ruleset, config)
    return ruleset, config


def fields_used(ruleset: RuleSet) -> frozenset[str]:
    """The criterion fields the active rules look at (a snapshot skips loading what no rule reads)."""
    return frozenset(c.field for compiled in ruleset.compiled if compiled.rule.active for c in compiled.rule.criteria)
