"""One search over every kind the reader may view: tickets, people, service instances, customer groups and
configuration items, each ranked by its owning app's full-text index, best matches first."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models.functions import Lower
from django.urls import reverse

from itsm.counts import Total
from itsm.fulltext import parse
from people.models import Person
from people.search import search_people
from services.search import search_configuration_items, search_groups, search_instances
from tickets import selectors as ticket_selectors
from tickets.search import search_tickets
from vip.visibility import is_visible

# The top bar's limit per kind on the results page, and in the type-ahead.
PAGE_LIMIT = 10
SUGGEST_LIMIT = 4
KIND_PAGE_SIZE = 50
# Longer than any real search; a longer text is refused (API) or cut (page), never an error.
MAX_QUERY_CHARS = 200


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    permission: str
    find: Callable[..., tuple[list, int]]


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "ticket",
            "Tickets",
            "tickets.view_ticket",
            lambda q, user, **page: search_tickets(q, user=user, **page),
        ),
        Kind("person", "People", "people.view_person", lambda q, user, **page: search_people(q, **page)),
        Kind(
            "instance",
            "Service instances",
            "services.view_serviceinstance",
            lambda q, user, **page: search_instances(q, **page),
        ),
        Kind(
            "group", "Customer groups", "services.view_customergroup", lambda q, user, **page: search_groups(q, **page)
        ),
        Kind(
            "ci",
            "Configuration items",
            "services.view_configurationitem",
            lambda q, user, **page: search_configuration_items(q, **page),
        ),
    )
}
# The `kind` values of the API (one enum in the schema).
KIND_CHOICES = list(KINDS)


@dataclass
class Hit:
    """One result, the same on the page, in the type-ahead and in the API."""

    kind: str
    obj: Any
    title: str
    detail: str
    url: str | None
    vip_status: Any = None  # the person's (or caller's) status when this reader may see it


@dataclass
class KindResults:
    kind: str
    label: str
    total: Total  # exact up to fulltext.RANK_WINDOW matches; past it see FullTextIndex.ranked
    hits: list[Hit] = field(default_factory=list)


def allowed_kinds(user: Any) -> list[str]:
    return [name for name, kind in KINDS.items() if user.has_perm(kind.permission)]


def _join(*parts: Any) -> str:
    return " · ".join(str(part) for part in parts if part)


def _hit(kind: str, obj: Any, user: Any) -> Hit:
    if kind == "ticket":
        caller = obj.caller
        shown = caller.vip_status if caller.vip_status.show_on_tickets else None
        detail = _join(caller.full_name, obj.get_status_display(), f"P{obj.priority}")
        return Hit(kind, obj, f"{obj.number} {obj.title}", detail, obj.get_absolute_url(), shown)
    if kind == "person":
        status = obj.vip_status if is_visible(obj.vip_status, user) else None
        detail = _join(obj.email, obj.phone, obj.job_title, "" if obj.active else "inactive")
        return Hit(kind, obj, obj.full_name, detail, obj.get_absolute_url(), status)
    if kind == "instance":
        url = reverse("services:instance_detail", args=[obj.pk])
        return Hit(kind, obj, obj.title, _join(obj.get_status_display(), obj.service_level), url)
    if kind == "group":
        return Hit(kind, obj, obj.name, _join(obj.get_kind_display(), obj.organisation_code), obj.get_absolute_url())
    instances = list(obj.service_instances.all())
    # A configuration item has no page of its own: it is listed on the pages of the instances it serves.
    url = reverse("services:instance_detail", args=[instances[0].pk]) + "#configuration-items" if instances else None
    detail = _join(obj.get_ci_type_display(), obj.get_status_display(), ", ".join(i.title for i in instances))
    return Hit(kind, obj, obj.name, detail, url)


def search(
    text: str,
    *,
    user: Any,
    kinds: Sequence[str] | None = None,
    limit: int = PAGE_LIMIT,
    offset: int = 0,
) -> list[KindResults]:
    """The matches of every kind asked for that the user may view (all by default), best first, with totals. Two
    queries per kind (three for configuration items, which bring their instances), whatever the number of matches."""
    query = parse(text[:MAX_QUERY_CHARS])
    results = []
    for name in allowed_kinds(user):
        if kinds is not None and name not in kinds:
            continue
        kind = KINDS[name]
        rows, total = kind.find(query, user, limit=limit, offset=offset) if query else ([], Total(0, exact=True))
        results.append(KindResults(name, kind.label, total, [_hit(name, row, user) for row in rows]))
    return results


def direct_hit(text: str, *, user: Any) -> str | None:
    """Where a ticket number or an exact e-mail address goes straight away (when the reader may view it)."""
    text = text.strip()
    if user.has_perm("tickets.view_ticket"):
        ticket = ticket_selectors.ticket_by_number(text)
        if ticket is not None:
            return ticket.get_absolute_url()
    if "@" in text and " " not in text and len(text) <= 254 and user.has_perm("people.view_person"):
        # LOWER(email) = ..., the expression of the unique index on e-mail addresses.
        person = Person.objects.alias(email_lower=Lower("email")).filter(email_lower=text.lower()).only("pk").first()
        if person is not None:
            return person.get_absolute_url()
    return None
