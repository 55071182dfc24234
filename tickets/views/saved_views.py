"""Saved queue views: save the current queue under a name, and the page that renames, shares and deletes them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import redirect
from django.views.generic import TemplateView

from itsm.forms import add_service_errors
from tickets import saved_views
from tickets.models import SavedView
from tickets.queue_forms import SavedViewForm

READABLE = {
    ("vip", "1"): "VIP callers",
    ("scope", "mine"): "mine",
    ("scope", "my_teams"): "my teams",
    ("scope", "unassigned"): "unassigned",
}


def describe_query(query: str) -> str:
    """'priority=1&vip=1&sort=-age' as 'priority 1 · VIP callers · sorted by age, reversed' for people."""
    parts = []
    for name, value in QueryDict(query).items():
        if (name, value) in READABLE:
            parts.append(READABLE[name, value])
        elif name == "sort":
            parts.append(f"sorted by {value.lstrip('-')}" + (", reversed" if value.startswith("-") else ""))
        elif name == "per_page":
            parts.append(f"{value} per page")
        else:
            parts.append(f"{name.replace('_', ' ')} {value}")
    return " · ".join(parts) or "open tickets, most urgent first"


class SavedViewsPage(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """The user's views (rename, share, delete) and the views their teams share with them (open only)."""

    permission_required = "tickets.view_savedview"
    template_name = "tickets/saved_views.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        teams_qs = share_teams = saved_views.share_teams(user) if saved_views.can_share(user) else None
        teams = list(share_teams) if share_teams is not None else None
        views = list(saved_views.visible_saved_views(user))
        own = []
        for view in views:
            if view.owner_id != user.pk:
                continue
            bound = kwargs.get("edit_form") if kwargs.get("edit_pk") == view.pk else None
            initial = {"name": view.name, "query": view.query, "team": view.team_id}
            own.append(
                {
                    "view": view,
                    "summary": describe_query(view.query),
                    "form": bound or SavedViewForm(initial=initial, share_teams=share_teams, prefix=f"v{view.pk}"),
                }
            )
        shared = [{"view": v, "summary": describe_query(v.query)} for v in views if v.owner_id != user.pk]
        return {
            **super().get_context_data(**kwargs),
            "own": own,
            "shared": shared,
            "create_form": kwargs.get("create_form")
            or SavedViewForm(initial={"query": self.request.GET.get("query", "")}, share_teams=teams_qs, prefix="save"),
            "share_teams": teams,
        }


class SavedViewCreateView(SavedViewsPage):
    """POST from the queue's "Save view": the current query under a name; errors show on the views page."""

    permission_required = "tickets.add_savedview"
    http_method_names = ["post"]

    def post(self, request):
        share = saved_views.share_teams(request.user) if saved_views.can_share(request.user) else None
        form = SavedViewForm(request.POST, share_teams=share, prefix="save")
        if form.is_valid():
            try:
                view = saved_views.saved_view_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    query=form.cleaned_data["query"],
                    team=form.cleaned_data.get("team"),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied as error:
                form.add_error("team", str(error))
            else:
                messages.success(request, f"Saved the view “{view.name}”: it is a tab of your queue now.")
                return redirect(view.get_absolute_url())
        return self.render_to_response(self.get_context_data(create_form=form), status=400)


class SavedViewEditView(SavedViewsPage):
    """POST: rename or (un)share one of the user's own views; another user's view is not found."""

    permission_required = "tickets.change_savedview"
    http_method_names = ["post"]

    def get_view(self, pk: int) -> SavedView:
        view = SavedView.objects.select_related("owner", "team").filter(pk=pk, owner=self.request.user).first()
        if view is None:
            raise Http404("No such saved view of yours.")
        return view

    def post(self, request, pk):
        view = self.get_view(pk)
        share = saved_views.share_teams(request.user) if saved_views.can_share(request.user) else None
        form = SavedViewForm(request.POST, share_teams=share, prefix=f"v{view.pk}")
        if form.is_valid():
            fields = {"name": form.cleaned_data["name"]}
            if "team" in form.fields:
                fields["team"] = form.cleaned_data.get("team")
            try:
                saved_views.saved_view_update(view, user=request.user, **fields)
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied as error:
                form.add_error("team", str(error))
            else:
                messages.success(request, f"Saved “{view.name}”.")
                return redirect("tickets:saved_views")
        return self.render_to_response(self.get_context_data(edit_form=form, edit_pk=view.pk), status=400)


class SavedViewDeleteView(SavedViewEditView):
    permission_required = "tickets.delete_savedview"

    def post(self, request, pk):
        view = self.get_view(pk)
        saved_views.saved_view_delete(view, user=request.user)
        messages.success(request, f"Deleted the view “{view.name}”.")
        return redirect("tickets:saved_views")
