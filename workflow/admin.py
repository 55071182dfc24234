"""Rules in the audited admin (criteria and actions as inlines, saved together through the workflow services), the
move buttons, and three pages under the rule list: Simulate, Replay and Lint.

A rule is saved with its criteria and actions in one service call (`rule_create` / `rule_update`), so the admin,
the API and the seed data share one set of checks; those checks also run while the forms are validated
(`services.rule_check`), so a bad value is an error next to its field and nothing is written.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect, RelatedFieldWidgetWrapper
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from itsm.admin import REASON_FIELD, AuditedAdmin, AuditedStackedInline
from itsm.services import validation_message
from workflow import definitions, dry_runs, presenter, services
from workflow.forms import (
    CRITERION_BOXES,
    RULE_FORM_FIELDS,
    ActionForm,
    CriterionForm,
    ReplayForm,
    RuleForm,
    RuleForms,
    RuleRowsFormSet,
    SimulateForm,
    criterion_item,
    live_forms,
)
from workflow.models import ACTION_COLUMNS, Action, Criterion, Rule, RuleFiring

MOVES = [
    ("top", "⤒", "Move to top"),
    ("up", "↑", "Move up"),
    ("down", "↓", "Move down"),
    ("bottom", "⤓", "Move to bottom"),
]


# The criteria inline's form prefix (the rule's related name for its criteria), posted only by the change form.
ROWS_PREFIX = Criterion._meta.get_field("rule").remote_field.get_accessor_name()


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
    fields = [("action_type", *ACTION_COLUMNS.values(), "priority", "value"), "text"]
    autocomplete_fields = ["analyst"]


# -- the rule admin ---------------------------------------------------------------------------------------------------


@admin.register(Rule)
class RuleAdmin(AuditedAdmin):
    form = RuleForm
    inlines = [CriterionInline, ActionInline]
    # The definition starts with its trigger in words, so the trigger is a filter, not a column: the list fits 1280 px.
    list_display = ["position", "name", "active", "stop_processing", "summary", "move_buttons"]
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

    class Media:
        css = {"all": ["workflow/rule_admin.css"]}

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
    def get_formsets_with_inlines(self, request, obj=None):
        # The page's criteria and actions formsets share one RuleForms, which checks the rule as a whole.
        group = RuleForms()
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            yield type(formset.__name__, (formset,), {"rule_forms": group}), inline

    def save_with_service(self, request, obj, form, change):
        """The change form posts the rule's rows too: save_related writes the rule with them in one service call. The
        history page's revert posts only the rule's own fields and has no save_related: they are restored here."""
        if f"{ROWS_PREFIX}-TOTAL_FORMS" in request.POST:
            return
        fields = {name: form.cleaned_data[name] for name in RULE_FORM_FIELDS if name in form.cleaned_data}
        services.rule_update(obj, user=request.user, change_reason=form.cleaned_data.get(REASON_FIELD, ""), **fields)

    def save_related(self, request, form, formsets, change):
        reason = form.cleaned_data.get(REASON_FIELD, "")
        fields = {name: form.cleaned_data[name] for name in RULE_FORM_FIELDS}
        by_model = {fs.model: fs for fs in formsets}
        criteria = [criterion_item(f) for f in live_forms(by_model[Criterion])]
        actions = [definitions.action_item(f.instance) for f in live_forms(by_model[Action])]
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
        if form.is_bound and form.is_valid():
            evaluation = dry_runs.simulate(**form.simulate_kwargs(), viewer=request.user)
        shown = presenter.simulate_page(evaluation) if evaluation else {"trace": (), "changes": []}
        return self._page(
            request,
            "simulate.html",
            "Simulate rules",
            form=form,
            evaluation=evaluation,
            trace=shown["trace"],
            changes=shown["changes"],
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
                apply=form.confirmed,
                user=request.user,
                change_reason=data.get("change_reason") or "",
            )
            if form.confirmed:
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
            confirming=report is not None and form.applying and not form.confirmed,
        )

    def lint_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        warnings = services.rule_warnings()
        rules = {r.pk: r for r in Rule.objects.ordered()}
        rows = [(w, rules.get(w.rule_id), rules.get(w.other_rule_id)) for w in warnings]
        return self._page(request, "lint.html", "Lint rules", rows=rows, rule_count=len(rules))


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
