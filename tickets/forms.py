"""Analyst forms: log a call, edit a ticket, and the actions on the ticket page. Writes happen in the services."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.utils import timezone

from itsm.forms import ChangeReasonField
from itsm.params import int_param
from people.models import Person, Team
from services.models import ConfigurationItem, ServiceInstance, ServiceLevel
from tickets.choices import Level, Source, Status, TicketType
from tickets.models import TicketNote
from tickets.selectors import assignable_analysts

CHOOSE_CALLER = "Choose the caller from the list: type part of a name or an email address."


class LogCallForm(forms.Form):
    caller = forms.ModelChoiceField(
        queryset=Person.objects.with_vip(),
        required=False,
        widget=forms.HiddenInput,
    )
    caller_query = forms.CharField(
        label="Caller",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "placeholder": "Name or email",
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
                "aria-controls": "caller-results",
                "autofocus": True,
            }
        ),
    )
    ticket_type = forms.ChoiceField(label="Type", choices=TicketType.choices, initial=TicketType.INCIDENT)
    source = forms.ChoiceField(label="Source", choices=Source.choices, initial=Source.PHONE)
    title = forms.CharField(
        label="Title",
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "Short summary, e.g. “Cannot print to 3rd floor printer”"}),
    )
    description = forms.CharField(
        label="Description",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "What the caller reports, error messages, steps"}),
    )
    service_instance = forms.ModelChoiceField(
        label="Service instance",
        queryset=ServiceInstance.objects.exclude(status=ServiceInstance.Status.RETIRED),
        required=False,
        empty_label="— none —",
    )
    configuration_item = forms.ModelChoiceField(
        label="Configuration item",
        queryset=ConfigurationItem.objects.all(),
        required=False,
        empty_label="— none —",
    )
    impact = forms.ChoiceField(label="Impact", choices=Level.choices, initial=Level.MEDIUM)
    urgency = forms.ChoiceField(label="Urgency", choices=Level.choices, initial=Level.MEDIUM)
    team = forms.ModelChoiceField(
        label="Team",
        queryset=Team.objects.filter(active=True),
        required=False,
        empty_label="— not yet —",
    )
    assign_to_me = forms.BooleanField(label="Assign to me", required=False)
    opened_at = forms.DateTimeField(
        label="Reported at",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="When the call came in, if not now (a call written up later): the service level clock starts there.",
    )

    def clean_opened_at(self):
        value = self.cleaned_data.get("opened_at")
        if value is not None and value > timezone.now() + dt.timedelta(minutes=2):
            raise ValidationError("The reported time cannot be in the future.")
        return value

    def refuse(self, field: str | None, message: str) -> None:
        """Shows why an action other than saving (adding the call as a note to a ticket) was refused, next to its
        field, on the call as typed: the rest of the call is not judged, it was not being saved."""
        self.cleaned_data = {}
        self._errors = ErrorDict()
        self.add_error(field, message)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("caller") and "caller" not in self.errors:
            query = (cleaned.get("caller_query") or "").strip()
            matches = list(Person.objects.with_vip().filter(active=True).search(query)[:2]) if query else []
            if len(matches) == 1:
                cleaned["caller"] = matches[0]  # without JavaScript: one unambiguous match is the caller
            else:
                self.add_error("caller", CHOOSE_CALLER)
        return cleaned


class CallNoteForm(forms.Form):
    """What "Add as a note to INC..." reads from the log-call form it is sent with."""

    description = forms.CharField(required=False, strip=True)
    source = forms.ChoiceField(choices=Source.choices, required=False)


class TicketEditForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 5}))
    source = forms.ChoiceField(label="Source", choices=Source.choices)
    service_instance = forms.ModelChoiceField(
        label="Service instance",
        queryset=ServiceInstance.objects.all(),
        required=False,
        empty_label="— none —",
    )
    configuration_item = forms.ModelChoiceField(
        label="Configuration item",
        queryset=ConfigurationItem.objects.all(),
        required=False,
        empty_label="— none —",
    )
    impact = forms.ChoiceField(label="Impact", choices=Level.choices)
    urgency = forms.ChoiceField(label="Urgency", choices=Level.choices)
    team = forms.ModelChoiceField(label="Team", queryset=Team.objects.all(), required=False, empty_label="— none —")
    assignee = forms.ModelChoiceField(
        label="Assignee",
        queryset=assignable_analysts().order_by("username"),
        required=False,
        empty_label="— nobody —",
    )
    service_level = forms.ModelChoiceField(
        label="Service level",
        queryset=ServiceLevel.objects.order_by("name"),
        required=False,
        empty_label="— none —",
        help_text="The targets this ticket runs on; changing it re-times the due dates (a recorded breach stays).",
    )
    # Optional here: left empty, the history says what changed (e.g. "status Assigned → In progress").
    change_reason = ChangeReasonField(
        required=False,
        placeholder="Optional: automatic from the change",
        help_text="Left empty, the history says what changed (e.g. “status Assigned → In progress”).",
    )

    FIELDS = [
        "title",
        "description",
        "source",
        "service_instance",
        "configuration_item",
        "impact",
        "urgency",
        "team",
        "assignee",
        "service_level",
    ]

    def __init__(self, *args, ticket=None, **kwargs):
        if ticket is not None:
            # FormView always passes `initial` (an empty dict by default): start from the ticket's values.
            kwargs["initial"] = {
                **{name: getattr(ticket, name) for name in self.FIELDS},
                **(kwargs.get("initial") or {}),
            }
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        if ticket is not None:
            # Any instance may be chosen here; the configuration items offered are those of the instance chosen
            # (the one submitted, else the ticket's), and the page's script refreshes them when the instance changes.
            chosen = (
                str(self.data.get("service_instance", "")) if self.is_bound else str(ticket.service_instance_id or "")
            )
            if int_param(chosen) is not None:
                self.fields["configuration_item"].queryset = ConfigurationItem.objects.filter(
                    service_instances=int(chosen)
                ).order_by("name", "id")


class TransitionForm(forms.Form):
    status = forms.ChoiceField(label="New status", choices=())
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Required to resolve: what was done"}),
    )

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        # No status preselected: a status changes only when the analyst picks one.
        self.fields["status"].choices = [("", "— choose —"), *((s, Status(s).label) for s in allowed)]


class NoteForm(forms.ModelForm):
    class Meta:
        model = TicketNote
        fields = ["text", "public", "time_spent_minutes"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3, "placeholder": "Worklog entry"}),
            "time_spent_minutes": forms.NumberInput(attrs={"min": 0, "max": 1440, "step": 5, "style": "width:6rem"}),
        }
        labels = {"text": "Note", "public": "Public (the caller may see it)", "time_spent_minutes": "Minutes"}


class AssignTeamForm(forms.Form):
    team = forms.ModelChoiceField(label="Team", queryset=Team.objects.filter(active=True), empty_label="— team —")
