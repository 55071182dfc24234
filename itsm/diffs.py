"""How one field's change reads on a history row: colours as swatches, long texts as word-level differences, other
values as "old -> new". Shared by the detail pages, the audit log and the admin's revert preview."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Any

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
LONG_TEXT = 60  # characters: beyond this a change is shown word by word, not as two whole texts
EMPTY = "—"


def plain(value: Any) -> str:
    """A value as text; date-times read like every other time on the pages ('2026-11-22 21:46')."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def _value(value: Any) -> SafeString:
    text = plain(value)
    if COLOUR.match(text):
        return format_html('<span class="swatch" style="background:{}" aria-hidden="true"></span>{}', text, text)
    return format_html("{}", text)


def word_diff(old: str, new: str) -> SafeString:
    """The new text with removed words struck through (<del>) and added words marked (<ins>)."""
    before, after = old.split(), new.split()
    parts = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            parts.append(format_html("<del>{}</del>", " ".join(before[a1:a2])))
        if op in ("insert", "replace"):
            parts.append(format_html("<ins>{}</ins>", " ".join(after[b1:b2])))
        if op == "equal":
            parts.append(format_html("{}", " ".join(before[a1:a2])))
    return format_html_join(" ", "{}", ((p,) for p in parts))


def render_change(old: Any, new: Any) -> SafeString:
    if isinstance(old, str) and isinstance(new, str) and max(len(old), len(new)) > LONG_TEXT:
        return format_html('<span class="word-diff">{}</span>', word_diff(old, new))
    return format_html("{} → {}", _value(old), _value(new))
