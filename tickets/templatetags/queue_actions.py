"""The queue's own tools as template tags: saved-view tabs with "Save view", the bulk action bar and its row
boxes. Tags rather than view context, so the queue view stays as it is and the tools cost their queries only when
shown (saved views: 1, the active teams for both tools: 1, the bar's analysts: 1)."""

from __future__ import annotations

from django import template
from django.db.models import Exists, OuterRef
from django.http import QueryDict
from django.utils.html import format_html

from people.models import Team
from tickets import bulk, saved_views
from tickets.queue_forms import BulkActionForm, SavedViewForm

register = template.Library()


def _active_teams(request) -> list[Team]:
    """The active teams, read once per page for the bulk bar and the "Save view" form, each with `is_member`: whether
    the user belongs to it (the teams a non-admin may share a view with)."""
    teams = getattr(request, "_queue_active_teams", None)
    if teams is None:
        member = Team.objects.filter(pk=OuterRef("pk"), members=request.user.pk)
        teams = list(Team.objects.filter(active=True).order_by("name").annotate(is_member=Exists(member)))
        request._queue_active_teams = teams
    return teams


def _offer(field, rows) -> None:
    """Show these rows in a model choice field, read with one plain query (a field reads its own through a
    server-side cursor on PostgreSQL: three round trips). A posted form still validates against the queryset."""
    field.choices = [("", field.empty_label), *((row.pk, field.label_from_instance(row)) for row in rows)]


def _current_pairs(get: QueryDict) -> set[tuple[str, str]]:
    return {(name, value) for name, value in get.items() if value.strip() and name != "page"}


@register.inclusion_tag("tickets/_saved_views.html", takes_context=True)
def saved_view_tabs(context):
    request = context["request"]
    user = request.user
    if not user.has_perm("tickets.view_savedview"):
        return {"show": False}
    current = _current_pairs(request.GET)
    tabs = []
    for view in saved_views.visible_saved_views(user):
        shared = view.owner_id != user.pk
        tabs.append(
            {
                "view": view,
                "current": _current_pairs(QueryDict(view.query)) == current,
                "shared": shared,
                "title": f"Shared by {view.owner.get_username()} with {view.team.name}"
                if shared
                else (f"Yours, shared with {view.team.name}" if view.team_id else "Your view"),
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    can_add = user.has_perm("tickets.add_savedview")
    share = saved_views.share_teams(user) if can_add and saved_views.can_share(user) else None
    form = SavedViewForm(initial={"query": query.urlencode()}, share_teams=share, prefix="save") if can_add else None
    if share is not None:
        _offer(form.fields["team"], [t for t in _active_teams(request) if user.is_superuser or t.is_member])
    return {
        "show": True,
        "tabs": tabs,
        "can_add": can_add,
        "save_form": form,
        "csrf_token": context.get("csrf_token"),
    }


def _may_bulk(user) -> bool:
    return any(user.has_perms(perms) for perms in bulk.PERMISSIONS.values())


@register.inclusion_tag("tickets/_bulk_bar.html", takes_context=True)
def bulk_bar(context):
    request = context["request"]
    if not _may_bulk(request.user):
        return {"hide": True}
    query = request.GET.copy()
    query.pop("page", None)
    form = BulkActionForm(initial={"next": query.urlencode()}, auto_id="bulk_%s")
    _offer(form.fields["team"], _active_teams(request))
    _offer(form.fields["assignee"], form.fields["assignee"].queryset)
    if not request.user.has_perm("tickets.change_ticket"):
        form.fields["action"].choices = [(bulk.NOTE, bulk.ACTIONS[bulk.NOTE])]
    elif not request.user.has_perm("tickets.add_ticketnote"):
        form.fields["action"].choices = [c for c in form.fields["action"].choices if c[0] != bulk.NOTE]
    return {"show": True, "bulk_form": form, "csrf_token": context.get("csrf_token"), "max": bulk.MAX_TICKETS}


@register.simple_tag(takes_context=True)
def bulk_checkbox(context, ticket):
    """The row's box, tied to the bar's form by its id (the table stays outside the form)."""
    if not _may_bulk(context["request"].user):
        return ""
    return format_html(
        '<input type="checkbox" class="bulk-pick" name="tickets" value="{}" form="bulk-form" aria-label="Select {}">',
        ticket.number,
        ticket.number,
    )
