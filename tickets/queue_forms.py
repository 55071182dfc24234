"""Forms of the queue's own tools: the bulk action bar and saved views. Writes happen in tickets.bulk and
tickets.saved_views."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.http import QueryDict
from django.utils.html import escape
from django.utils.safestring import mark_safe

from itsm.forms import ChangeReasonField
from people.models import Team
from tickets import bulk
from tickets.choices import Status
from tickets.saved_views import NAME_MAX, RAW_QUERY_MAX
from tickets.selectors import assignable_analysts

NOTE_MAX = 20_000


class QuickSelect(forms.Select):
    """The same <select> as Django's, its options joined in Python from the choices: Django builds a context per
    option and renders each through a template include, and the bulk bar's ninety (teams, analysts, statuses) cost
    15 to 30 ms on every queue page. Flat choices only (no option groups), one value selected."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = self.format_value(value)[:1]
        options = "".join(
            f'<option value="{escape(choice)}"{" selected" if [str(choice)] == chosen else ""}>{escape(label)}</option>'
            for choice, label in self.choices
        )
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{escape(name)}"{attributes}>{options}</select>')


class AnalystChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.get_username()


class BulkActionForm(forms.Form):
    """One action for the tickets ticked in the queue (`tickets`: their numbers), with one change reason."""

    action = forms.ChoiceField(label="Action", choices=list(bulk.ACTIONS.items()), widget=QuickSelect)
    team = forms.ModelChoiceField(
        label="Team",
        queryset=Team.objects.filter(active=True).order_by("name"),
        required=False,
        empty_label="— team —",
        widget=QuickSelect,
    )
    assignee = AnalystChoiceField(
        label="Analyst",
        queryset=assignable_analysts().order_by("username"),
        required=False,
        empty_label="— analyst —",
        widget=QuickSelect,
    )
    status = forms.ChoiceField(
        label="New status", choices=[("", "— status —"), *Status.choices], required=False, widget=QuickSelect
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 1, "placeholder": "Note (required to resolve)"}),
    )
    public = forms.BooleanField(label="Public", required=False)
    change_reason = ChangeReasonField(
        required=True,
        placeholder="Why, for every ticket's history",
        help_text="",
        error_messages={"required": "Give a change reason: it is kept with the history of every ticket."},
    )
    next = forms.CharField(required=False, max_length=RAW_QUERY_MAX, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tickets = [ref[:30] for ref in self.data.getlist("tickets")][: bulk.MAX_TICKETS + 1] if self.data else []
        self.selected_count = len(self.data.getlist("tickets")) if self.data else 0

    def clean(self):
        data = super().clean()
        if not self.tickets:
            self.add_error(None, "Select the tickets to act on: tick their boxes in the queue.")
        elif self.selected_count > bulk.MAX_TICKETS:
            self.add_error(
                None, f"At most {bulk.MAX_TICKETS} tickets at once ({self.selected_count} were selected): act on fewer."
            )
        action = data.get("action")
        if action == bulk.ASSIGN and not (data.get("team") or data.get("assignee")):
            self.add_error("team", "Choose a team or an analyst.")
        elif action == bulk.STATUS and not data.get("status"):
            self.add_error("status", "Choose the new status.")
        elif action == bulk.STATUS and data.get("status") == Status.RESOLVED and not (data.get("note") or "").strip():
            self.add_error("note", "Give a resolution note: what was done to resolve the tickets.")
        elif action == bulk.NOTE and not (data.get("note") or "").strip():
            self.add_error("note", "Write the note to add.")
        return data

    def back_query(self) -> str:
        """The queue the analyst came from (its query string only: the way back never leaves the queue)."""
        raw = (self.data.get("next") or "")[:RAW_QUERY_MAX] if self.data else ""
        params = QueryDict(raw.removeprefix("?"), mutable=True)
        params.pop("page", None)
        return params.urlencode()


class SavedViewForm(forms.Form):
    """Save the current queue (its query string) under a name; share it with a team when allowed."""

    name = forms.CharField(
        label="View name",
        max_length=NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "e.g. My P1s"}),
    )
    query = forms.CharField(required=False, max_length=RAW_QUERY_MAX, widget=forms.HiddenInput)
    team = forms.ModelChoiceField(
        label="Share with", queryset=Team.objects.none(), required=False, empty_label="only me", widget=QuickSelect
    )

    def __init__(self, *args, share_teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if share_teams is None:
            del self.fields["team"]
        else:
            self.fields["team"].queryset = share_teams
