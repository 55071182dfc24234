"""Rules in the audited admin (criteria and actions as inlines, saved together through the workflow services), the
move buttons, and three pages under the rule list: Simulate, Replay and Lint.

A rule is saved with its criteria and actions in one service call (`rule_create` / `rule_update`), so the admin,
the API and the seed data share one set of checks; those checks also run while the forms are validated
(`services.rule_check`), so a bad value is an error next to its field and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect, RelatedFieldWidgetWrapper
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from itsm.admin import REASON_FIELD, AuditedAdmin, AuditedStackedInline, ChangeReasonForm
from itsm.params import int_param
from itsm.services import validation_message
from people.models import Person, Team
from services.models import ServiceInstance, ServiceLevel
from tickets.choices import Level, TicketType
from tickets.models import Ticket
from vip.models import VipStatus
from workflow import definitions, dry_runs, services, snapshots
from workflow.engine import vocabulary as vocab
from workflow.models import ACTION_COLUMNS, CRITERION_COLUMNS, Action, Criterion, Rule, RuleFiring

RULE_FORM_FIELDS = ["name", "description", "active", "trigger", "match", "stop_processing"]
MOVES = [
    ("top", "⤒", "Move to top"),
    ("up", "↑", "Move up"),
    ("down", "↓", "Move down"),
    ("bottom", "⤓", "Move to bottom"),
]


# -- inlines ----------------------------------------------------------------------------------------------------------
CRITERION_BOXES = ["vip_status", "statuses", *list(CRITERION_COLUMNS)[1:], "value"]
ACTION_BOXES = [*ACTION_COLUMNS.values(), "value", "text"]


def _criterion_box(spec: vocab.FieldSpec, operator: str) -> str:
    if operator in vocab.NO_VALUE_OPERATORS:
        return ""
    if spec.kind == "vip":
        return "statuses" if operator in vocab.SET_OPERATORS else "vip_status"
    if spec.kind == "member":
        return "customer_group"
    return CRITERION_COLUMNS.get(spec.key, "value")


# field -> {operator: the box holding its value ("" = none)}; action type -> {"value": box, "text": bool}
CRITERION_VALUE_BOXES = {
    key: {op: _criterion_box(spec, op) for op in spec.operators} for key, spec in vocab.FIELDS.items()
}
ACTION_VALUE_BOXES = {
    key: {"value": "" if spec.value == "none" else ACTION_COLUMNS.get(spec.value, "value"), "text": spec.text}
    for key, spec in vocab.ACTIONS.items()
}


class CriterionForm(forms.ModelForm):
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


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = ["action_type", *ACTION_COLUMNS.values(), "value", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2, "cols": 60})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action_type"].widget.attrs.update(
            {"data-columns": json.dumps(ACTION_VALUE_BOXES), "data-all": json.dumps(ACTION_BOXES)}
        )


def _live_forms(formset) -> list[forms.ModelForm]:
    """The rows that will exist after the save, in order (not the deleted ones, not untouched blank rows)."""
    rows = []
    for form in formset.forms:
        if formset.can_delete and formset._should_delete_form(form):
            continue
        if form.instance.pk is None and not form.has_changed():
            continue
        rows.append(form)
    return rows


def _criterion_item(form: CriterionForm) -> dict[str, Any]:
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
    if spec.kind == "vip" and form.instance.operator in vocab.SET_OPERATORS:
        return "statuses"
    return "customer_group" if spec.kind == "member" else CRITERION_COLUMNS.get(spec.key, "value")


def _action_column(form: ActionForm, key: str) -> str | None:
    if key == "type":
        return "action_type"
    if key != "value":
        return key if key in form.fields else None
    spec = form.instance.spec
    return ACTION_COLUMNS.get(spec.value, "value") if spec else "value"


class RuleForms:
    """The criteria and actions formsets of one rule form; the first to validate checks the whole rule once."""

    def __init__(self, formsets):
        self.formsets = formsets
        self.checked = False

    def check(self, rule: Rule) -> None:
        self.checked = True
        criteria_fs = next((fs for fs in self.formsets if fs.model is Criterion), None)
        actions_fs = next((fs for fs in self.formsets if fs.model is Action), None)
        if criteria_fs is None or actions_fs is None:
            return
        for form in [*criteria_fs.forms, *actions_fs.forms]:
            form.is_valid()  # every row cleaned, so deleted and blank rows can be told apart
        criteria_forms, action_forms = _live_forms(criteria_fs), _live_forms(actions_fs)
        if not all(form.is_valid() for form in [*criteria_forms, *action_forms]):
            return  # the rows' own errors are shown first
        try:
            services.rule_check(
                rule,
                criteria=[_criterion_item(f) for f in criteria_forms],
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
    rule_forms: RuleForms | None = None

    def clean(self):
        super().clean()
        if self.rule_forms is not None and not self.rule_forms.checked:
            self.rule_forms.check(self.instance)


class RuleRowInline(AuditedStackedInline):
    formset = RuleRowsFormSet
    extra = 1
    show_change_link = False

    class Media:
        js = ["workflow/rule_form.js"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        # No add/edit/delete pop-up icons next to every record a rule names: the row stays one calm line.
        if formfield is not None and isinstance(formfield.widget, RelatedFieldWidgetWrapper):
            formfield.widget = formfield.widget.widget
            if isinstance(formfield.widget, forms.Select) and not isinstance(formfield.widget, AutocompleteSelect):
                # Options read once per page, not once per row (the list is copied into every row's form).
                formfield.choices = list(formfield.choices)
        return formfield


class CriterionInline(RuleRowInline):
    model = Criterion
    form = CriterionForm
    fields = [tuple(["field", "operator", *CRITERION_BOXES])]
    autocomplete_fields = ["assignee", "service_instance", "customer_group"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("vip_statuses")


class ActionInline(RuleRowInline):
    model = Action
    form = ActionForm
    fields = [("action_type", *ACTION_COLUMNS.values(), "value"), "text"]
    autocomplete_fields = ["analyst"]


# -- the rule admin ---------------------------------------------------------------------------------------------------
class RuleForm(ChangeReasonForm):
    class Meta:
        model = Rule
        fields = RULE_FORM_FIELDS


@admin.register(Rule)
class RuleAdmin(AuditedAdmin):
    form = RuleForm
    inlines = [CriterionInline, ActionInline]
    list_display = ["position", "name", "active", "trigger", "stop_processing", "summary", "move_buttons"]
    list_display_links = ["name"]
    list_filter = ["active", "trigger"]
    search_fields = ["name", "description", "summary"]
    ordering = ["position"]
    sortable_by = []
    readonly_fields = ["position", "summary"]
    fieldsets = [
        (None, {"fields": ["name", "description", ("active", "trigger", "match", "stop_processing")]}),
        ("In words", {"fields": ["position", "summary"]}),
    ]
    change_list_template = "admin/workflow/rule/change_list.html"

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        # A new rule has no position or definition yet: no empty "In words" section.
        return fieldsets if obj is not None else [f for f in fieldsets if f[0] != "In words"]

    @admin.display(description="order")
    def move_buttons(self, obj):
        # One form outside the changelist form (forms cannot nest); each button posts to its own URL via form=.
        return format_html_join(
            " ",
            '<button type="submit" form="rule-move-form" formaction="{}" class="button rule-move-{}" '
            'title="{} ({})" aria-label="{} {}">{}</button>',
            (
                (reverse("admin:workflow_rule_move", args=[obj.pk, d]), d, label, obj.name, label, obj.name, symbol)
                for d, symbol, label in MOVES
            ),
        )

    # -- saving through the services -----------------------------------------------------------------------------
    def _create_formsets(self, request, obj, change):
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        group = RuleForms(formsets)
        for formset in formsets:
            formset.rule_forms = group
        request._workflow_rule_rows = True  # save_related writes the rule with its rows
        return formsets, inline_instances

    def save_with_service(self, request, obj, form, change):
        """The change form writes the rule with its criteria and actions in save_related, in one service call. The
        history page's revert has no rows and no save_related: it restores the rule's own fields here."""
        if getattr(request, "_workflow_rule_rows", False):
            return
        fields = {name: form.cleaned_data[name] for name in RULE_FORM_FIELDS if name in form.cleaned_data}
        services.rule_update(obj, user=request.user, change_reason=form.cleaned_data.get(REASON_FIELD, ""), **fields)

    def save_related(self, request, form, formsets, change):
        reason = form.cleaned_data.get(REASON_FIELD, "")
        fields = {name: form.cleaned_data[name] for name in RULE_FORM_FIELDS}
        by_model = {fs.model: fs for fs in formsets}
        criteria = [_criterion_item(f) for f in _live_forms(by_model[Criterion])]
        actions = [definitions.action_item(f.instance) for f in _live_forms(by_model[Action])]
        rule = form.instance
        if change:
            services.rule_update(
                rule, user=request.user, change_reason=reason, criteria=criteria, actions=actions, **fields
            )
        else:
            created = services.rule_create(
                user=request.user, change_reason=reason, criteria=criteria, actions=actions, **fields
            )
            rule.pk, rule.position, rule.summary = created.pk, created.position, created.summary
        for formset in formsets:
            formset.save(commit=False)  # only fills the lists the admin's change message reads; nothing is written
        for warning in services.rule_warnings([rule.pk]):
            self.message_user(request, f"{warning.rule_label}: {warning.message}", messages.WARNING)

    def delete_with_service(self, request, obj, reason):
        services.rule_delete(obj, user=request.user, change_reason=reason)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:  # a check that only the service could make (e.g. a race): nothing saved
            self.message_user(request, f"Not saved: {validation_message(error)}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    # -- pages -------------------------------------------------------------------------------------------------------
    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("simulate/", view(self.simulate_view), name="workflow_rule_simulate"),
            path("replay/", view(self.replay_view), name="workflow_rule_replay"),
            path("lint/", view(self.lint_view), name="workflow_rule_lint"),
            path("<int:pk>/move/<str:direction>/", view(self.move_view), name="workflow_rule_move"),
            *super().get_urls(),
        ]

    def move_view(self, request, pk, direction):
        changelist = reverse("admin:workflow_rule_changelist")
        if request.method != "POST":
            return HttpResponseRedirect(changelist)
        if not self.has_change_permission(request) or direction not in {d for d, _, _ in MOVES}:
            raise PermissionDenied
        rule = get_object_or_404(Rule, pk=pk)
        old = rule.position
        moved = services.rule_move_by(rule, direction=direction, user=request.user)
        if moved.position != old:
            self.message_user(request, f"'{moved.name}' moved from {old} to {moved.position}.", messages.SUCCESS)
        return HttpResponseRedirect(changelist)

    def _page(self, request, template: str, title: str, **context):
        return TemplateResponse(
            request,
            f"admin/workflow/rule/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": title,
                "has_view_permission": True,
                **context,
            },
        )

    def simulate_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = SimulateForm(request.GET if "run" in request.GET else None, admin_site=self.admin_site)
        evaluation = None
        values = None
        if form.is_bound and form.is_valid():
            evaluation = dry_runs.simulate(**form.simulate_kwargs(), viewer=request.user)
            values = _Values(evaluation)
        return self._page(
            request,
            "simulate.html",
            "Simulate rules",
            form=form,
            evaluation=evaluation,
            trace=_trace_rows(evaluation, values) if evaluation else (),
            changes=_plan_changes(evaluation, values) if evaluation else [],
            media=self.media + form.media,
        )

    def replay_view(self, request):
        # Replaying reads every ticket of up to a year: it needs the permission to change rules, not only to view them.
        if not self.has_change_permission(request):
            raise PermissionDenied
        may_apply = self.has_change_permission(request) and request.user.has_perm("tickets.change_ticket")
        form = ReplayForm(request.POST if request.method == "POST" else None, may_apply=may_apply)
        report = None
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            rules = list(data["rules"])
            report = dry_runs.replay(
                date_from=data["date_from"],
                date_to=data["date_to"],
                rule_ids=[r.pk for r in rules] or None,
                apply=form.applying,
                user=request.user,
                change_reason=data.get("change_reason") or "",
            )
            if form.applying:
                self.message_user(
                    request,
                    f"Replay applied to {report.applied} ticket(s), with your reason in their history.",
                    messages.SUCCESS,
                )
        return self._page(
            request,
            "replay.html",
            "Replay rules",
            form=form,
            report=report,
            by_rule=report.by_rule.most_common() if report else [],
            may_apply=may_apply,
        )

    def lint_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        warnings = services.rule_warnings()
        rules = {r.pk: r for r in Rule.objects.ordered()}
        rows = [(w, rules.get(w.rule_id), rules.get(w.other_rule_id)) for w in warnings]
        return self._page(request, "lint.html", "Lint rules", rows=rows, rule_count=len(rules))


class _Values:
    """Ticket field values as the ticket page shows them (P2, Assigned, VIP Desk); names read once per page."""

    def __init__(self, evaluation):
        ids: dict[str, set] = {"team": set(), "assignee": set(), "service_level": set()}
        for step in evaluation.plan.steps:
            if step.field in ids:
                ids[step.field].update(v for v in (step.old, step.new) if v)
        user_model = get_user_model()
        self.names = {
            "team": dict(Team.objects.filter(pk__in=ids["team"]).values_list("pk", "name")) if ids["team"] else {},
            "assignee": (
                dict(user_model.objects.filter(pk__in=ids["assignee"]).values_list("pk", user_model.USERNAME_FIELD))
                if ids["assignee"]
                else {}
            ),
            "service_level": (
                dict(ServiceLevel.objects.filter(pk__in=ids["service_level"]).values_list("pk", "name"))
                if ids["service_level"]
                else {}
            ),
        }

    def show(self, field: str, value: Any) -> str:
        if value in (None, ""):
            return "empty"
        if field == "priority":
            return f"P{value}"
        if field == "status":
            return definitions.choice_labels("statuses").get(value, str(value))
        if field in ("impact", "urgency"):
            return definitions.choice_labels("levels").get(value, str(value))
        return str(self.names.get(field, {}).get(value, value))


def _step_text(step, values: _Values) -> str:
    """A plan step in words; a field that follows another action (status after an assignment) says so."""
    spec = vocab.ACTIONS.get(step.action)
    if step.field and spec is not None and spec.field != step.field:
        return f"{step.field.replace('_', ' ')} becomes {values.show(step.field, step.new)} (follows: {step.display})"
    return step.display


def _trace_rows(evaluation, values: _Values) -> list[dict[str, Any]]:
    return [{"result": r, "steps": [(s, _step_text(s, values)) for s in r.steps]} for r in evaluation.trace]


def _plan_changes(evaluation, values: _Values) -> list[dict[str, Any]]:
    """The fields the plan would change: the value now, the value after, and the rule that set it."""
    last: dict[str, Any] = {}
    for step in evaluation.plan.steps:
        if step.field and step.outcome == "applied":
            last[step.field] = step
    rows = []
    for name, new in evaluation.plan.changes.items():
        step = last.get(name)
        old = step.old if step is not None else None
        first = next((s for s in evaluation.plan.steps if s.field == name and s.outcome != "unchanged"), None)
        if first is not None:
            old = first.old
        rows.append(
            {
                "field": name.replace("_", " "),
                "now": values.show(name, old),
                "after": values.show(name, new),
                "rule": step.rule_label if step is not None else "",
            }
        )
    return rows


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
    change_reason = forms.CharField(
        label="Change reason",
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"size": 60, "placeholder": "Why are these tickets being changed?"}),
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


# -- firings ----------------------------------------------------------------------------------------------------------
@admin.register(RuleFiring)
class RuleFiringAdmin(admin.ModelAdmin):
    """Read-only: firings are machine records written by the workflow (no history of their own, never edited)."""

    list_display = ["fired_at", "ticket", "rule_label", "event", "because", "user"]
    list_filter = ["event"]
    search_fields = ["ticket__number", "rule_name"]
    list_select_related = ["ticket", "user"]
    date_hierarchy = "fired_at"
    readonly_fields = [
        "ticket",
        "rule",
        "rule_name",
        "rule_position",
        "rule_version",
        "event",
        "fired_at",
        "user",
        "criteria_seen",
        "actions_applied",
    ]
    exclude = ["criteria", "actions"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="criteria seen")
    def criteria_seen(self, obj):
        return format_html_join(
            "",
            "<div>{} {}{}: saw {} ({})</div>",
            (
                (
                    c["label"],
                    c["operator_label"],
                    f" {c['expected_display']}" if c["expected_display"] else "",
                    c["seen_display"],
                    "met" if c["matched"] else "not met",
                )
                for c in obj.criteria
            ),
        ) or format_html("<span>{}</span>", "no criteria: matches every ticket")

    @admin.display(description="actions")
    def actions_applied(self, obj):
        return format_html_join(
            "",
            "<div>{} ({}){}</div>",
            ((a["display"], a["outcome"], f": {a['note']}" if a.get("note") else "") for a in obj.actions),
        )
