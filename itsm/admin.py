"""The audited admin base every admin class uses: a change reason on add, change, delete, bulk delete and revert."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpResponseRedirect, QueryDict
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from itsm.audit import REASON_REQUIRED_MESSAGE, change_entries, mark, reasons_required
from itsm.forms import ChangeReasonField
from itsm.params import int_param
from itsm.services import ConflictError, record_delete, validation_message

REASON_FIELD = "change_reason"

# The built-in bulk delete has no reason field; AuditedAdmin installs its own under the same name.
admin.site.disable_action("delete_selected")


def reason_field() -> ChangeReasonField:
    return ChangeReasonField(size=80)


class ChangeReasonForm(forms.ModelForm):
    """Base form for audited admins; the change reason is declared here so it passes get_fields and the revert page."""

    change_reason = reason_field()


def _posted_reason(request) -> str:
    return (request.POST.get(REASON_FIELD) or "").strip()


@admin.action(permissions=["delete"], description="Delete selected %(verbose_name_plural)s")
def delete_selected(modeladmin: AuditedAdmin, request, queryset):
    """Django's bulk delete, with a change reason required on the confirmation page."""
    missing = bool(request.POST.get("post")) and not _posted_reason(request) and reasons_required()
    if missing:
        # Without "post", Django's action shows the confirmation page again instead of deleting.
        request.POST = request.POST.copy()
        request.POST.pop("post")
    try:
        response = django_delete_selected(modeladmin, request, queryset)
    except ConflictError as error:
        modeladmin.message_user(request, error.message, messages.ERROR)
        return None
    if missing and response is not None:
        response.context_data["change_reason_error"] = REASON_REQUIRED_MESSAGE
    return response


class AuditedInline:
    """Inline rows are saved by AuditedAdmin.save_formset with the parent form's reason."""

    extra = 0
    show_change_link = True


class AuditedTabularInline(AuditedInline, admin.TabularInline):
    pass


class AuditedStackedInline(AuditedInline, admin.StackedInline):
    pass


class AuditedAdmin(SimpleHistoryAdmin):
    """Every add, change, delete (single and bulk), inline and revert asks for a change reason and records it; the
    revert page first shows what reverting would change."""

    object_history_form_template = "admin/audited/object_history_form.html"
    form = ChangeReasonForm
    actions = [delete_selected]
    delete_confirmation_template = "admin/audited/delete_confirmation.html"
    delete_selected_confirmation_template = "admin/audited/delete_selected_confirmation.html"
    list_per_page = 50
    history_list_per_page = 50

    # -- forms ---------------------------------------------------------------------------------------------------
    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if REASON_FIELD not in form.base_fields:
            form = type(form.__name__, (form,), {REASON_FIELD: reason_field()})
        form.base_fields[REASON_FIELD].required = reasons_required()
        return form

    def get_fieldsets(self, request, obj=None):
        # The reason always comes last, in its own section, whether or not the admin declares fieldsets.
        fieldsets = [
            (name, {**opts, "fields": [f for f in opts.get("fields", ()) if f != REASON_FIELD]})
            for name, opts in super().get_fieldsets(request, obj)
        ]
        fieldsets.append(("Change reason", {"fields": [REASON_FIELD], "classes": ["change-reason"]}))
        return fieldsets

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        # simple-history calls select_related() with no names for models without foreign keys (deprecated in 6.1).
        related = [f.name for f in history_manager.model.tracked_fields if isinstance(f, models.ForeignKey)]
        return history_manager.filter(**{pk_name: object_id}).select_related("history_user", *related)

    # -- writes --------------------------------------------------------------------------------------------------
    def save_model(self, request, obj, form, change):
        mark(obj, user=request.user, reason=form.cleaned_data.get(REASON_FIELD, ""))
        self.save_with_service(request, obj, form, change)

    def save_with_service(self, request, obj, form, change) -> None:
        """Override to route the write through the app's service; the default is an audited plain save."""
        obj.save()

    def save_formset(self, request, form, formset, change):
        reason = form.cleaned_data.get(REASON_FIELD, "")
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            record_delete(obj, user=request.user, change_reason=reason or "deleted in the admin")
        for obj in instances:
            mark(obj, user=request.user, reason=reason)
            obj.save()
        formset.save_m2m()

    def delete_model(self, request, obj):
        self.delete_with_service(request, obj, _posted_reason(request))

    def delete_with_service(self, request, obj, reason: str) -> None:
        record_delete(obj, user=request.user, change_reason=reason)

    def delete_queryset(self, request, queryset):
        reason = _posted_reason(request)
        # Object by object: a queryset delete builds new instances and would lose the reason.
        with transaction.atomic():
            for obj in queryset:
                self.delete_with_service(request, obj, reason)

    # -- views ---------------------------------------------------------------------------------------------------
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ConflictError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        extra_context = dict(extra_context or {})
        if request.method == "POST" and not _posted_reason(request) and reasons_required():
            # An empty POST is what Django's view takes for "not yet confirmed": it shows the page again.
            request.POST = QueryDict()
            extra_context["change_reason_error"] = REASON_REQUIRED_MESSAGE
        try:
            return super().delete_view(request, object_id, extra_context)
        except ConflictError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        except ValidationError as error:
            self.message_user(request, validation_message(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        extra_context = {**(extra_context or {}), "revert_changes": self._revert_changes(object_id, version_id)}
        # The revert page saves through save_model, so it asks for a reason too; make it all-or-nothing.
        with transaction.atomic():
            return super().history_form_view(request, object_id, version_id, extra_context)

    def _revert_changes(self, object_id, version_id) -> list:
        """What reverting would change, field by field: the current values (the newest history row) -> the version's."""
        history = getattr(self.model, self.model._meta.simple_history_manager_attribute)
        rows = history.filter(**{self.model._meta.pk.attname: object_id})
        version = rows.filter(history_id=int_param(version_id)).first()
        current = rows.order_by("-history_date", "-history_id").first()
        if version is None or current is None:
            return []  # simple-history answers 404 for a version that does not exist
        return change_entries([(current, version)])[0]["changes"]

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except ConflictError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def get_changelist_url(self) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


__all__ = ["AuditedAdmin", "AuditedStackedInline", "AuditedTabularInline", "ChangeReasonForm"]


# Sign-in accounts (token actions) are registered from their own module.
from itsm import admin_accounts  # noqa: E402, F401
