"""Scale data: people, customer groups, instances, tickets, notes, history rows and rules.

Small reference data (VIP statuses, teams, service levels, technical services, the big "group of groups", CIs and
rules) goes through the services like any other write; departments and instances (a few thousand) through
`bulk_create`. The big tables (people, memberships, tickets, their history rows, notes) are generated a chunk at a
time as plain values and written by `bench.bulk.Table` (prepared INSERTs on SQLite, COPY on PostgreSQL), with the
database tuned for the load meanwhile (bench.bulk.tuned_for_loading). Everything derived is computed the way the
services compute it (bench.scale_tickets). A million tickets and 100,000 people take a few minutes.

Deterministic: the same seed, sizes and anchor day give the same rows.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.utils import timezone

from bench import vocabulary as v
from bench.bulk import Table, next_id, reset_sequences, tuned_for_loading
from bench.progress import Progress
from bench.scale_tickets import CHUNK, TicketWriter, World, history_table
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
from tickets.models import Ticket, TicketNote
from vip.models import VipStatus
from vip.selectors import vip_status_get_default
from vip.services import vip_status_create, vip_status_update

BATCH = 2000
# People per department; ten departments make one faculty (a group of groups): 2,000 effective members at full size.
DEPARTMENT_SIZE = 200
DEPARTMENTS_PER_FACULTY = 10
SERVICES_PER_DEPARTMENT = 6
PERSON_NAMES = "id first_name last_name email phone job_title organisation_code vip_status_id active".split()
NEW_ROW = {"history_type": "+", "history_user_id": None}


class ScaleDataExists(Exception):
    """The database already holds scale data."""


def has_scale_data() -> bool:
    return Person.objects.filter(email__endswith="@" + v.DOMAIN).exists()


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _history(model: type[models.Model], objs: Iterable[models.Model], *, reason: str, dates, kind: str = "+"):
    """History rows for the few rows written with bulk_create: the row's values, a date, type and the reason."""
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


def _bulk(model: type[models.Model], objs: list) -> list:
    with transaction.atomic():
        model.objects.bulk_create(objs, batch_size=BATCH)
    return objs


class ScaleSeeder:
    def __init__(self, *, tickets: int, people: int, rules: int, seed: int, anchor: dt.datetime, progress: Progress):
        self.n_tickets = tickets
        self.n_people = people
        self.n_rules = rules
        self.rng = random.Random(seed)
        self.now = anchor
        self.naive_now = anchor.astimezone(dt.UTC).replace(tzinfo=None)  # how the bulk rows carry times
        self.progress = progress
        self.reason = v.REASON
        self.summary = Summary()

    # -- reference data through the services --------------------------------------------------------------------
    def reference(self) -> None:
        self._vip_statuses()
        self._analysts_and_teams()
        self._levels_and_services()
        self.progress.log(f"Teams {len(self.teams)}, analysts {len(self.analysts)}, services {len(self.services)}")

    def _vip_statuses(self) -> None:
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
        self.progress.log(f"VIP statuses: {VipStatus.objects.count()}")

    def _analysts_and_teams(self) -> None:
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

    def _levels_and_services(self) -> None:
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

    # -- people and groups -----------------------------------------------------------------------------------------
    def people(self) -> None:
        """People with their history rows, written a chunk at a time; kept as plain lists (id, status, name)."""
        rng = self.rng
        start = self.naive_now - dt.timedelta(days=900)
        self.n_departments = max(1, self.n_people // DEPARTMENT_SIZE)
        names = PERSON_NAMES
        people, history = Table(Person, names), history_table(Person, names)
        self.person_first_id = first = next_id(Person)
        self.person_vip, self.person_names = [], []
        bar = self.progress.bar("people", self.n_people)
        for chunk_start in range(0, self.n_people, CHUNK):
            rows, past = [], []
            for i in range(chunk_start, min(self.n_people, chunk_start + CHUNK)):
                roll, status = rng.random(), self.default_status.pk
                for vip, share, _shown in self.vip_shares:
                    if roll < share:
                        status = vip.pk
                        break
                    roll -= share
                first_name, last_name = rng.choice(v.FIRST_NAMES), rng.choice(v.LAST_NAMES)
                row = {
                    "id": first + i,
                    "first_name": first_name,
                    "last_name": last_name,
                    "email": f"{first_name}.{last_name}.{i + 1}@{v.DOMAIN}".lower(),
                    "phone": f"+1 608 {rng.randint(200, 999)} {rng.randint(1000, 9999)}",
                    "job_title": rng.choice(v.JOB_TITLES),
                    "organisation_code": f"S{min(i // DEPARTMENT_SIZE, self.n_departments - 1) + 1:06d}",
                    "vip_status_id": status,
                    "active": rng.random() > 0.03,
                }
                rows.append(row)
                past.append(
                    row
                    | {
                        "history_date": start + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 30)),
                        "history_change_reason": self.reason,
                        "history_type": "+",
                        "history_user_id": None,
                    }
                )
                self.person_vip.append(status)
                self.person_names.append(f"{first_name} {last_name}")
            with transaction.atomic():
                people.write(rows)
                history.write(past)
            bar.advance(len(rows))
        bar.close()
        self.summary.counts["people"] = self.n_people

    def groups(self) -> None:
        rng = self.rng
        created = self.now - dt.timedelta(days=800)
        departments = [
            CustomerGroup(
                name=f"Department {d + 1:03d} (scale)",
                kind=CustomerGroup.Kind.DEPARTMENT,
                organisation_code=f"S{d + 1:06d}",
                primary_contact_id=self.person_first_id + d * DEPARTMENT_SIZE,
                support_notes="Scale data department.",
            )
            for d in range(self.n_departments)
        ]
        _bulk(CustomerGroup, departments)
        _bulk(
            CustomerGroup.history.model,
            _history(CustomerGroup, departments, reason=self.reason, dates=[created] * len(departments)),
        )
        self.departments = departments
        names = ("id", "group_id", "person_id", "role")
        memberships, history = Table(Membership, names), history_table(Membership, names)
        first_id = next_id(Membership)
        naive_created = self.naive_now - dt.timedelta(days=800)
        for chunk_start in range(0, self.n_people, CHUNK):
            rows, past = [], []
            for i in range(chunk_start, min(self.n_people, chunk_start + CHUNK)):
                role = Membership.Role.PRIMARY_CONTACT if i % DEPARTMENT_SIZE == 0 else Membership.Role.MEMBER
                department = min(i // DEPARTMENT_SIZE, self.n_departments - 1)
                row = {
                    "id": first_id + i,
                    "group_id": departments[department].pk,
                    "person_id": self.person_first_id + i,
                    "role": str(role),
                }
                rows.append(row)
                date = naive_created + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 60))
                past.append(row | {"history_date": date, "history_change_reason": self.reason} | NEW_ROW)
            with transaction.atomic():
                memberships.write(rows)
                history.write(past)
        self.progress.log(f"Departments {len(departments):,}, memberships {memberships.written:,}")
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
        self.summary.counts["memberships"] = memberships.written

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
                    primary_customer_id=group.primary_contact_id,
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
        _bulk(ServiceInstance, instances)
        created = self.now - dt.timedelta(days=700)
        _bulk(
            ServiceInstance.history.model,
            _history(ServiceInstance, instances, reason=self.reason, dates=[created] * len(instances)),
        )
        self.instances_list = instances
        self._configuration_items(instances)
        self.summary.counts["service instances"] = len(instances)

    def _configuration_items(self, instances: list[ServiceInstance]) -> None:
        """A few configuration items per technical service, serving that service's instances (m2m history kept)."""
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

    # -- tickets ------------------------------------------------------------------------------------------------
    def tickets(self) -> None:
        world = World(
            now=self.naive_now,
            reason=self.reason,
            person_first_id=self.person_first_id,
            person_vip=self.person_vip,
            person_names=self.person_names,
            department_size=DEPARTMENT_SIZE,
            n_departments=self.n_departments,
            dept_instances={
                d: [(i.pk, i.service_level_id) for i in instances] for d, instances in self.dept_instances.items()
            },
            instance_cis={pk: [item.pk for item in items] for pk, items in self.instance_cis.items()},
            team_members={pk: [user.pk for user in members] for pk, members in self.team_members.items()},
            shown_vip={s.pk for s, _share, shown in self.vip_shares if shown},
            level_targets={level.pk: {p: level.target(p) for p in range(1, 6)} for level in ServiceLevel.objects.all()},
            counts=self.summary.counts,
        )
        TicketWriter(world, self.rng, self.progress).run(self.n_tickets)
        reset_sequences([Person, Membership, Ticket])

    # -- rules ------------------------------------------------------------------------------------------------------
    def rules(self) -> None:
        from workflow.models import Rule
        from workflow.services import rule_create

        shown = [s.pk for s, _share, is_shown in self.vip_shares if is_shown]
        existing = set(Rule.objects.values_list("name", flat=True))
        words = ("printer", "VPN", "password", "slow", "error", "Wi-Fi", "locked", "monitor")
        created = 0
        for n in range(1, self.n_rules + 1):
            name = f"Scale rule {n:03d}"
            if name in existing:
                continue
            criteria, actions = self._rule_definition(n, self.teams[n % len(self.teams)], shown, words)
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

    def _rule_definition(self, n: int, team: Team, shown: list[int], words: tuple[str, ...]) -> tuple[list, list]:
        """The criteria and actions of scale rule n: eight kinds in turn, each naming real records."""
        rng = self.rng
        kind = n % 8
        if kind == 0:
            return [{"field": "vip_status", "operator": "in", "value": shown}], [{"type": "raise_priority", "value": 1}]
        if kind == 1:
            return [
                {"field": "customer_group", "operator": "includes", "value": rng.choice(self.departments).pk},
                {"field": "ticket_type", "operator": "is", "value": "incident"},
            ], [{"type": "assign_team", "value": team.pk}]
        if kind == 2:
            instance = rng.choice(self.instances_list)
            return [{"field": "service_instance", "operator": "is", "value": instance.pk}], [
                {"type": "add_note", "text": "Check the instance's support notes ({rule})."}
            ]
        if kind == 3:
            return [
                {"field": "title", "operator": "contains", "value": rng.choice(words)},
                {"field": "priority", "operator": "lte", "value": 2},
            ], [{"type": "notify_team", "value": team.pk, "text": "{number} needs attention: {title}"}]
        if kind == 4:
            return [
                {"field": "technical_service", "operator": "is", "value": rng.choice(self.services).pk},
                {"field": "impact", "operator": "is", "value": "high"},
            ], [{"type": "set_urgency", "value": "high"}]
        if kind == 5:
            return [
                {"field": "source", "operator": "is", "value": "api"},
                {"field": "ticket_type", "operator": "is", "value": "request"},
            ], [{"type": "assign_team", "value": team.pk}]
        if kind == 6:
            return [
                {"field": "caller_is_vip", "operator": "true"},
                {"field": "priority", "operator": "gt", "value": 3},
            ], [{"type": "set_priority", "value": 3}]
        return [{"field": "customer_group", "operator": "includes", "value": rng.choice(self.faculties).pk}], [
            {"type": "add_note", "text": "Faculty-wide service: see {rule}."}
        ]

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
        with tuned_for_loading(self.progress.log):
            self.people()
            self.groups()
            self.instances()
            self.tickets()
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
