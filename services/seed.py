"""The service register's demo data (idempotent; every write explained as demo data)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from people.models import Person, Team
from services import services
from services.models import (
    ConfigurationItem,
    CustomerGroup,
    Membership,
    ServiceInstance,
    ServiceLevel,
    TechnicalService,
)

REASON = "Demo data"

SERVICES = [
    ("Shared Drive", "Storage", "Server Team", "Departmental file storage with snapshots and off-site backup."),
    ("Virtualisation", "Infrastructure", "Server Team", "Virtual servers on the campus cluster."),
    ("Email", "Collaboration", "Applications", "Mailboxes, calendars and lists."),
    ("ERP", "Business applications", "Applications", "Finance, HR and student records."),
    ("Campus Network", "Infrastructure", "Network Operations", "Wired and wireless network, VPN."),
    ("Research Computing", "Infrastructure", "Server Team", "High-throughput compute and scratch storage."),
]

# name, hours, (response, resolution) minutes for P1..P5
LEVELS = [
    ("Gold", "24x7", [(15, 240), (30, 480), (60, 960), (240, 2880), (480, 7200)], "Round the clock, fastest targets."),
    ("Silver", "business", [(30, 480), (60, 960), (120, 1440), (480, 4320), (960, 10080)], "Business hours."),
    ("Bronze", "business", [(60, 960), (120, 1440), (480, 2880), (960, 7200), (1440, 14400)], "Best effort."),
]

DEPARTMENTS = [
    ("Chemistry", "A061100"),
    ("Physics", "A061200"),
    ("Biology", "A061300"),
    ("Office of the Registrar", "A530100"),
    ("Finance Office", "A540100"),
    ("University Library", "A480100"),
]
FACULTY = ("Faculty of Science", "A061000", ["Chemistry", "Physics", "Biology"])
GROUP_OF_GROUPS = ("Academic Units", ["Faculty of Science", "University Library"])
INDIVIDUALS = ["University Leadership", "Research Computing Users"]

P, A, R = ServiceInstance.Status.PROSPECTIVE, ServiceInstance.Status.AGREEMENT, ServiceInstance.Status.RETIRED
# service, group, status, level, charge (model, amount)
INSTANCES = [
    ("Shared Drive", "Chemistry", A, "Silver", ("per_user", "2.50")),
    ("Shared Drive", "Physics", A, "Bronze", ("per_user", "2.50")),
    ("Shared Drive", "Office of the Registrar", A, "Gold", ("flat", "400.00")),
    ("Virtualisation", "Chemistry", A, "Silver", ("flat", "120.00")),
    ("Virtualisation", "Biology", P, None, ("none", None)),
    ("Email", "University Leadership", A, "Gold", ("none", None)),
    ("Email", "Academic Units", A, "Silver", ("none", None)),
    ("ERP", "Office of the Registrar", A, "Gold", ("none", None)),
    ("ERP", "Finance Office", A, "Gold", ("none", None)),
    ("Campus Network", "Faculty of Science", A, "Silver", ("none", None)),
    ("Research Computing", "Research Computing Users", A, "Bronze", ("per_user", "15.00")),
    ("Research Computing", "Physics", R, "Bronze", ("none", None)),
    ("Shared Drive", "University Library", P, None, ("none", None)),
]


def _get_or(model, create, **lookup):
    obj = model.objects.filter(**lookup).first()
    return obj if obj is not None else create()


OFFICE, ALWAYS = "Office hours (Europe/Berlin)", "24x7"


def _demo_calendars(user) -> dict:
    """Office hours Mon-Fri 08:00-17:00 in Berlin with German public holidays, and round the clock."""
    from services.calendar_services import calendar_create
    from services.models import Calendar

    wanted = {
        OFFICE: {"time_zone": "Europe/Berlin", "country": "DE", "hours": [(d, 8 * 60, 17 * 60) for d in range(5)]},
        ALWAYS: {"time_zone": "UTC", "hours": [(d, 0, 24 * 60) for d in range(7)]},
    }
    calendars = {}
    for name, fields in wanted.items():
        calendars[name] = Calendar.objects.filter(name__iexact=name).first() or calendar_create(
            user=user, change_reason=REASON, name=name, **fields
        )
    return calendars


def seed(*, user, out) -> None:
    today = timezone.localdate()
    now = timezone.now()
    teams = {t.name: t for t in Team.objects.all()}
    people = list(Person.objects.filter(login__isnull=True).select_related("vip_status").order_by("id"))
    if len(people) < 20:
        out.write("Services: skipped (needs the people demo data first)")
        return
    vips = [p for p in people if p.vip_status.show_on_tickets] or people
    others = [p for p in people if not p.vip_status.show_on_tickets] or people

    catalogue = _catalogue(user, teams)
    levels = _levels(user)
    groups = _groups(user, vips, others)
    if not Membership.objects.exists():
        _memberships(user, groups, people, vips, others, today)
    instances = _instances(user, catalogue, groups, levels, vips, others, today)
    if not ConfigurationItem.objects.exists():
        _configuration_items(user, teams, instances)
    registry_erp = instances.get(("ERP", "Office of the Registrar"))
    if registry_erp and not registry_erp.timeframes.exists():
        _timeframes(user, instances, now)
        _tasks(user, instances, today)

    out.write(
        f"Services: {TechnicalService.objects.count()} technical services, {CustomerGroup.objects.count()} groups, "
        f"{ServiceInstance.objects.count()} instances"
    )


def _catalogue(user, teams: dict) -> dict[str, TechnicalService]:
    catalogue = {}
    for name, category, team, description in SERVICES:
        catalogue[name] = _get_or(
            TechnicalService,
            lambda name=name, category=category, team=team, description=description: services.technical_service_create(
                user=user,
                change_reason=REASON,
                name=name,
                category=category,
                owner_team=teams.get(team),
                description=description,
            ),
            name__iexact=name,
        )
    return catalogue


def _levels(user) -> dict[str, ServiceLevel]:
    calendars = _demo_calendars(user)
    levels = {}
    for name, hours, targets, description in LEVELS:
        fields = {
            f"p{p}_{kind}_minutes": targets[p - 1][k]
            for p in range(1, 6)
            for k, kind in enumerate(("response", "resolution"))
        }
        levels[name] = _get_or(
            ServiceLevel,
            lambda name=name, hours=hours, fields=fields, description=description: services.service_level_create(
                user=user,
                change_reason=REASON,
                name=name,
                hours=hours,
                description=description,
                calendar=calendars[OFFICE if hours == "business" else ALWAYS],
                **fields,
            ),
            name__iexact=name,
        )
    return levels


def _groups(user, vips: list, others: list) -> dict[str, CustomerGroup]:
    groups: dict[str, CustomerGroup] = {}

    def group(name, **fields):
        if name not in groups:
            groups[name] = _get_or(
                CustomerGroup,
                lambda: services.customer_group_create(user=user, change_reason=REASON, name=name, **fields),
                name__iexact=name,
            )
        return groups[name]

    for i, (name, code) in enumerate(DEPARTMENTS):
        group(
            name,
            kind=CustomerGroup.Kind.DEPARTMENT,
            organisation_code=code,
            primary_contact=vips[i % len(vips)],
            secondary_contact=others[i],
            support_notes="Call the primary contact before any planned outage." if i % 2 == 0 else "",
        )
    faculty_name, faculty_code, faculty_parts = FACULTY
    faculty = group(
        faculty_name,
        kind=CustomerGroup.Kind.DEPARTMENT,
        organisation_code=faculty_code,
        primary_contact=vips[-1],
        general_notes="The faculty office signs agreements for its departments.",
    )
    if not faculty.nested_groups.exists():
        services.customer_group_update(
            faculty, user=user, change_reason=REASON, nested_groups=[groups[n] for n in faculty_parts]
        )
    umbrella_name, umbrella_parts = GROUP_OF_GROUPS
    umbrella = group(umbrella_name, kind=CustomerGroup.Kind.GROUPS)
    if not umbrella.nested_groups.exists():
        services.customer_group_update(
            umbrella, user=user, change_reason=REASON, nested_groups=[groups[n] for n in umbrella_parts]
        )
    for name in INDIVIDUALS:
        group(name, kind=CustomerGroup.Kind.INDIVIDUALS, primary_contact=vips[0])
    return groups


def _memberships(user, groups: dict, people: list, vips: list, others: list, today: dt.date) -> None:
    """A few people per department, VIPs among them, and the contacts with their roles."""
    cursor = 0
    for name, _code in DEPARTMENTS:
        g = groups[name]
        for _ in range(4):
            person = people[cursor % len(people)]
            cursor += 1
            services.membership_create(user=user, change_reason=REASON, group=g, person=person)
        if g.primary_contact_id:
            services.membership_create(
                user=user, change_reason=REASON, group=g, person=g.primary_contact, role="primary_contact"
            )
    services.membership_create(
        user=user, change_reason=REASON, group=groups[FACULTY[0]], person=vips[-1], role=Membership.Role.APPROVER
    )
    for person in vips[:5]:
        services.membership_create(
            user=user, change_reason=REASON, group=groups["University Leadership"], person=person
        )
    for person in people[25:33]:
        services.membership_create(
            user=user, change_reason=REASON, group=groups["Research Computing Users"], person=person
        )
    services.membership_create(
        user=user,
        change_reason=REASON,
        group=groups["Finance Office"],
        person=others[-1],
        role=Membership.Role.BILLING_CONTACT,
        start_date=today - dt.timedelta(days=400),
    )


def _instances(user, catalogue: dict, groups: dict, levels: dict, vips: list, others: list, today: dt.date) -> dict:
    instances: dict[tuple[str, str], ServiceInstance] = {}
    for i, (service_name, group_name, status, level, (charge_model, amount)) in enumerate(INSTANCES):
        existing = ServiceInstance.objects.filter(
            technical_service=catalogue[service_name], customer_group=groups[group_name]
        ).first()
        if existing:
            instances[service_name, group_name] = existing
            continue
        g = groups[group_name]
        fields = {
            "technical_service": catalogue[service_name],
            "customer_group": g,
            "status": status,
            "service_level": levels.get(level) if level else None,
            "owner_team": catalogue[service_name].owner_team,
            "owner": others[(i + 3) % len(others)],
            "primary_customer": g.primary_contact or vips[i % len(vips)],
            "secondary_customer": others[(i + 7) % len(others)],
            "billing_code": f"CC-{4100 + i}" if charge_model != "none" else "",
            "charge_model": charge_model,
            "charge_amount": Decimal(amount) if amount else None,
            "start_date": today - dt.timedelta(days=700 - 40 * i),
            "agreement_date": today - dt.timedelta(days=650 - 40 * i) if status != P else None,
            "review_date": today + dt.timedelta(days=(-12 if i % 6 == 1 else 60 + 9 * i)),
            "last_contact_date": today - dt.timedelta(days=30 + 5 * i),
            "next_contact_date": today + dt.timedelta(days=(-3 if i % 6 == 4 else 20 + 4 * i)),
            "description": f"{service_name} for {group_name}.",
        }
        if status == R:
            fields["end_date"] = today - dt.timedelta(days=60)
            fields["review_date"] = None
            fields["next_contact_date"] = None
        instances[service_name, group_name] = services.service_instance_create(
            user=user, change_reason=REASON, **fields
        )
    return instances


# name, type, asset tag, the (service, group) instances it serves
CONFIGURATION_ITEMS = [
    ("vm-chem-lims-01", "server", "SRV-10421", [("Virtualisation", "Chemistry")]),
    ("vm-chem-web-01", "server", "SRV-10422", [("Virtualisation", "Chemistry")]),
    ("LIMS", "application", "", [("Virtualisation", "Chemistry")]),
    ("fs-dept-01", "server", "SRV-10001", [("Shared Drive", "Chemistry"), ("Shared Drive", "Physics")]),
    ("fs-reg-01", "server", "SRV-10002", [("Shared Drive", "Office of the Registrar")]),
    ("erp-db-prod", "database", "DB-2001", [("ERP", "Office of the Registrar"), ("ERP", "Finance Office")]),
    ("ERP application", "application", "", [("ERP", "Office of the Registrar"), ("ERP", "Finance Office")]),
    ("core-sw-sci-1", "network", "NW-3301", [("Campus Network", "Faculty of Science")]),
    ("hpc-login-01", "server", "SRV-20001", [("Research Computing", "Research Computing Users")]),
    ("mx-gateway", "application", "", [("Email", "University Leadership"), ("Email", "Academic Units")]),
]


def _configuration_items(user, teams: dict, instances: dict) -> None:
    for name, ci_type, tag, links in CONFIGURATION_ITEMS:
        services.configuration_item_create(
            user=user,
            change_reason=REASON,
            name=name,
            ci_type=ci_type,
            asset_tag=tag,
            owner_team=teams.get("Network Operations" if ci_type == "network" else "Server Team"),
            service_instances=[instances[link] for link in links if link in instances],
        )


# (service, group), name, starts and ends in days from now, recurs yearly, heightened support
TIMEFRAMES = [
    (("ERP", "Office of the Registrar"), "Registration week: enhanced on-call", -2, 5, True, True),
    (("ERP", "Office of the Registrar"), "Graduation", 120, 123, True, True),
    (("ERP", "Finance Office"), "Year-end close", 35, 45, True, True),
    (("Shared Drive", "Office of the Registrar"), "Exam results upload", -1, 3, False, False),
    (("Virtualisation", "Chemistry"), "Grant deadline", 20, 22, False, True),
]
# (service, group), title, due in days from today, status
TASKS = [
    (("ERP", "Office of the Registrar"), "Annual service review with the registrar", 14, "open"),
    (("ERP", "Office of the Registrar"), "Confirm registration-week contacts", -3, "open"),
    (("Virtualisation", "Chemistry"), "Renew agreement", 40, "open"),
    (("Shared Drive", "Chemistry"), "Send usage report", -20, "done"),
    (("Virtualisation", "Biology"), "Send proposal and costs", 7, "open"),
]


def _timeframes(user, instances: dict, now: dt.datetime) -> None:
    for key, name, start_days, end_days, yearly, heightened in TIMEFRAMES:
        start, end = now + dt.timedelta(days=start_days), now + dt.timedelta(days=end_days)
        services.timeframe_create(
            user=user,
            change_reason=REASON,
            service_instance=instances[key],
            name=name,
            start=start.replace(minute=0, second=0, microsecond=0),
            end=end.replace(minute=0, second=0, microsecond=0),
            recurs_yearly=yearly,
            heightened_support=heightened,
            notes="Page the on-call engineer for any P1/P2." if heightened else "",
        )


def _tasks(user, instances: dict, today: dt.date) -> None:
    admin = get_user_model().objects.filter(username="admin").first()
    for key, title, due_days, status in TASKS:
        instance = instances[key]
        services.task_create(
            user=user,
            change_reason=REASON,
            service_instance=instance,
            title=title,
            due_date=today + dt.timedelta(days=due_days),
            status=status,
            team=instance.owner_team,
            assignee=admin,
        )
