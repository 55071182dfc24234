import random

from django.contrib.auth import get_user_model

from people import services
from people.models import Person, Team
from vip.models import VipStatus

TEAMS = ["Service Desk", "VIP Desk", "Desktop Support", "Network Operations", "Server Team", "Applications"]
FIRST = [
    "Alice",
    "Ben",
    "Chloe",
    "Daniel",
    "Emma",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kofi",
    "Lena",
    "Marta",
    "Nina",
    "Omar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tara",
    "Uma",
    "Victor",
    "Wen",
    "Yusuf",
    "Zoe",
]
LAST = [
    "Anders",
    "Baker",
    "Costa",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ivanova",
    "Jensen",
    "Kim",
    "Larsen",
    "Moreau",
    "Novak",
    "Okafor",
    "Patel",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Tanaka",
]
TITLES = [
    "Chief Executive Officer",
    "Chief Financial Officer",
    "Dean of Science",
    "Head of Registry",
    "System Administrator",
    "Research Associate",
    "Lecturer",
    "Accountant",
    "Administrator",
    "Librarian",
]
EXECUTIVE_TITLES = TITLES[:3]
OTHER_TITLES = TITLES[3:]


def seed(*, user, out) -> None:
    _teams(user)
    if Person.objects.count() >= 50:
        out.write(f"People: {Person.objects.count()} (already seeded)")
        return
    statuses = {s.name: s for s in VipStatus.objects.all()}
    default = next(s for s in statuses.values() if s.is_default)
    _people(user, statuses, default)
    _analysts_as_people(user, default)
    out.write(f"People: {Person.objects.count()}")


def _teams(user) -> None:
    User = get_user_model()
    for name in TEAMS:
        if not Team.objects.filter(name__iexact=name).exists():
            services.team_create(
                user=user, change_reason="Demo data", name=name, email=f"{name.lower().replace(' ', '.')}@example.org"
            )
    desk = Team.objects.get(name="Service Desk")
    vip_desk = Team.objects.get(name="VIP Desk")
    analysts = list(User.objects.filter(username__in=("admin", "analyst")))
    # Through the service (history with the reason), and only when something is missing, so a re-run writes nothing.
    for team in (desk, vip_desk):
        members = set(team.members.all())
        if not set(analysts) <= members:
            services.team_update(team, user=user, change_reason="Demo data", members=[*members, *analysts])


def _people(user, statuses: dict, default: VipStatus) -> None:
    """Fifty people, most on the default status; the same ones on every run (a fixed seed)."""
    rng = random.Random(42)
    weights = [
        (default, 70),
        (statuses.get("Executive"), 8),
        (statuses.get("Critical Role"), 10),
        (statuses.get("High Impact User"), 12),
    ]
    weights = [(s, w) for s, w in weights if s is not None]
    created = 0
    i = 0
    while created < 50:
        first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
        i += 1
        email = f"{first}.{last}{i}@example.org".lower()
        if Person.objects.filter(email__iexact=email).exists():
            continue
        status = rng.choices([s for s, _ in weights], [w for _, w in weights])[0]
        # Executive job titles go with the Executive status, so the demo never shows a Standard CEO.
        title = rng.choice(EXECUTIVE_TITLES if status.name == "Executive" else OTHER_TITLES)
        services.person_create(
            user=user,
            change_reason="Demo data",
            first_name=first,
            last_name=last,
            email=email,
            phone=f"+44 20 7946 {1000 + i:04d}",
            job_title=title,
            organisation_code=f"A06{1000 + (i % 12) * 7}",
            vip_status=status,
        )
        created += 1


def _analysts_as_people(user, default: VipStatus) -> None:
    User = get_user_model()
    for username in ("admin", "analyst"):
        analyst = User.objects.filter(username=username).first()
        if analyst and not Person.objects.filter(login=analyst).exists():
            services.person_create(
                user=user,
                change_reason="Demo data",
                first_name={"admin": "Ada", "analyst": "Andy"}[username],
                last_name=username.capitalize(),
                email=f"{username}@example.org",
                login=analyst,
                vip_status=default,
            )
