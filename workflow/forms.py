"""The forms of the rule admin: a criterion row and an action row (with the boxes rule_form.js shows per field and
action), the rule's own fields with the change reason, the check of the whole rule while its rows validate, and the
Simulate and Replay page forms."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone

from itsm.admin import ChangeReasonForm
from itsm.forms import ChangeReasonField
from itsm.params import int_param
from people.models import Person
from services.models import ServiceInstance
from tickets.choices import PRIORITY_LABELS, Level, TicketType
from tickets.models import Ticket
from vip.models import VipStatus
from workflow import definitions, dry_runs, services, snapshots
from workflow.engine import vocabulary as vocab
from workflow.models import ACTION_COLUMNS, CRITERION_COLUMNS, Action, Criterion, Rule

RULE_FORM_FIELDS = ["name", "description", "active", "trigger", "match", "stop_processing"]


# -- rule rows ---------------------------------------------------------------------------------------------------------
# Priorities are chosen from a list (P1-P5), not typed; the choice is stored in the row's value.
PRIORITY_BOX = "priority"
CRITERION_BOXES = ["vip_status", "statuses", *list(CRITERION_COLUMNS)[1:], PRIORITY_BOX, "value"]
ACTION_BOXES = [*ACTION_COLUMNS.values(), PRIORITY_BOX, "value", "text"]
PRIORITY_OPTIONS = [("", "---------"), *((str(p), f"P{p} - {label}") for p, label in PRIORITY_LABELS.items())]


def _criterion_box(spec: vocab.FieldSpec, operator: str) -> str:
    if operator in vocab.NO_VALUE_OPERATORS:
        return ""
    if spec.kind == "vip":
        return "statuses" if operator in vocab.SET_OPERATORS else "vip_status"
    if spec.kind == "member":
        return "customer_group"
    if spec.key == "priority":
        return PRIORITY_BOX
    return CRITERION_COLUMNS.get(spec.key, "value")


def _action_box(spec: vocab.ActionSpec) -> str:
    if spec.value == "none":
        return ""
    return PRIORITY_BOX if spec.value == "priority" else ACTION_COLUMNS.get(spec.value, "value")


# field -> {operator: the box holding its value ("" = none)}; action type -> {"value": box, "text": bool}
CRITERION_VALUE_BOXES = {
    key: {op: _criterion_box(spec, op) for op in spec.operators} for key, spec in vocab.FIELDS.items()
}
ACTION_VALUE_BOXES = {key: {"value": _action_box(spec), "text": spec.text} for key, spec in vocab.ACTIONS.items()}


class PriorityChoiceMixin(forms.Form):
    """A row whose value is a priority shows it as a list; the chosen priority is written into the value (a typed
    value still works when nothing is chosen, e.g. without JavaScript, and the rule checks decide). The row form
    says which box holds its value (`_value_box`)."""

    priority = forms.ChoiceField(label="Priority", choices=PRIORITY_OPTIONS, required=False)

    def _init_priority(self) -> None:
        if self.instance.pk and self._value_box() == PRIORITY_BOX:
            self.initial[PRIORITY_BOX] = self.instance.value

    def add_error(self, field, error):
        # The model checks the value; when the value comes from the list, its error belongs next to the list.
        if self._value_box() == PRIORITY_BOX:
            if field == "value":
                field = PRIORITY_BOX
            elif field is None and "value" in getattr(error, "error_dict", {}):
                error = ValidationError({PRIORITY_BOX if k == "value" else k: v for k, v in error.error_dict.items()})
        super().add_error(field, error)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get(PRIORITY_BOX) and self._value_box() == PRIORITY_BOX:
            cleaned["value"] = cleaned[PRIORITY_BOX]
        return cleaned


class CriterionForm(PriorityChoiceMixin, forms.ModelForm):
    # The VIP statuses of "is one of" live in a many-to-many with its own table; the admin cannot edit such a field
    # directly, so the form offers it under another name and the service writes the links.
    statuses = forms.ModelMultipleChoiceField(
        label="VIP statuses",
        queryset=VipStatus.objects.none(),
        required=False,
        help_text="For 'is one of' / 'is not one of'.",
    )

    class Meta:
        model = Criterion
        fields = ["field", "operator", "vip_status", "statuses", *list(CRITERION_COLUMNS)[1:], "value"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["statuses"].queryset = VipStatus.objects.ordered()
        self.fields["statuses"].widget.attrs["size"] = 4
        self.fields["vip_status"].queryset = VipStatus.objects.ordered()
        # For rule_form.js: which operators each field offers, and which box holds the value for each.
        self.fields["field"].widget.attrs.update(
            {"data-columns": json.dumps(CRITERION_VALUE_BOXES), "data-all": json.dumps(CRITERION_BOXES)}
        )
        if self.instance.pk:
            self.initial["statuses"] = [s.pk for s in self.instance.vip_statuses.all()]
        self._init_priority()

    def _value_box(self) -> str:
        field = self.data.get(self.add_prefix("field")) if self.is_bound else self.instance.field
        operator = self.data.get(self.add_prefix("operator")) if self.is_bound else self.instance.operator
        return CRITERION_VALUE_BOXES.get(field, {}).get(operator, "")


class ActionForm(PriorityChoiceMixin, forms.ModelForm):
    class Meta:
        model = Action
        fields = ["action_type", *ACTION_COLUMNS.values(), "value", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2, "cols": 60})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action_type"].widget.attrs.update(
            {"data-columns": json.dumps(ACTION_VALUE_BOXES), "data-all": json.dumps(ACTION_BOXES)}
        )
        self._init_priority()

    def _value_box(self) -> str:
        action_type = self.data.get(self.add_prefix("action_type")) if self.is_bound else self.instance.action_type
        return ACTION_VALUE_BOXES.get(action_type, {}).get("value", "")


def live_forms(formset) -> list[forms.ModelForm]:
    """The rows that will exist after the save, in order (not the deleted ones, not untouched blank rows)."""
    rows = []
    for form in formset.forms:
        if formset.can_delete and form.cleaned_data.get("DELETE", False):
            continue
        if form.instance.pk is None and not form.has_changed():
            continue
        rows.append(form)
    return rows


def criterion_item(form: CriterionForm) -> dict[str, Any]:
    criterion = form.instance
    is_set = criterion.field == "vip_status" and criterion.operator in vocab.SET_OPERATORS
    statuses = [s.pk for s in form.cleaned_data.get("statuses") or ()] if is_set else None
    return definitions.criterion_item(criterion, statuses)


def _criterion_column(form: CriterionForm, key: str) -> str | None:
    if key != "value":
        return key if key in form.fields else None
    spec = form.instance.spec
    if spec is None:
        return "value"
    return _criterion_box(spec, form.instance.operator) or "value"


def _action_column(form: ActionForm, key: str) -> str | None:
    if key == "type":
        return "action_type"
    if key != "value":
        return key if key in form.fields else None
    spec = form.instance.spec
    return (_action_box(spec) or "value") if spec else "value"


class RuleForms:
    """The criteria and actions formsets of one rule form page; the first to validate checks the whole rule once (the
    rule's checks need both lists, so a bad value is an error next to its field before anything is written)."""

    def __init__(self):
        self.formsets: list[BaseInlineFormSet] = []
        self.checked = False

    def check(self, rule: Rule) -> None:
        self.checked = True
        criteria_fs = next((fs for fs in self.formsets if fs.model is Criterion), None)
        actions_fs = next((fs for fs in self.formsets if fs.model is Action), None)
        if criteria_fs is None or actions_fs is None:
            return
        for form in [*criteria_fs.forms, *actions_fs.forms]:
            form.is_valid()  # every row cleaned, so deleted and blank rows can be told apart
        criteria_forms, action_forms = live_forms(criteria_fs), live_forms(actions_fs)
        if not all(form.is_valid() for form in [*criteria_forms, *action_forms]):
            return  # the rows' own errors are shown first
        try:
            services.rule_check(
                rule,
                criteria=[criterion_item(f) for f in criteria_forms],
                actions=[definitions.action_item(f.instance) for f in action_forms],
            )
        except services.RuleValidationError as error:
            self._show(error.nested, criteria_forms, action_forms)
            raise ValidationError("The rule was not saved: correct the errors below.") from error

    @staticmethod
    def _show(nested: dict[str, Any], criteria_forms, action_forms) -> None:
        for key, forms_, column in (
            ("criteria", criteria_forms, _criterion_column),
            ("actions", action_forms, _action_column),
        ):
            for form, errors in zip(forms_, nested.get(key) or (), strict=False):
                for name, messages_ in (errors or {}).items():
                    target = column(form, name)
                    for message in messages_:
                        form.add_error(target if target in form.fields else None, message)


class RuleRowsFormSet(BaseInlineFormSet):
    rule_forms: RuleForms | None = None  # one per page: RuleAdmin.get_formsets_with_inlines gives each formset class

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.rule_forms is not None:
            self.rule_forms.formsets.append(self)

    def clean(self):
        super().clean()
        if self.rule_forms is not None and not self.rule_forms.checked:
            self.rule_forms.check(self.instance)


class RuleForm(ChangeReasonForm):
    class Meta:
        model = Rule
        fields = RULE_FORM_FIELDS


# -- page forms -------------------------------------------------------------------------------------------------------
class SimulateForm(forms.Form):
    ticket = forms.CharField(
        label="Existing ticket",
        required=False,
        max_length=16,
        help_text="A ticket number (INC000042): its current values are used. Or leave empty and describe a ticket.",
    )
    caller = forms.ModelChoiceField(queryset=Person.objects.all(), required=False)
    ticket_type = forms.ChoiceField(
        label="Type",
        choices=[("", "Incident (default)"), *TicketType.choices],
        initial=TicketType.INCIDENT,
        required=False,
    )
    impact = forms.ChoiceField(choices=[("", "Medium (default)"), *Level.choices], initial=Level.MEDIUM, required=False)
    urgency = forms.ChoiceField(
        choices=[("", "Medium (default)"), *Level.choices], initial=Level.MEDIUM, required=False
    )
    service_instance = forms.ModelChoiceField(queryset=ServiceInstance.objects.all(), required=False)
    title = forms.CharField(required=False, max_length=200)
    at = forms.DateTimeField(
        label="Time",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Empty: now. Timeframes and minutes since opened are judged at this time.",
    )
    opened_minutes_ago = forms.IntegerField(
        label="Opened minutes ago",
        required=False,
        min_value=0,
        max_value=366 * 24 * 60,
        help_text="For a hypothetical ticket and scheduled rules ('minutes since opened'); empty: just logged.",
    )
    event = forms.ChoiceField(
        choices=[
            (vocab.CREATE, "Ticket logged"),
            (vocab.UPDATE, "Ticket changed"),
            (vocab.SCHEDULED, "Escalation run"),
        ],
        initial=vocab.CREATE,
        required=False,
    )
    try_rules = forms.ModelMultipleChoiceField(
        label="Also try inactive rules",
        queryset=Rule.objects.filter(active=False).order_by("position"),
        required=False,
        help_text="As if they were turned on, in their position.",
    )

    # Id fields whose widgets look the chosen rows up while rendering: a value that is not an id becomes "0" (no such
    # row), so the form answers "Select a valid choice" instead of the database refusing the value.
    ID_FIELDS = ("caller", "service_instance", "try_rules")

    def __init__(self, data=None, *args, admin_site=None, **kwargs):
        if data is not None:
            data = data.copy()
            for name in self.ID_FIELDS:
                if name in data:
                    data.setlist(name, [v if int_param(v) is not None or not v else "0" for v in data.getlist(name)])
        super().__init__(data, *args, **kwargs)
        if admin_site is not None:
            for name in ("caller", "service_instance"):
                field = self.fields[name]
                field.widget = AutocompleteSelect(Ticket._meta.get_field(name), admin_site)
                field.widget.choices = field.choices
        self.fields["try_rules"].widget.attrs["size"] = 4

    def clean_ticket(self):
        number = self.cleaned_data["ticket"].strip().upper()
        if not number:
            return None
        ticket = Ticket.objects.filter(number=number).first()
        if ticket is None:
            raise ValidationError(f"No ticket {number}.")
        return ticket

    def clean_at(self):
        at = self.cleaned_data.get("at")
        if at is not None and not vocab.EARLIEST <= at <= vocab.LATEST:
            raise ValidationError("Choose a time between 1970 and 2200.")
        return at

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("ticket") and not cleaned.get("caller") and not self.errors:
            self.add_error("caller", "Choose a caller, or give an existing ticket's number.")
        return cleaned

    def simulate_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        common = {"event": data["event"] or vocab.CREATE, "try_rule_ids": [r.pk for r in data["try_rules"]]}
        if data.get("ticket"):
            return {"ticket": data["ticket"], "at": data.get("at"), **common}
        at = data.get("at") or timezone.now()
        hypothetical = snapshots.Hypothetical(
            caller=data["caller"],
            ticket_type=data["ticket_type"] or TicketType.INCIDENT,
            title=data.get("title") or "",
            impact=data["impact"] or Level.MEDIUM,
            urgency=data["urgency"] or Level.MEDIUM,
            service_instance=data.get("service_instance"),
            at=at - dt.timedelta(minutes=data.get("opened_minutes_ago") or 0),  # when it was logged
        )
        return {"hypothetical": hypothetical, "at": at, **common}


class ReplayForm(forms.Form):
    rules = forms.ModelMultipleChoiceField(
        queryset=Rule.objects.order_by("position"),
        required=False,
        help_text="None chosen: the whole active set. Choose an inactive rule (a draft) to see what it would do.",
    )
    date_from = forms.DateField(label="Opened from", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="Opened to", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    change_reason = ChangeReasonField(
        required=False,  # a dry run needs none; applying checks it in clean()
        size=60,
        placeholder="Why are these tickets being changed?",
        help_text="Needed to apply; kept in the history of every ticket changed.",
    )

    def __init__(self, *args, may_apply: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.may_apply = may_apply
        # A page answers while you wait: start with the last 30 days (empty dates = every ticket).
        self.fields["date_from"].initial = timezone.localdate() - dt.timedelta(days=30)
        self.fields["rules"].widget.attrs["size"] = 6

    @property
    def applying(self) -> bool:
        return self.is_bound and "apply" in self.data

    @property
    def confirmed(self) -> bool:
        """Applying takes two posts: the first answers with how many tickets would change, the second confirms."""
        return self.applying and "confirmed" in self.data

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned["date_from"], cleaned["date_to"] = dry_runs.replay_range(
                cleaned.get("date_from"), cleaned.get("date_to")
            )
        except ValidationError as error:
            for field, messages_ in error.message_dict.items():
                self.add_error(field, messages_)
        if self.applying:
            if not self.may_apply:
                raise ValidationError("Applying a replay needs the permission to change rules and tickets.")
            if not (cleaned.get("change_reason") or "").strip():
                self.add_error("change_reason", "Give a change reason to apply a replay.")
        return cleaned
