"""Scale data: people, customer groups, instances, tickets, notes, history rows and rules, written in bulk.

Small reference data (VIP statuses, teams, service levels, technical services, the big "group of groups", CIs and
rules) goes through the services like any other write. The bulk tables (people, memberships, instances, tickets,
notes) are written with `bulk_create` in batches, and their history rows are built here and bulk-created too (the
services would take an hour for 100,000 tickets). Everything derived is computed the way the services compute it:
numbers continue the counter rows, priorities come from the ITIL matrix, due times from the instance's service level.

Deterministic: the same seed, sizes and anchor day give the same rows.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.utils import timezone

from bench import vocabulary as v
from people.models import Person, Team
from people.services import team_create
from services import services as service_services
from services.models import (
    ConfigurationItem,
    CustomerGroup,
    Membership,
    ServiceInstance,
    ServiceLevel,
    TechnicalService,
)
from tickets.choices import PREFIXES, RESPONDING_STATUSES, Status, format_number
from tickets.models import Ticket, TicketCounter, TicketNote
from tickets.services import _highest_sequence, priority_matrix
from vip.models import VipStatus
from vip.services import vip_status_create, vip_status_get_default, vip_status_update

BATCH = 2000
# People per department; ten departments make one faculty (a group of groups): 2,000 effective members at full size.
DEPARTMENT_SIZE = 200
DEPARTMENTS_PER_FACULTY = 10
SERVICES_PER_DEPARTMENT = 6


class ScaleDataExists(Exception):
    """The database already holds scale data."""


def has_scale_data() -> bool:
    return Person.objects.filter(email__endswith="@" + v.DOMAIN).exists()


@dataclass
class Progress:
    """What the command shows: one bar per bulk table (tqdm), or nothing in tests."""

    bar: Callable[..., Any] | None = None
    log: Callable[[str], None] = lambda message: None

    def batches(self, items: Sequence[Any], label: str) -> Iterator[Sequence[Any]]:
        bar = self.bar(total=len(items), desc=label, unit="rows", leave=True) if self.bar else None
        for start in range(0, len(items), BATCH):
            chunk = items[start : start + BATCH]
            yield chunk
            if bar is not None:
                bar.update(len(chunk))
        if bar is not None:
            bar.close()


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def weighted(rng: random.Random, mix: Sequence[tuple[Any, int]]) -> Any:
    values, weights = zip(*mix, strict=True)
    return rng.choices(values, weights)[0]


def _history(model: type[models.Model], objs: Iterable[models.Model], *, reason: str, dates, kind: str = "+"):
    """History rows for rows written in bulk: the row's values, a date, type and the reason."""
    historical = model.history.model
    names = [
        f.attname
        for f in historical._meta.concrete_fields
        if f.attname not in {"history_id", "history_date", "history_change_reason", "history_type", "history_user_id"}
    ]
    rows = []
    for obj, date in zip(objs, dates, strict=True):
        row = historical(**{name: getattr(obj, name) for name in names})
        row.history_date = date
        row.history_type = kind
        row.history_change_reason = reason
        row.history_user_id = None
        rows.append(row)
    return rows


def _bulk(model: type[models.Model], objs: list, progress: Progress, label: str) -> list:
    for chunk in progress.batches(objs, label):
        with transaction.atomic():
            model.objects.bulk_create(chunk, batch_size=BATCH)
    return objs


class ScaleSeeder:
    def __init__(self, *, tickets: int, people: int, rules: int, seed: int, anchor: dt.datetime, progress: Progress):
        self.n_tickets = tickets
        self.n_people = people
        self.n_rules = rules
        self.rng = random.Random(seed)
        self.now = anchor
        self.progress = progress
        self.reason = v.REASON
        self.summary = Summary()

    # -- reference data through the services --------------------------------------------------------------------
    def reference(self) -> None:
        log = self.progress.log
        default = vip_status_get_default()
        if default.show_on_tickets:
            vip_status_update(default, user=None, change_reason=self.reason, show_on_tickets=False)
        self.default_status = default
        self.vip_shares = []
        for name, colour, shown, share in v.VIP_STATUSES:
            status = VipStatus.objects.filter(name__iexact=name).first() or vip_status_create(
                user=None, change_reason=self.reason, name=name, colour=colour, show_on_tickets=shown
            )
            self.vip_shares.append((status, share, shown))
        log(f"VIP statuses: {VipStatus.objects.count()}")

        user_model = get_user_model()
        names = [f"scale.analyst{i:02d}" for i in range(1, v.ANALYSTS + 1)]
        existing = set(user_model.objects.filter(username__in=names).values_list("username", flat=True))
        new_users = []
        for username in names:
            if username not in existing:
                user = user_model(username=username, first_name="Analyst", last_name=username[-2:], is_staff=False)
                user.set_unusable_password()
                new_users.append(user)
        user_model.objects.bulk_create(new_users)
        self.analysts = list(user_model.objects.filter(username__in=names).order_by("username"))

        self.teams = []
        per_team = max(1, len(self.analysts) // len(v.TEAMS))
        for index, name in enumerate(v.TEAMS):
            team = Team.objects.filter(name__iexact=name).first()
            if team is None:
                members = self.analysts[index * per_team : (index + 1) * per_team]
                team = team_create(user=None, change_reason=self.reason, name=name, members=members)
            self.teams.append(team)
        self.team_members = {t.pk: list(t.members.all()) or self.analysts[:5] for t in self.teams}

        self.levels = []
        for name, hours, targets in v.SERVICE_LEVELS:
            level = ServiceLevel.objects.filter(name__iexact=name).first()
            if level is None:
                fields = {}
                for priority, (response, resolution) in enumerate(targets, start=1):
                    fields[f"p{priority}_response_minutes"] = response
                    fields[f"p{priority}_resolution_minutes"] = resolution
                level = service_services.service_level_create(
                    user=None, change_reason=self.reason, name=name, hours=hours, **fields
                )
            self.levels.append(level)

        self.services = []
        for index, (name, category) in enumerate(v.TECHNICAL_SERVICES):
            service = TechnicalService.objects.filter(name__iexact=name).first()
            if service is None:
                service = service_services.technical_service_create(
                    user=None,
                    change_reason=self.reason,
                    name=name,
                    category=category,
                    owner_team=self.teams[index % len(self.teams)],
                )
            self.services.append(service)
        log(f"Teams {len(self.teams)}, analysts {len(self.analysts)}, services {len(self.services)}")

    # -- people and groups -----------------------------------------------------------------------------------------
    def people(self) -> None:
        rng = self.rng
        start = self.now - dt.timedelta(days=900)
        statuses = []
        for _ in range(self.n_people):
            roll, status = rng.random(), self.default_status
            for vip, share, _shown in self.vip_shares:
                if roll < share:
                    status = vip
                    break
                roll -= share
            statuses.append(status)
        self.n_departments = max(1, self.n_people // DEPARTMENT_SIZE)
        people = []
        for i in range(self.n_people):
            first, last = rng.choice(v.FIRST_NAMES), rng.choice(v.LAST_NAMES)
            department = min(i // DEPARTMENT_SIZE, self.n_departments - 1)
            people.append(
                Person(
                    first_name=first,
                    last_name=last,
                    email=f"{first}.{last}.{i + 1}@{v.DOMAIN}".lower(),
                    phone=f"+1 608 {rng.randint(200, 999)} {rng.randint(1000, 9999)}",
                    job_title=rng.choice(v.JOB_TITLES),
                    organisation_code=f"S{department + 1:06d}",
                    vip_status=statuses[i],
                    active=rng.random() > 0.03,
                )
            )
        _bulk(Person, people, self.progress, "people")
        dates = [start + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 30)) for _ in people]
        history = _history(Person, people, reason=self.reason, dates=dates)
        _bulk(Person.history.model, history, self.progress, "  history")
        self.people_list = people
        self.person_dept = [min(i // DEPARTMENT_SIZE, self.n_departments - 1) for i in range(len(people))]
        self.summary.counts["people"] = len(people)

    def groups(self) -> None:
        rng = self.rng
        created = self.now - dt.timedelta(days=800)
        departments = [
            CustomerGroup(
                name=f"Department {d + 1:03d} (scale)",
                kind=CustomerGroup.Kind.DEPARTMENT,
                organisation_code=f"S{d + 1:06d}",
                primary_contact=self.people_list[d * DEPARTMENT_SIZE],
                support_notes="Scale data department.",
            )
            for d in range(self.n_departments)
        ]
        _bulk(CustomerGroup, departments, self.progress, "departments")
        _bulk(
            CustomerGroup.history.model,
            _history(CustomerGroup, departments, reason=self.reason, dates=[created] * len(departments)),
            self.progress,
            "  history",
        )
        self.departments = departments
        memberships = []
        for i, person in enumerate(self.people_list):
            role = Membership.Role.PRIMARY_CONTACT if i % DEPARTMENT_SIZE == 0 else Membership.Role.MEMBER
            memberships.append(Membership(group=departments[self.person_dept[i]], person=person, role=role))
        _bulk(Membership, memberships, self.progress, "memberships")
        dates = [created + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 60)) for _ in memberships]
        _bulk(
            Membership.history.model,
            _history(Membership, memberships, reason=self.reason, dates=dates),
            self.progress,
            "  history",
        )
        # Faculties: groups of ten departments each, through the service (nested groups keep their m2m history).
        self.faculties = []
        for f, start in enumerate(range(0, len(departments), DEPARTMENTS_PER_FACULTY)):
            nested = departments[start : start + DEPARTMENTS_PER_FACULTY]
            name = f"Faculty {f + 1:02d} (scale)"
            faculty = service_services.customer_group_create(
                user=None,
                change_reason=self.reason,
                name=name,
                kind=CustomerGroup.Kind.GROUPS,
                nested_groups=nested,
                support_notes="All departments of the faculty.",
            )
            self.faculties.append(faculty)
        self.summary.counts["customer groups"] = len(departments) + len(self.faculties)
        self.summary.counts["memberships"] = len(memberships)

    def instances(self) -> None:
        rng = self.rng
        common = [s for s in self.services if s.name in {"Email", "Desktop Fleet", "Printing"}]
        others = [s for s in self.services if s not in common]
        instances, self.dept_instances = [], {}
        for d, group in enumerate(self.departments):
            chosen = common + rng.sample(others, max(0, SERVICES_PER_DEPARTMENT - len(common)))
            self.dept_instances[d] = []
            for service in chosen:
                status = ServiceInstance.Status.AGREEMENT if rng.random() < 0.92 else ServiceInstance.Status.PROSPECTIVE
                instance = ServiceInstance(
                    title=f"{service.name} - {group.name}",
                    technical_service=service,
                    customer_group=group,
                    service_level=rng.choice(self.levels),
                    status=status,
                    owner_team=service.owner_team,
                    primary_customer=group.primary_contact,
                    billing_code=f"BC-{d + 1:04d}-{service.pk}",
                    start_date=(self.now - dt.timedelta(days=rng.randint(400, 1500))).date(),
                )
                instances.append(instance)
                self.dept_instances[d].append(instance)
        for f, faculty in enumerate(self.faculties):
            service = self.services[(f * 5) % len(self.services)]
            instances.append(
                ServiceInstance(
                    title=f"{service.name} - {faculty.name}",
                    technical_service=service,
                    customer_group=faculty,
                    service_level=self.levels[0],
                    status=ServiceInstance.Status.AGREEMENT,
                    owner_team=service.owner_team,
                    start_date=(self.now - dt.timedelta(days=700)).date(),
                )
            )
        _bulk(ServiceInstance, instances, self.progress, "instances")
        created = self.now - dt.timedelta(days=700)
        _bulk(
            ServiceInstance.history.model,
            _history(ServiceInstance, instances, reason=self.reason, dates=[created] * len(instances)),
            self.progress,
            "  history",
        )
        self.instances_list = instances
        # A few configuration items per technical service, serving that service's instances (m2m history kept).
        self.instance_cis: dict[int, list[ConfigurationItem]] = {}
        by_service: dict[int, list[ServiceInstance]] = {}
        for instance in instances:
            by_service.setdefault(instance.technical_service_id, []).append(instance)
        for s_index, service in enumerate(self.services):
            served = by_service.get(service.pk, [])
            if not served:
                continue
            for c in range(3):
                item = service_services.configuration_item_create(
                    user=None,
                    change_reason=self.reason,
                    name=f"{service.name.lower().replace(' ', '-')}-{c + 1:02d} (scale)",
                    ci_type=v.CI_TYPES[(s_index + c) % len(v.CI_TYPES)],
                    owner_team=service.owner_team,
                    service_instances=served,
                )
                for instance in served:
                    self.instance_cis.setdefault(instance.pk, []).append(item)
        self.summary.counts["service instances"] = len(instances)

    # -- tickets -----------------------------------------------------------------------------------------------
    def _title(self, ticket_type: str) -> str:
        rng = self.rng
        return rng.choice(v.TITLES[ticket_type]).format(
            place=rng.choice(v.PLACES), system=rng.choice(v.SYSTEMS), software=rng.choice(v.SOFTWARE)
        )

    def tickets(self) -> None:
        rng = self.rng
        matrix = priority_matrix()
        shown_vip = {s.pk for s, _share, shown in self.vip_shares if shown}
        weights = [v.VIP_CALL_WEIGHT if p.vip_status_id in shown_vip else 1 for p in self.people_list]
        callers = rng.choices(range(len(self.people_list)), weights, k=self.n_tickets)
        next_seq = {}
        for ticket_type, prefix in PREFIXES.items():
            counter = TicketCounter.objects.filter(prefix=prefix).first()
            next_seq[ticket_type] = max(counter.last_number if counter else 0, _highest_sequence(prefix))
        two_years = 2 * 365 * 24 * 60
        drafts = []
        for index in range(self.n_tickets):
            status = weighted(rng, v.STATUS_MIX)
            if status in (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING, Status.RESOLVED):
                opened = self.now - dt.timedelta(minutes=rng.randint(5, 60 * 24 * 40))
            else:
                opened = self.now - dt.timedelta(minutes=rng.randint(60 * 24 * 3, two_years))
            drafts.append((opened, index, status))
        drafts.sort(key=lambda d: (d[0], d[1]))  # numbers follow the opening time
        tickets = []
        for opened, index, status in drafts:
            person_index = callers[index]
            person = self.people_list[person_index]
            ticket_type = weighted(rng, v.TYPE_MIX)
            next_seq[ticket_type] += 1
            impact, urgency = weighted(rng, v.LEVEL_MIX), weighted(rng, v.LEVEL_MIX)
            priority = matrix[(impact, urgency)]
            if person.vip_status_id in shown_vip and priority > 1 and rng.random() < 0.5:
                priority -= 1  # what the VIP rules did when these were logged
            instance = None
            if rng.random() < 0.85:
                instance = rng.choice(self.dept_instances[self.person_dept[person_index]])
            item = None
            if instance is not None and rng.random() < 0.25 and self.instance_cis.get(instance.pk):
                item = rng.choice(self.instance_cis[instance.pk])
            ticket = Ticket(
                number=format_number(PREFIXES[ticket_type], next_seq[ticket_type]),
                ticket_type=ticket_type,
                title=self._title(ticket_type),
                description=f"Reported by {person.full_name}.",
                caller=person,
                service_instance=instance,
                configuration_item=item,
                source=weighted(rng, v.SOURCE_MIX),
                impact=impact,
                urgency=urgency,
                priority=priority,
                status=status,
                opened_at=opened,
            )
            level = self.levels_by_id.get(instance.service_level_id) if instance is not None else None
            if level is not None:
                response, resolution = level.target(priority)
                ticket.response_due_at = opened + dt.timedelta(minutes=response)
                ticket.resolution_due_at = opened + dt.timedelta(minutes=resolution)
            if status != Status.NEW:
                team = rng.choice(self.teams)
                ticket.team = team
                if status != Status.CANCELLED or rng.random() < 0.5:
                    ticket.assignee = rng.choice(self.team_members[team.pk])
            late = rng.random() < 0.15  # some targets are missed
            if status in RESPONDING_STATUSES or status == Status.CLOSED or (status == Status.CANCELLED and late):
                window = (ticket.response_due_at - opened).total_seconds() / 60 if ticket.response_due_at else 120
                ticket.first_response_at = opened + dt.timedelta(
                    minutes=rng.uniform(1, window * (1.6 if late else 0.9))
                )
            if status in (Status.RESOLVED, Status.CLOSED):
                window = (ticket.resolution_due_at - opened).total_seconds() / 60 if ticket.resolution_due_at else 2880
                done = opened + dt.timedelta(minutes=rng.uniform(10, window * (1.5 if late else 0.95)))
                ticket.resolved_at = min(done, self.now - dt.timedelta(minutes=1))
                ticket.resolution = rng.choice(v.RESOLUTIONS)
                if status == Status.CLOSED:
                    ticket.closed_at = ticket.resolved_at + dt.timedelta(days=rng.randint(1, 5))
            self._clock(ticket, level, person)
            tickets.append(ticket)
        _bulk(Ticket, tickets, self.progress, "tickets")
        for ticket_type, prefix in PREFIXES.items():
            TicketCounter.objects.update_or_create(prefix=prefix, defaults={"last_number": next_seq[ticket_type]})
        self.tickets_list = tickets
        self.summary.counts["tickets"] = len(tickets)

    def _clock(self, ticket, level, person) -> None:
        """The service level clock as the ticket services would have left it (24x7 timing for speed at scale): the
        level and VIP status at logging, the outcomes, the business seconds taken, the running target. The breach
        flags are set without Breach rows (the rows' list is what an analyst reads per ticket, not what scale tests)."""
        ticket.service_level = level
        ticket.vip_status_at_open_id = person.vip_status_id
        opened = ticket.opened_at
        if ticket.first_response_at is not None:
            ticket.response_seconds = int((ticket.first_response_at - opened).total_seconds())
            ticket.response_breached = bool(
                ticket.response_due_at and ticket.first_response_at > ticket.response_due_at
            )
        elif ticket.response_due_at and ticket.is_open and self.now > ticket.response_due_at:
            ticket.response_breached = True
        if ticket.resolved_at is not None:
            ticket.resolution_seconds = int((ticket.resolved_at - opened).total_seconds())
            ticket.resolution_breached = bool(
                ticket.resolution_due_at and ticket.resolved_at > ticket.resolution_due_at
            )
        elif ticket.resolution_due_at and ticket.is_open and self.now > ticket.resolution_due_at:
            ticket.resolution_breached = True
        running = None
        if ticket.is_open:
            running = ticket.response_due_at if ticket.first_response_at is None else ticket.resolution_due_at
        ticket.next_due_at = running
        ticket.due_soon_at = running - (running - opened) * 0.25 if running else None

    def ticket_history(self) -> None:
        """Two rows per ticket that left New: as logged, and its state now with the change that got it there."""
        tickets = self.tickets_list
        historical = Ticket.history.model
        logged = []
        for t in tickets:
            row = _history(Ticket, [t], reason=self.reason, dates=[t.opened_at])[0]
            row.status = Status.NEW
            row.team_id = row.assignee_id = None
            row.first_response_at = row.resolved_at = row.closed_at = None
            row.resolution = ""
            logged.append(row)
        changed = [t for t in tickets if t.status != Status.NEW]
        dates = [
            t.closed_at or t.resolved_at or t.first_response_at or t.opened_at + dt.timedelta(minutes=20)
            for t in changed
        ]
        reason = f"{self.reason}: status New -> "
        updates = _history(Ticket, changed, reason=self.reason, dates=dates, kind="~")
        for row, t in zip(updates, changed, strict=True):
            row.history_change_reason = reason + Status(t.status).label
        _bulk(historical, logged + updates, self.progress, "ticket history")
        self.summary.counts["ticket history rows"] = len(logged) + len(updates)

    def notes(self) -> None:
        """About two notes per ticket: the first public reply, worklog entries, the resolution note."""
        rng = self.rng
        notes = []
        for t in self.tickets_list:
            end = t.closed_at or t.resolved_at or self.now
            if t.first_response_at is not None:
                notes.append(
                    TicketNote(
                        ticket=t,
                        author=t.assignee,
                        public=True,
                        text=rng.choice(v.NOTES),
                        time_spent_minutes=rng.choice((5, 10, 15)),
                        created_at=t.first_response_at,
                    )
                )
            for _ in range(rng.choice((0, 0, 0, 1))):
                span = max(60.0, (end - t.opened_at).total_seconds())
                notes.append(
                    TicketNote(
                        ticket=t,
                        author=t.assignee,
                        public=False,
                        text=rng.choice(v.NOTES),
                        time_spent_minutes=rng.choice((0, 5, 10, 20, 30, 60)),
                        created_at=t.opened_at + dt.timedelta(seconds=rng.uniform(30, span)),
                    )
                )
            if t.resolved_at is not None:
                notes.append(
                    TicketNote(
                        ticket=t,
                        author=t.assignee,
                        public=True,
                        text=t.resolution,
                        time_spent_minutes=rng.choice((10, 15, 30)),
                        created_at=t.resolved_at,
                    )
                )
        _bulk(TicketNote, notes, self.progress, "notes")
        self.summary.counts["notes"] = len(notes)

    # -- rules ------------------------------------------------------------------------------------------------------
    def rules(self) -> None:
        from workflow.models import Rule
        from workflow.services import rule_create

        rng = self.rng
        shown = [s.pk for s, _share, is_shown in self.vip_shares if is_shown]
        existing = set(Rule.objects.values_list("name", flat=True))
        words = ("printer", "VPN", "password", "slow", "error", "Wi-Fi", "locked", "monitor")
        created = 0
        for n in range(1, self.n_rules + 1):
            name = f"Scale rule {n:03d}"
            if name in existing:
                continue
            kind = n % 8
            team = self.teams[n % len(self.teams)]
            if kind == 0:
                criteria = [{"field": "vip_status", "operator": "in", "value": shown}]
                actions = [{"type": "raise_priority", "value": 1}]
            elif kind == 1:
                criteria = [
                    {"field": "customer_group", "operator": "includes", "value": rng.choice(self.departments).pk},
                    {"field": "ticket_type", "operator": "is", "value": "incident"},
                ]
                actions = [{"type": "assign_team", "value": team.pk}]
            elif kind == 2:
                instance = rng.choice(self.instances_list)
                criteria = [{"field": "service_instance", "operator": "is", "value": instance.pk}]
                actions = [{"type": "add_note", "text": "Check the instance's support notes ({rule})."}]
            elif kind == 3:
                criteria = [
                    {"field": "title", "operator": "contains", "value": rng.choice(words)},
                    {"field": "priority", "operator": "lte", "value": 2},
                ]
                actions = [{"type": "notify_team", "value": team.pk, "text": "{number} needs attention: {title}"}]
            elif kind == 4:
                criteria = [
                    {"field": "technical_service", "operator": "is", "value": rng.choice(self.services).pk},
                    {"field": "impact", "operator": "is", "value": "high"},
                ]
                actions = [{"type": "set_urgency", "value": "high"}]
            elif kind == 5:
                criteria = [
                    {"field": "source", "operator": "is", "value": "api"},
                    {"field": "ticket_type", "operator": "is", "value": "request"},
                ]
                actions = [{"type": "assign_team", "value": team.pk}]
            elif kind == 6:
                criteria = [
                    {"field": "caller_is_vip", "operator": "true"},
                    {"field": "priority", "operator": "gt", "value": 3},
                ]
                actions = [{"type": "set_priority", "value": 3}]
            else:
                criteria = [{"field": "customer_group", "operator": "includes", "value": rng.choice(self.faculties).pk}]
                actions = [{"type": "add_note", "text": "Faculty-wide service: see {rule}."}]
            rule_create(
                user=None,
                change_reason=self.reason,
                name=name,
                description="Scale data rule.",
                active=True,
                criteria=criteria,
                actions=actions,
            )
            created += 1
        self.summary.counts["rules"] = Rule.objects.filter(active=True).count()

    def analyze(self) -> None:
        """PostgreSQL: fresh planner statistics and visibility maps after the bulk load (what autovacuum would do a
        while later), so the first benchmark sees the plans production would (index-only scans need the visibility
        map). SQLite keeps its defaults: the project never runs ANALYZE there, so neither does the benchmark."""
        if connection.vendor != "postgresql":
            return
        tables = [
            model._meta.db_table for model in (Person, Membership, CustomerGroup, ServiceInstance, Ticket, TicketNote)
        ] + [Ticket.history.model._meta.db_table, Person.history.model._meta.db_table]
        # VACUUM cannot run inside a transaction (a test's, or a caller's atomic block); ANALYZE alone can.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f'{command} "{table}"')
        self.progress.log(f"{command} done")

    def run(self) -> Summary:
        started = timezone.now()
        self.reference()
        self.levels_by_id = {level.pk: level for level in ServiceLevel.objects.all()}
        self.people()
        self.groups()
        self.instances()
        self.tickets()
        self.ticket_history()
        self.notes()
        self.rules()
        self.analyze()
        self.summary.seconds = (timezone.now() - started).total_seconds()
        return self.summary


def seed_scale(
    *,
    tickets: int,
    people: int,
    rules: int = 200,
    seed: int = 7,
    anchor: dt.datetime | None = None,
    progress: Progress | None = None,
) -> Summary:
    if has_scale_data():
        raise ScaleDataExists(
            "This database already holds scale data (people @" + v.DOMAIN + "). Seed a fresh database, "
            "e.g. DATABASE_URL or ITSM_SQLITE_PATH pointing at a new file, then migrate."
        )
    if anchor is None:
        today = timezone.now().astimezone(dt.UTC).date()
        anchor = dt.datetime.combine(today, dt.time(0, 0), tzinfo=dt.UTC)
    seeder = ScaleSeeder(
        tickets=tickets, people=people, rules=rules, seed=seed, anchor=anchor, progress=progress or Progress()
    )
    return seeder.run()
