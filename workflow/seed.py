"""Demo rules (idempotent; every write explained as demo data)."""

from __future__ import annotations

from workflow.engine import vocabulary as vocab

REASON = "Demo data"
VIP_DESK = "VIP Desk"


def _demo_rules(*, executive, critical, desk) -> list[dict]:
    """The demo rule set, in order. Routing and priority floors run when a ticket is logged (on every change they
    would undo an analyst's deliberate reassignment); the Critical Role rule also runs on changes (impact may rise)."""
    return [*_vip_status_rules(executive=executive, critical=critical, desk=desk), *_escalation_rules(desk=desk)]


def _vip_status_rules(*, executive, critical, desk) -> list[dict]:
    rules = []
    if executive is not None:
        rules += [
            {
                "name": "Executives are at least P2 and go to the VIP Desk team",
                "description": "Executives' calls are never below P2 and are worked by the VIP Desk.",
                "trigger": vocab.ON_CREATE,
                "criteria": [
                    {"field": "vip_status", "operator": "is", "value": executive.pk},
                    {"field": "priority", "operator": "gte", "value": 3},
                ],
                "actions": [{"type": "set_priority", "value": 2}, {"type": "assign_team", "value": desk.pk}],
            },
            {
                "name": "Executives already at P1 or P2 go to the VIP Desk team",
                "description": "The routing half of the rule above, for calls that are already P1 or P2.",
                "trigger": vocab.ON_CREATE,
                "criteria": [
                    {"field": "vip_status", "operator": "is", "value": executive.pk},
                    {"field": "priority", "operator": "lte", "value": 2},
                ],
                "actions": [{"type": "assign_team", "value": desk.pk}],
            },
        ]
    if critical is not None:
        rules.append(
            {
                "name": "Critical Role with high impact is P1",
                "description": "A person in a critical role who cannot work stops others working.",
                "trigger": vocab.BOTH,
                "criteria": [
                    {"field": "vip_status", "operator": "is", "value": critical.pk},
                    {"field": "impact", "operator": "is", "value": "high"},
                ],
                "actions": [{"type": "set_priority", "value": 1}],
            }
        )
    return rules


def _escalation_rules(*, desk) -> list[dict]:
    """A heightened-support timeframe raises priority; VIP tickets nobody picks up, or about to breach, escalate."""
    return [
        {
            "name": "Active heightened-support timeframe raises priority by 1",
            "description": "During registration week, exams and similar periods the instance gets faster service.",
            "trigger": vocab.ON_CREATE,
            "criteria": [{"field": "timeframe", "operator": "heightened_active", "value": None}],
            "actions": [
                {"type": "raise_priority", "value": 1},
                {"type": "add_note", "text": "Heightened-support timeframe active: priority raised by one step."},
            ],
        },
        {
            "name": "VIP P1 unassigned for 15 minutes: notify the VIP desk and raise",
            "description": "Escalation: a VIP's P1 nobody has picked up after 15 minutes is raised with the VIP Desk.",
            "trigger": vocab.SCHEDULED,
            "criteria": [
                {"field": "caller_is_vip", "operator": "true", "value": None},
                {"field": "priority", "operator": "eq", "value": 1},
                {"field": "assignee", "operator": "empty", "value": None},
                {"field": "minutes_since_opened", "operator": "gte", "value": 15},
            ],
            "actions": [
                {
                    "type": "notify_team",
                    "value": desk.pk,
                    "text": "{number} for {caller} ({vip_status}) is {priority} and still unassigned after 15 minutes.",
                },
                {"type": "add_note", "text": "Escalated to the VIP Desk: unassigned for 15 minutes."},
            ],
        },
        {
            "name": "VIP ticket resolution due within 30 minutes: notify the VIP desk",
            "description": "Escalation on the service level clock: a VIP's ticket about to miss its resolution target.",
            "trigger": vocab.SCHEDULED,
            "criteria": [
                {"field": "caller_is_vip", "operator": "true", "value": None},
                {"field": "resolution_due_in", "operator": "lte", "value": 30},
                {"field": "resolution_breached", "operator": "false", "value": None},
            ],
            "actions": [
                {
                    "type": "notify_team",
                    "value": desk.pk,
                    "text": "{number} for {caller} ({vip_status}) is due to be resolved within 30 minutes.",
                },
            ],
        },
    ]


def seed(*, user, out) -> None:
    """Demo rules, written through the workflow services; rules that exist (by name) are left as they are."""
    from people.models import Team
    from people.services import team_create
    from vip.models import VipStatus
    from workflow import services
    from workflow.models import Rule

    desk = Team.objects.filter(name__iexact=VIP_DESK).first() or team_create(
        user=user, change_reason=REASON, name=VIP_DESK, email="vip.desk@example.org"
    )
    executive = VipStatus.objects.filter(name__iexact="Executive").first()
    critical = VipStatus.objects.filter(name__iexact="Critical Role").first()
    created = 0
    for definition in _demo_rules(executive=executive, critical=critical, desk=desk):
        if Rule.objects.filter(name__iexact=definition["name"]).exists():
            continue
        services.rule_create(user=user, change_reason=REASON, active=True, **definition)
        created += 1
    out.write(f"Workflow: {created} demo rules created, {Rule.objects.count()} rules in all.")
