"""Demo tickets: about 500 of every type and status, some for VIP callers, some breached."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from people.models import Person, Team
from services.models import ConfigurationItem, ServiceInstance
from tickets import clock, selectors, services
from tickets.choices import Level, Source, Status, TicketType
from tickets.hooks import workflow_hook
from tickets.models import Ticket
from tickets.notes import ticket_note_add

REASON = "Demo data"
TARGET = 500

TITLES = {
    TicketType.INCIDENT: [
        "Cannot print to the 3rd floor printer",
        "VPN disconnects every few minutes",
        "Outlook keeps asking for the password",
        "Shared drive S: not reachable",
        "Laptop does not boot after update",
        "Teams calls drop audio",
        "Payroll report fails with timeout",
        "Website returns error 502",
        "Wi-Fi weak in meeting room B",
        "Account locked out",
        "Cannot open attachments in email",
        "Monitor flickers",
        "Database connection errors in CRM",
        "Phone handset has no dial tone",
    ],
    TicketType.REQUEST: [
        "New laptop for new starter",
        "Access to the finance shared folder",
        "Install Visio",
        "Extra monitor for home office",
        "Create a distribution list",
        "Reset MFA device",
        "Mailbox size increase",
        "Guest Wi-Fi access for visitors",
    ],
    TicketType.PROBLEM: [
        "Recurring VPN drops for remote staff",
        "Printer queue stalls every Monday",
        "Intermittent 502s on the public website",
        "Slow logons across the campus",
    ],
    TicketType.CHANGE: [
        "Patch file servers (monthly)",
        "Upgrade CRM database to the new version",
        "Replace core switch in building A",
        "Renew TLS certificates",
        "Migrate mailboxes to the new cluster",
    ],
}
NOTES = [
    "Called the user, reproduced the issue.",
    "Checked the logs; nothing obvious yet.",
    "Asked the user for a screenshot.",
    "Escalated to second line.",
    "Workaround given: restart the client.",
    "Waiting for the vendor to answer.",
    "Remote session done; monitoring.",
]
RESOLUTIONS = [
    "Cleared the print queue and restarted the spooler.",
    "Reset the password and unlocked the account.",
    "Applied the vendor patch.",
    "Replaced the faulty cable.",
    "Granted access as approved by the line manager.",
    "Configuration corrected; user confirmed it works.",
]
# (status, weight)
STATUS_MIX = [
    (Status.NEW, 10),
    (Status.ASSIGNED, 14),
    (Status.IN_PROGRESS, 14),
    (Status.PENDING, 7),
    (Status.RESOLVED, 12),
    (Status.CLOSED, 38),
    (Status.CANCELLED, 5),
]
TYPE_MIX = [(TicketType.INCIDENT, 60), (TicketType.REQUEST, 25), (TicketType.PROBLEM, 7), (TicketType.CHANGE, 8)]
LEVEL_MIX = [(Level.HIGH, 2), (Level.MEDIUM, 5), (Level.LOW, 3)]


def _pick(rng: random.Random, mix):
    return rng.choices([v for v, _ in mix], [w for _, w in mix])[0]


def seed(*, user, out) -> None:
    services.priority_matrix()
    existing = Ticket.objects.count()
    if existing >= TARGET * 0.8:
        out.write(f"Tickets: {existing} (already seeded)")
        return
    people = list(Person.objects.with_vip().filter(active=True, login__isnull=True))
    if not people:
        out.write("Tickets: no people to log calls for (seed people first)")
        return
    rng = random.Random(20261123)
    vips = [p for p in people if p.vip_status.show_on_tickets]
    instances = {p.pk: list(selectors.caller_service_instances(p)) for p in people}
    fallback = list(ServiceInstance.objects.filter(status=ServiceInstance.Status.AGREEMENT))
    items: dict[int, list] = {}
    for item in ConfigurationItem.objects.prefetch_related("service_instances"):
        for instance in item.service_instances.all():
            items.setdefault(instance.pk, []).append(item)
    teams = list(Team.objects.filter(active=True))
    analysts = list(get_user_model().objects.filter(is_active=True, username__in=["admin", "analyst", "cmdb", "slm"]))
    now = timezone.now()

    with workflow_hook(None):  # demo history should not depend on which rules exist when seeding
        for index in range(TARGET - existing):
            status = _pick(rng, STATUS_MIX)
            _log_one(
                rng,
                index,
                status,
                user=user,
                now=now,
                people=people,
                vips=vips,
                instances=instances,
                fallback=fallback,
                items=items,
                teams=teams,
                analysts=analysts,
            )
    out.write(f"Tickets: {Ticket.objects.count()}")


def _log_one(rng, index, status, *, user, now, people, vips, instances, fallback, items, teams, analysts) -> None:
    ticket_type = _pick(rng, TYPE_MIX)
    caller = rng.choice(vips) if vips and rng.random() < 0.05 else rng.choice(people)
    open_target = status in (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING)
    # Open tickets are recent (some old enough to breach); finished ones spread over two months.
    age_hours = rng.expovariate(1 / 10) if open_target else rng.uniform(30, 24 * 60)
    opened = now - dt.timedelta(hours=min(age_hours, 24 * 60), minutes=rng.randint(0, 59))
    # Mostly an instance the caller consumes; callers outside every group still call about some service.
    choices = instances.get(caller.pk) or (fallback if rng.random() < 0.6 else [])
    instance = rng.choice(choices) if choices and rng.random() < 0.9 else None
    item = rng.choice(items[instance.pk]) if instance and items.get(instance.pk) and rng.random() < 0.5 else None
    assigned = (status != Status.NEW and status != Status.CANCELLED) or rng.random() < 0.3
    analyst = rng.choice(analysts) if analysts and assigned and rng.random() < 0.8 else None
    team = rng.choice(teams) if teams and assigned else None
    ticket = services.ticket_create(
        user=user,
        change_reason=REASON,
        caller=caller,
        title=rng.choice(TITLES[ticket_type]),
        ticket_type=ticket_type,
        description=f"Reported by {caller.full_name}. {rng.choice(NOTES)}",
        source=_pick(rng, [(Source.PHONE, 5), (Source.EMAIL, 3), (Source.PORTAL, 2), (Source.API, 1)]),
        impact=_pick(rng, LEVEL_MIX),
        urgency=_pick(rng, LEVEL_MIX),
        service_instance=instance,
        configuration_item=item,
        team=team,
        assignee=analyst,
        opened_at=opened,
    )
    _work_on(rng, ticket, status, opened=opened, actor=analyst or user, now=now)


def _work_on(rng, ticket, status, *, opened, actor, now) -> None:
    """What happened after logging: notes (a public one is the response), moves towards the wanted status, breaches
    explained; each step a little later than the one before, never after now."""
    moment = opened

    def later(max_minutes: int) -> dt.datetime:
        nonlocal moment
        moment = min(moment + dt.timedelta(minutes=rng.randint(5, max(6, max_minutes))), now)
        return moment

    def move(to: str, note: str = "") -> None:
        services.ticket_transition(ticket, user=actor, status=to, note=note, change_reason="", at=later(240))

    # Most callers hear back quickly (a public note is the first response); some wait too long.
    if status != Status.CANCELLED and rng.random() < 0.75:
        ticket_note_add(
            ticket,
            user=actor,
            text=rng.choice(NOTES),
            public=True,
            time_spent_minutes=rng.choice([0, 5, 10, 15]),
            at=later(25),
        )
    if rng.random() < 0.4:
        ticket_note_add(
            ticket,
            user=actor,
            text=rng.choice(NOTES),
            public=False,
            time_spent_minutes=rng.choice([0, 5, 10, 15, 30]),
            at=later(120),
        )
    if status == Status.CANCELLED:
        move(Status.CANCELLED, "Duplicate call; the caller logged it twice.")
        return
    if status in (Status.IN_PROGRESS, Status.PENDING, Status.RESOLVED, Status.CLOSED):
        move(Status.IN_PROGRESS)
    if status == Status.PENDING:
        move(Status.PENDING, "Waiting for the caller's reply.")
    if status in (Status.RESOLVED, Status.CLOSED):
        # Most are resolved within a day; a share take days and miss the resolution target.
        late = rng.random() < 0.2
        resolved = opened + dt.timedelta(minutes=rng.randint(60 * 30, 60 * 96) if late else rng.randint(20, 600))
        moment = max(moment, min(resolved, now))  # never before the notes and moves already made
        move(Status.RESOLVED, rng.choice(RESOLUTIONS))
    if status == Status.CLOSED:
        moment = min(moment + dt.timedelta(days=rng.randint(1, 3)), now)
        move(Status.CLOSED)
    _explain_breaches(rng, ticket, user=actor, now=now)


BREACH_REASONS = [
    "Waiting for the vendor's replacement part.",
    "The caller was on leave and could not be reached.",
    "Escalated to the network team, who were handling a major incident.",
]


def _explain_breaches(rng, ticket, *, user, now) -> None:
    """Breaches are recorded as they would have been by the escalations; a third get an analyst's reason."""
    ticket.refresh_from_db()
    made = clock.record_breaches(ticket, now)
    if not made:
        return
    ticket.save(update_fields=["response_breached", "resolution_breached", "updated_at"])
    for breach in made:
        if rng.random() < 0.35:
            services.breach_reason_set(breach, user=user, change_reason=REASON, reason=rng.choice(BREACH_REASONS))
