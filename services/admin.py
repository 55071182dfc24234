"""Every service-relationship model in the admin, on the audited base; inlines are saved with the form's reason."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from itsm.admin import AuditedAdmin, AuditedTabularInline
from services import calendar_services, services
from services.business_time import check_intervals, format_hhmm, parse_hhmm
from services.models import (
    Calendar,
    CalendarHoliday,
    CalendarHours,
    ConfigurationItem,
    CustomerGroup,
    Membership,
    ServiceInstance,
    ServiceLevel,
    Task,
    TechnicalService,
    Timeframe,
)


def _plain_fields(form) -> dict:
    """The model fields a ModelForm edited (its many-to-many included), for passing to a service."""
    model = form._meta.model
    names = {f.name for f in model._meta.get_fields() if getattr(f, "editable", False) and f.concrete}
    names |= {f.name for f in model._meta.many_to_many}
    return {name: value for name, value in form.cleaned_data.items() if name in names}


class ServiceWriteAdmin(AuditedAdmin):
    """Routes admin saves through the app's services (cycle checks, titles following renames, one history row)."""

    update_service = None
    create_service = None
    delete_service = None

    def save_with_service(self, request, obj, form, change) -> None:
        reason = form.cleaned_data.get("change_reason", "")
        fields = _plain_fields(form)
        if change:
            saved = type(self).update_service(obj, user=request.user, change_reason=reason, **fields)
        else:
            saved = type(self).create_service(user=request.user, change_reason=reason, **fields)
            obj.pk = saved.pk
            obj._state.adding = False
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})

    def save_related(self, request, form, formsets, change):
        # Many-to-many fields were saved by the service, with the history row; only inlines are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_with_service(self, request, obj, reason: str) -> None:
        type(self).delete_service(obj, user=request.user, change_reason=reason)


# -- inlines ----------------------------------------------------------------------------------------------------------
class MembershipInline(AuditedTabularInline):
    model = Membership
    fields = ["person", "role", "start_date", "end_date"]
    autocomplete_fields = ["person"]


class TimeframeInline(AuditedTabularInline):
    model = Timeframe
    fields = ["name", "start", "end", "recurs_yearly", "heightened_support"]


class TaskInline(AuditedTabularInline):
    model = Task
    fields = ["title", "due_date", "team", "assignee", "status"]


# -- models -----------------------------------------------------------------------------------------------------------
@admin.register(TechnicalService)
class TechnicalServiceAdmin(ServiceWriteAdmin):
    list_display = ["name", "category", "owner_team", "status"]
    list_filter = ["status", "category"]
    search_fields = ["name", "description"]
    list_select_related = ["owner_team"]
    create_service = staticmethod(services.technical_service_create)
    update_service = staticmethod(services.technical_service_update)
    delete_service = staticmethod(services.technical_service_delete)


@admin.register(ServiceLevel)
class ServiceLevelAdmin(ServiceWriteAdmin):
    list_display = ["name", "hours", "calendar", "p1_response_minutes", "p1_resolution_minutes"]
    list_filter = ["hours", "calendar"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "hours", "calendar", "description"]}),
        (
            "Targets (minutes)",
            {
                "fields": [
                    ("p1_response_minutes", "p1_resolution_minutes"),
                    ("p2_response_minutes", "p2_resolution_minutes"),
                    ("p3_response_minutes", "p3_resolution_minutes"),
                    ("p4_response_minutes", "p4_resolution_minutes"),
                    ("p5_response_minutes", "p5_resolution_minutes"),
                ]
            },
        ),
    ]
    create_service = staticmethod(services.service_level_create)
    update_service = staticmethod(services.service_level_update)
    delete_service = staticmethod(services.service_level_delete)


@admin.register(CustomerGroup)
class CustomerGroupAdmin(ServiceWriteAdmin):
    list_display = ["name", "kind", "organisation_code", "primary_contact"]
    list_filter = ["kind"]
    search_fields = ["name", "organisation_code"]
    list_select_related = ["primary_contact"]
    autocomplete_fields = ["primary_contact", "secondary_contact"]
    filter_horizontal = ["nested_groups"]
    inlines = [MembershipInline]
    create_service = staticmethod(services.customer_group_create)
    update_service = staticmethod(services.customer_group_update)
    delete_service = staticmethod(services.customer_group_delete)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        group = obj

        class CycleCheckedForm(form):
            def clean(self):
                cleaned = super().clean()
                nested = cleaned.get("nested_groups")
                if group is not None and nested is not None:
                    try:
                        services.check_no_cycle(group, nested)
                    except ValidationError as error:
                        self.add_error(None, error)
                return cleaned

        CycleCheckedForm.__name__ = form.__name__
        return CycleCheckedForm


@admin.register(Membership)
class MembershipAdmin(ServiceWriteAdmin):
    list_display = ["person", "group", "role", "start_date", "end_date"]
    list_filter = ["role"]
    search_fields = ["person__first_name", "person__last_name", "person__email", "group__name"]
    list_select_related = ["person", "group"]
    autocomplete_fields = ["person", "group"]
    create_service = staticmethod(services.membership_create)
    update_service = staticmethod(services.membership_update)
    delete_service = staticmethod(services.membership_delete)


@admin.register(ServiceInstance)
class ServiceInstanceAdmin(ServiceWriteAdmin):
    list_display = ["title", "status", "service_level", "owner_team", "review_date", "next_contact_date"]
    list_filter = ["status", "service_level", "technical_service"]
    search_fields = ["title", "billing_code", "customer_group__organisation_code"]
    list_select_related = ["service_level", "owner_team"]
    autocomplete_fields = ["technical_service", "customer_group", "owner", "primary_customer", "secondary_customer"]
    readonly_fields = ["title"]
    inlines = [TimeframeInline, TaskInline]
    fieldsets = [
        (None, {"fields": ["title", "technical_service", "customer_group", "status", "service_level"]}),
        ("Ownership and customers", {"fields": ["owner_team", "owner", "primary_customer", "secondary_customer"]}),
        ("Billing", {"fields": ["billing_code", "charge_model", "charge_amount", "currency"]}),
        (
            "Dates",
            {
                "fields": [
                    ("start_date", "agreement_date"),
                    ("review_date", "end_date"),
                    ("last_contact_date", "next_contact_date"),
                ]
            },
        ),
        ("Notes", {"fields": ["description", "notes"]}),
    ]
    create_service = staticmethod(services.service_instance_create)
    update_service = staticmethod(services.service_instance_update)
    delete_service = staticmethod(services.service_instance_delete)


@admin.register(ConfigurationItem)
class ConfigurationItemAdmin(ServiceWriteAdmin):
    list_display = ["name", "ci_type", "status", "asset_tag", "serial_number", "owner_team"]
    list_filter = ["ci_type", "status"]
    search_fields = ["name", "asset_tag", "serial_number"]
    list_select_related = ["owner_team"]
    autocomplete_fields = ["service_instances"]
    create_service = staticmethod(services.configuration_item_create)
    update_service = staticmethod(services.configuration_item_update)
    delete_service = staticmethod(services.configuration_item_delete)


@admin.register(Timeframe)
class TimeframeAdmin(ServiceWriteAdmin):
    list_display = ["name", "service_instance", "start", "end", "recurs_yearly", "heightened_support"]
    list_filter = ["recurs_yearly", "heightened_support"]
    search_fields = ["name", "service_instance__title"]
    list_select_related = ["service_instance"]
    autocomplete_fields = ["service_instance"]
    create_service = staticmethod(services.timeframe_create)
    update_service = staticmethod(services.timeframe_update)
    delete_service = staticmethod(services.timeframe_delete)


@admin.register(Task)
class TaskAdmin(ServiceWriteAdmin):
    list_display = ["title", "service_instance", "due_date", "team", "assignee", "status"]
    list_filter = ["status", "team"]
    search_fields = ["title", "service_instance__title"]
    list_select_related = ["service_instance", "team", "assignee"]
    autocomplete_fields = ["service_instance"]
    create_service = staticmethod(services.task_create)
    update_service = staticmethod(services.task_update)
    delete_service = staticmethod(services.task_delete)


# -- calendars --------------------------------------------------------------------------------------------------------
class HoursForm(forms.ModelForm):
    """Working hours typed as HH:MM (stored as minutes after midnight)."""

    start = forms.CharField(label="start", max_length=5, help_text="HH:MM")
    end = forms.CharField(label="end", max_length=5, help_text="HH:MM; 24:00 is midnight at the day's end")

    class Meta:
        model = CalendarHours
        fields = ["weekday", "start", "end"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("start", "end"):
            value = getattr(self.instance, name, None)
            if self.instance.pk and value is not None:
                self.initial[name] = format_hhmm(value)

    def clean_start(self):
        return self._minutes("start", end=False)

    def clean_end(self):
        return self._minutes("end", end=True)

    def _minutes(self, name, *, end):
        try:
            return parse_hhmm(self.cleaned_data[name], end=end)
        except ValueError as error:
            raise ValidationError(str(error)) from error


class HoursFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        rows = [
            (f.cleaned_data["weekday"], f.cleaned_data["start"], f.cleaned_data["end"])
            for f in self.forms
            if f.cleaned_data
            and not f.cleaned_data.get("DELETE")
            and "start" in f.cleaned_data
            and "end" in f.cleaned_data
        ]
        problems = check_intervals(rows)
        if problems:
            raise ValidationError(problems)


class CalendarHoursInline(AuditedTabularInline):
    model = CalendarHours
    form = HoursForm
    formset = HoursFormSet
    extra = 0


class CalendarHolidayInline(AuditedTabularInline):
    model = CalendarHoliday
    extra = 0


@admin.register(Calendar)
class CalendarAdmin(AuditedAdmin):
    list_display = ["name", "time_zone", "country", "subdivision"]
    search_fields = ["name"]
    inlines = [CalendarHoursInline, CalendarHolidayInline]
    view_on_site = True

    def delete_with_service(self, request, obj, reason: str) -> None:
        calendar_services.calendar_delete(obj, user=request.user, change_reason=reason)
