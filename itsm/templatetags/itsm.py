from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context, key: str, label: str, css: str = ""):
    """A column header cell (`<th>`) that sorts by `key`, toggling direction, and keeps the other filters; the cell
    carries `aria-sort`, as screen readers expect it on the header, not on the link."""
    current = context.get("sort", "")
    base = context.get("query_without_sort", "")
    descending = current == key
    target = f"-{key}" if descending else key
    arrow = "▲" if current == key else "▼" if current == f"-{key}" else ""
    aria = "ascending" if current == key else "descending" if current == f"-{key}" else "none"
    query = f"{base}&sort={target}" if base else f"sort={target}"
    return format_html(
        '<th{} aria-sort="{}"><a href="?{}">{} <span class="arrow" aria-hidden="true">{}</span></a></th>',
        format_html(' class="{}"', css) if css else "",
        aria,
        query,
        label,
        arrow,
    )


@register.filter
def age(value):
    """Compact age: '45 min', '3 h', '2 d'."""
    from django.utils import timezone

    if not value:
        return ""
    seconds = max(0, int((timezone.now() - value).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


@register.filter
def change_value(value):
    """A value in a history diff: date-times read like every other time on the pages ('2026-11-22 21:46')."""
    from itsm.diffs import plain

    return plain(value)


@register.simple_tag
def change_diff(change):
    """One field's change: a colour with its swatch, a long text word by word, otherwise 'old → new'."""
    from itsm.diffs import render_change

    return render_change(change.old, change.new)


@register.filter
def get_item(mapping, key):
    """`{{ dict|get_item:name }}`: a dictionary value by a key held in a variable."""
    return mapping.get(key, "") if hasattr(mapping, "get") else ""
