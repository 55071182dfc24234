from colorfield.fields import ColorField
from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from vip.selectors import vip_status_get_default


class VipStatusQuerySet(models.QuerySet):
    def ordered(self):
        return self.order_by("position")


class VipStatus(models.Model):
    """A named VIP level held by people (Executive, Critical Role, ...); global, never partitioned."""

    name = models.CharField(
        verbose_name="name",
        max_length=60,
    )
    colour = ColorField(
        verbose_name="colour",
        default="#1F6FEB",
        help_text="Shown as the badge background wherever a person with this status appears.",
    )
    show_on_tickets = models.BooleanField(
        verbose_name="show on tickets",
        default=True,
        help_text="Display on calls and requests: analysts see the badge and the ticket banner.",
    )
    position = models.PositiveIntegerField(
        verbose_name="position",
        help_text="Order in lists and drop-downs, 1 first.",
    )
    is_default = models.BooleanField(
        verbose_name="default",
        default=False,
        help_text="Every person without another status holds the default. Exactly one status is the default.",
    )
    description = models.TextField(
        verbose_name="description",
        blank=True,
    )

    history = HistoricalRecords()
    objects = VipStatusQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        verbose_name = "VIP status"
        verbose_name_plural = "VIP statuses"
        permissions = [("view_confidential_status", "Can see VIP statuses that are not shown on tickets")]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="vip_status_unique_name_ci",
                violation_error_message="A VIP status with this name already exists.",
                violation_error_code="unique",
            ),
            models.UniqueConstraint(
                fields=["position"],
                name="vip_status_unique_position",
                violation_error_message="Another VIP status already has this position.",
                violation_error_code="unique",
            ),
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="vip_status_one_default",
                violation_error_message="Another VIP status is already the default.",
                violation_error_code="unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def text_colour(self) -> str:
        return contrast_text_colour(self.colour)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def rgb(hex_colour: str) -> tuple[int, int, int]:
    value = (hex_colour or "#000000").lstrip("#")
    if len(value) == 3:
        value = "".join(ch * 2 for ch in value)
    try:
        return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]
    except ValueError:
        return (0, 0, 0)


def luminance(hex_colour: str) -> float:
    r, g, b = rgb(hex_colour)
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_text_colour(hex_colour: str) -> str:
    """Black or white, whichever contrasts more with the colour (WCAG relative luminance)."""
    lum = luminance(hex_colour)
    contrast_black = (lum + 0.05) / 0.05
    contrast_white = 1.05 / (lum + 0.05)
    return "#000000" if contrast_black >= contrast_white else "#ffffff"


# Colours the desk uses for alarms: a VIP status close to one would read like an error.
SYSTEM_COLOURS = {"P1 and breach red": "#B42318"}
TOO_CLOSE = 80  # Euclidean distance in RGB (0-441); below it two badges are told apart by shape only


def close_system_colours(hex_colour: str) -> list[str]:
    r, g, b = rgb(hex_colour)
    close = []
    for name, system in SYSTEM_COLOURS.items():
        sr, sg, sb = rgb(system)
        if ((r - sr) ** 2 + (g - sg) ** 2 + (b - sb) ** 2) ** 0.5 < TOO_CLOSE:
            close.append(name)
    return close


def default_vip_status_id() -> int:
    """Field default for Person.vip_status: the default status, recreated when a flushed test database lost it."""
    return vip_status_get_default().pk
