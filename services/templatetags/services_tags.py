from django import template
from django.utils.html import format_html

register = template.Library()

STATUS_CLASSES = {"agreement": "ok", "prospective": "warn", "retired": "muted"}


@register.filter
def minutes(value):
    """A target in minutes, compact: '45 min', '4 h', '1 d 12 h'."""
    if value in (None, ""):
        return "—"
    value = int(value)
    if value < 60:
        return f"{value} min"
    if value < 1440:
        hours, rest = divmod(value, 60)
        return f"{hours} h" + (f" {rest} min" if rest else "")
    days, rest = divmod(value, 1440)
    return f"{days} d" + (f" {rest // 60} h" if rest >= 60 else "")


@register.simple_tag
def status_badge(instance):
    """The instance status as a badge; the name is always written, colour only supports it."""
    return format_html(
        '<span class="badge status-{} {}">{}</span>',
        instance.status,
        STATUS_CLASSES.get(instance.status, ""),
        instance.get_status_display(),
    )
