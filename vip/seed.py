from vip import services
from vip.models import VipStatus
from vip.selectors import vip_status_get_default

DEMO_STATUSES = [
    (
        "Executive",
        "#1F4E8C",
        True,
        "C-level executives and senior leaders: call back within 15 minutes and keep their assistant informed.",
    ),
    (
        "Critical Role",
        "#F79009",
        True,
        "Roles critical for business operations (system administrators, heads of units).",
    ),
    ("High Impact User", "#6941C6", True, "Users whose downtime significantly affects productivity."),
]


def seed(*, user, out) -> None:
    default = vip_status_get_default()
    if default.show_on_tickets:
        services.vip_status_update(default, user=user, change_reason="Demo data", show_on_tickets=False)
    for name, colour, shown, description in DEMO_STATUSES:
        if not VipStatus.objects.filter(name__iexact=name).exists():
            services.vip_status_create(
                user=user,
                change_reason="Demo data",
                name=name,
                colour=colour,
                show_on_tickets=shown,
                description=description,
            )
    out.write(f"VIP statuses: {VipStatus.objects.count()}")
