"""What other apps add to a ticket's API and page, so that tickets never imports them (apps import only downward).

An app registers from its AppConfig.ready():

- `register_detail_field(name, make_field, prefetch=...)`: a read-only field of the ticket detail in the API
  (`/api/tickets/{number}/`). `make_field()` returns a fresh serializer field; `prefetch` lists the
  `prefetch_related` lookups the field reads, so that the detail costs the same number of queries whatever it holds.
- `register_field_notes(fn)`: `fn(ticket)` returns `{field name: FieldNote}` for fields of the ticket page (priority,
  team, status) that deserve a short explanation next to the value, e.g. the workflow rule that set it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DetailField:
    name: str
    make_field: Callable[[], Any]
    prefetch: tuple[Any, ...] = ()


@dataclass(frozen=True)
class FieldNote:
    """A short explanation of a field's value: a summary ("Why?") and the sentence it opens to."""

    text: str
    summary: str = "Why?"
    url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


NotesFn = Callable[[Any], dict[str, FieldNote]]

_detail_fields: dict[str, DetailField] = {}
_note_fns: list[NotesFn] = []


def register_detail_field(name: str, make_field: Callable[[], Any], *, prefetch: tuple[Any, ...] = ()) -> None:
    _detail_fields[name] = DetailField(name, make_field, tuple(prefetch))


def detail_fields() -> dict[str, Any]:
    """Fresh serializer fields for the ticket detail, by name."""
    return {name: extra.make_field() for name, extra in _detail_fields.items()}


def detail_prefetch() -> list[Any]:
    return [lookup for extra in _detail_fields.values() for lookup in extra.prefetch]


def register_field_notes(fn: NotesFn) -> None:
    if fn not in _note_fns:
        _note_fns.append(fn)


def field_notes(ticket: Any) -> dict[str, FieldNote]:
    """Every registered app's notes for the ticket page; the first app to explain a field wins."""
    notes: dict[str, FieldNote] = {}
    for fn in _note_fns:
        for name, note in (fn(ticket) or {}).items():
            notes.setdefault(name, note)
    return notes


# -- the call preview on Log a call ----------------------------------------------------------------------------------
PreviewFn = Callable[..., dict[str, Any]]
_preview_fns: list[PreviewFn] = []


def register_call_preview(fn: PreviewFn) -> None:
    """`fn(ticket=<unsaved ticket as logging would build it>, user=...)` returns what would change it before it is
    saved: {"changes": {field: value}, "because": {field: "Rule 1 'Name'"}} (the workflow rules' outcome)."""
    if fn not in _preview_fns:
        _preview_fns.append(fn)


def call_preview(ticket: Any, *, user: Any) -> dict[str, Any]:
    result: dict[str, Any] = {"changes": {}, "because": {}}
    for fn in _preview_fns:
        found = fn(ticket=ticket, user=user) or {}
        result["changes"].update(found.get("changes", {}))
        result["because"].update(found.get("because", {}))
    return result
