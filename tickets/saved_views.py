"""Saved queue views: which a user sees, what query they may store, and the writes (create, rename, share, delete).

A view is a name for a query string of the queue. Only the queue's own parameters are kept, each with a value the
queue accepts as it is, so a stored view never carries anything the queue would ignore, bend or refuse.

A personal view is a preference, not shared data: an editor may give a change reason, and when none is given the
history says what changed ("name Mine -> My P1s"). Who and when are always recorded.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import QueryDict

from itsm.params import search_param
from itsm.services import record_create, record_delete, record_update
from people.models import Team
from tickets.filters import ALIASES, QueueFilter
from tickets.models import SavedView, Ticket

QUERY_MAX = SavedView._meta.get_field("query").max_length
NAME_MAX = SavedView._meta.get_field("name").max_length
RAW_QUERY_MAX = QUERY_MAX * 4
# Not part of a view: the page is where the analyst was, not what they want to see.
DROPPED = frozenset({"page"})
SHARE_PERMISSION = "tickets.share_savedview"


# -- reads --------------------------------------------------------------------------------------------------------
def visible_saved_views(user: Any) -> QuerySet[SavedView]:
    """The user's own views and those shared with a team they belong to; one query."""
    if not getattr(user, "is_authenticated", False):
        return SavedView.objects.none()
    return (
        SavedView.objects.filter(Q(owner=user) | Q(team__in=Team.objects.filter(members=user).values("pk")))
        .select_related("owner", "team")
        .order_by("name", "id")
    )


def can_share(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(SHARE_PERMISSION))


def share_teams(user: Any) -> QuerySet[Team]:
    """The teams a user may share a view with: an admin any active team, others the active teams they belong to."""
    teams = Team.objects.filter(active=True).order_by("name")
    if not can_share(user):
        return teams.none()
    return teams if user.is_superuser else teams.filter(members=user)


# -- the query string -----------------------------------------------------------------------------------------------
def _accepted(name: str, value: str) -> str | None:
    """The value as the queue reads it ("" when it would not use it as given), or None when the queue does not know
    the parameter. The queue's own filterset is the authority: a filter it gains is savable at once."""
    # The queue view module names its tabs and sorts; it imports this app's services, so it is read when needed.
    from tickets.views.queue import TAB_VALUES, QueueView

    if name == "sort":
        return value if value.lstrip("-") in QueueView.sort_fields else ""
    if name == "per_page":
        return value if value.isascii() and value.isdigit() and int(value) in QueueView.page_sizes else ""
    if name == "scope":
        return value if value in TAB_VALUES else ""
    if name == "q":
        return search_param(value)
    if name == "vip":
        return value if value in ("1", "true", "false") else ""
    if ALIASES.get(name, name) not in QueueFilter.base_filters:
        return None
    # The value alone (not the queue's defaults, which would put Open in place of an unknown state).
    data = QueryDict(mutable=True)
    data[ALIASES.get(name, name)] = value
    return value if QueueFilter(data=data, queryset=Ticket.objects.none()).is_valid() else ""


def clean_query(query: str) -> str:
    """The query string a view stores: the queue's known parameters with values it accepts, in the given order.

    Empty values ("any") and the page are left out; an unknown parameter, a repeated one or a value the queue would
    not use as given is refused with a message naming it."""
    query = (query or "").strip().removeprefix("?")
    # A page's query string may carry empty filters ("type=&priority="); only what is kept must fit.
    if len(query) > RAW_QUERY_MAX:
        raise ValidationError({"query": [f"Keep the query under {QUERY_MAX} characters (it has {len(query)})."]})
    if "\x00" in query or "%00" in query:
        raise ValidationError({"query": ["The query cannot contain NUL characters."]})
    params = QueryDict(query)
    kept = QueryDict(mutable=True)
    errors = []
    for name, values in params.lists():
        if name in DROPPED or not any(v.strip() for v in values):
            continue
        if len(values) > 1:
            errors.append(f"'{name[:40]}' is given {len(values)} times; give it once.")
            continue
        value = values[0]
        accepted = _accepted(name, value)
        if accepted is None:
            errors.append(f"'{name[:40]}' is not a queue filter or sort.")
        elif name == "q" and accepted:
            kept[name] = accepted  # the search as the queue runs it (cut to its size, spaces tidied)
        elif accepted != value:
            errors.append(f"'{value[:40]}' is not a value the queue accepts for '{name}'.")
        else:
            kept[name] = value
    if errors:
        raise ValidationError({"query": errors})
    cleaned = kept.urlencode()
    if len(cleaned) > QUERY_MAX:
        raise ValidationError({"query": [f"Keep the query under {QUERY_MAX} characters (it has {len(cleaned)})."]})
    return cleaned


# -- writes -------------------------------------------------------------------------------------------------------
def _check_name(owner: Any, name: str, exclude_pk: int | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": [ValidationError("Give the view a name.", code="required")]})
    duplicates = SavedView.objects.filter(owner=owner, name__iexact=name)
    if exclude_pk is not None:
        duplicates = duplicates.exclude(pk=exclude_pk)
    if duplicates.exists():
        # A conflict with the user's other data (409 in the API), shown next to the name on the page.
        raise ValidationError({"name": [ValidationError(f"You already have a view named “{name}”.", code="unique")]})
    return name


def _check_team(user: Any, team: Team | None) -> None:
    if team is None:
        return
    if not can_share(user):
        raise PermissionDenied("You may not share views with a team.")
    if not team.active:
        raise ValidationError({"team": [f"{team.name} is inactive: share with an active team."]})
    if not user.is_superuser and not team.members.filter(pk=user.pk).exists():
        raise ValidationError({"team": [f"You can share only with a team you belong to, not {team.name}."]})


@transaction.atomic
def saved_view_create(
    *, user: Any, name: str, query: str = "", team: Team | None = None, change_reason: str | None = None
) -> SavedView:
    """Saves the queue's current filters and sort under a name of the user's (unique per user, case ignored)."""
    name = _check_name(user, name)
    query = clean_query(query)
    _check_team(user, team)
    reason = (change_reason or "").strip() or "saved view created" + (f", shared with {team.name}" if team else "")
    return record_create(SavedView, user=user, change_reason=reason, owner=user, name=name, query=query, team=team)


def _describe(view: SavedView, fields: dict[str, Any]) -> str:
    parts = []
    if "name" in fields and fields["name"] != view.name:
        parts.append(f"name {view.name} -> {fields['name']}")
    if "query" in fields and fields["query"] != view.query:
        parts.append("filters changed")
    if "team" in fields and getattr(fields["team"], "pk", None) != view.team_id:
        parts.append(f"shared with {fields['team'].name}" if fields["team"] else "no longer shared")
    return "; ".join(parts)


@transaction.atomic
def saved_view_update(view: SavedView, *, user: Any, change_reason: str | None = None, **fields: Any) -> SavedView:
    """Renames, re-filters or (un)shares the owner's view; nothing changed means nothing written."""
    unknown = set(fields) - {"name", "query", "team"}
    if unknown:
        raise ValueError(f"Not writable through saved_view_update: {', '.join(sorted(unknown))}")
    if "name" in fields:
        fields["name"] = _check_name(view.owner, fields["name"], exclude_pk=view.pk)
    if "query" in fields:
        fields["query"] = clean_query(fields["query"])
    if "team" in fields and getattr(fields["team"], "pk", None) != view.team_id:
        _check_team(user, fields["team"])
    described = _describe(view, fields)
    if not described:
        return view
    reason = (change_reason or "").strip() or described
    return record_update(view, user=user, change_reason=reason, clean_exclude=["owner"], **fields)


def saved_view_delete(view: SavedView, *, user: Any, change_reason: str | None = None) -> None:
    record_delete(view, user=user, change_reason=(change_reason or "").strip() or f"saved view {view.name} deleted")
