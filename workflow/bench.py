"""Engine throughput, for the benchmark command: how long the pure engine takes to evaluate many snapshots.

No database: rules and snapshots are built in memory with a realistic mix (VIP status, VIP order, customer groups,
timeframes, text, choices, numbers; match all and any; a few rules that match), then `evaluate` runs each snapshot
against the compiled rule set exactly as a live run does (one `RuleSet`, compiled once).
"""

from __future__ import annotations

import random
import time

from tickets.choices import ITIL_MATRIX, LIFECYCLE
from workflow.engine import ActionDef, CriterionDef, EngineConfig, RuleDef, RuleSet, TicketSnapshot, evaluate
from workflow.engine.vocabulary import BOTH, CREATE, MATCH_ALL, MATCH_ANY

LEVELS = ("high", "medium", "low")
TYPES = ("incident", "service_request", "problem", "change")


def bench_rules(n_rules: int, *, seed: int = 6) -> list[RuleDef]:
    """`n_rules` active rules; one in twenty is broad enough to match often, the rest rarely match."""
    rng = random.Random(seed)
    rules = []
    for index in range(n_rules):
        kind = index % 5
        if kind == 0:
            criteria = (
                CriterionDef("vip_status", "is", rng.randint(1, 6), display="VIP"),
                CriterionDef("impact", "in", frozenset(rng.sample(LEVELS, 2))),
            )
        elif kind == 1:
            criteria = (
                CriterionDef("vip_status", "at_or_above", rng.randint(1, 6), rank=rng.randint(1, 4)),
                CriterionDef("priority", "lte", rng.randint(1, 3)),
            )
        elif kind == 2:
            criteria = (
                CriterionDef("customer_group", "includes", rng.randint(1, 50)),
                CriterionDef("timeframe", "heightened_active"),
            )
        elif kind == 3:
            criteria = (
                CriterionDef("title", "contains", f"word{rng.randint(1, 500)}"),
                CriterionDef("ticket_type", "is", rng.choice(TYPES)),
            )
        else:
            criteria = (
                CriterionDef("caller_is_vip", "true"),
                CriterionDef("team", "empty"),
                CriterionDef("service_instance", "is", rng.randint(1, 100)),
            )
        actions = (
            ActionDef("set_priority", rng.randint(1, 5)),
            ActionDef("assign_team", rng.randint(1, 10)),
        )
        rules.append(
            RuleDef(
                id=index + 1,
                name=f"Rule {index + 1}",
                position=index + 1,
                trigger=BOTH,
                match=MATCH_ANY if index % 20 == 0 else MATCH_ALL,
                criteria=criteria,
                actions=actions,
            )
        )
    return rules


def bench_snapshots(n_snapshots: int, *, seed: int = 7) -> list[TicketSnapshot]:
    rng = random.Random(seed)
    words = [f"word{i}" for i in range(1, 1000)]
    snapshots = []
    for index in range(n_snapshots):
        vip = rng.randint(1, 8)
        snapshots.append(
            TicketSnapshot(
                ticket_id=index + 1,
                number=f"INC{index + 1:06d}",
                ticket_type=rng.choice(TYPES),
                title=" ".join(rng.sample(words, 4)),
                impact=rng.choice(LEVELS),
                urgency=rng.choice(LEVELS),
                priority=rng.randint(1, 5),
                vip_status_id=vip,
                vip_status_name=f"Status {vip}",
                vip_position=vip,
                vip_is_default=vip == 8,
                customer_group_ids=frozenset(rng.sample(range(1, 60), 3)),
                service_instance_id=rng.randint(1, 150),
                active_timeframes=frozenset({"Registration week"}) if index % 10 == 0 else frozenset(),
                heightened_timeframes=frozenset({"Registration week"}) if index % 20 == 0 else frozenset(),
                team_id=rng.choice((None, 1, 2)),
            )
        )
    return snapshots


def engine_config() -> EngineConfig:
    return EngineConfig(matrix=ITIL_MATRIX, lifecycle=LIFECYCLE)


def engine_throughput(n_snapshots: int = 10_000, n_rules: int = 200) -> float:
    """Seconds the engine takes to evaluate `n_snapshots` snapshots against `n_rules` active rules (one thread).

    Building the inputs and compiling the rules are not timed (a live run compiles once per rule change).
    """
    ruleset = RuleSet(bench_rules(n_rules))
    snapshots = bench_snapshots(n_snapshots)
    config = engine_config()
    started = time.perf_counter()
    for snapshot in snapshots:
        evaluate(snapshot, ruleset, event=CREATE, config=config)
    return time.perf_counter() - started
