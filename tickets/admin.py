from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect

from itsm.admin import AuditedAdmin
from itsm.services import validation_message
from tickets import services
from tickets.models import PriorityMatrixCell, Ticket, TicketNote


@admin.register(PriorityMatrixCell)
class PriorityMatrixCellAdmin(AuditedAdmin):
    """The nine cells of the ITIL matrix: the priority is editable (with a reason), the cells themselves are fixed."""

    list_display = ["impact", "urgency", "priority"]
    list_display_links = ["impact", "urgency"]
    fields = ["impact", "urgency", "priority"]
    readonly_fields = ["impact", "urgency"]
    actions = []
    sortable_by = []

    def get_queryset(self, request):
        services.priority_matrix()  # recreates missing cells, so the admin always shows nine
        return super().get_queryset(request)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_with_service(self, request, obj, form, change):
        services.priority_matrix_cell_update(
            obj, user=request.user, change_reason=form.cleaned_data.get("change_reason", ""), priority=obj.priority
        )


class TicketNoteInline(admin.TabularInline):
    model = TicketNote
    fields = ["created_at", "author", "public", "text", "time_spent_minutes"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(AuditedAdmin):
    """Tickets are worked on the analyst pages; the admin edits fields (never the status) and never deletes."""

    list_display = ["number", "title", "caller", "priority", "status", "team", "assignee", "opened_at"]
    list_filter = ["ticket_type", "status", "priority", "source", "team"]
    search_fields = ["number", "title", "caller__first_name", "caller__last_name", "caller__email"]
    list_select_related = ["caller", "team", "assignee"]
    autocomplete_fields = ["caller", "assignee"]
    raw_id_fields = ["service_instance", "configuration_item"]
    readonly_fields = [
        "number",
        "priority",
        "status",
        "resolution",
        "opened_at",
        "first_response_at",
        "resolved_at",
        "closed_at",
        "response_due_at",
        "resolution_due_at",
    ]
    fieldsets = [
        (None, {"fields": ["number", "ticket_type", "title", "description", "caller", "source"]}),
        ("Service", {"fields": ["service_instance", "configuration_item"]}),
        ("Priority", {"fields": ["impact", "urgency", "priority"]}),
        ("Work", {"fields": ["status", "team", "assignee", "resolution"]}),
        (
            "Times",
            {
                "fields": [
                    "opened_at",
                    "first_response_at",
                    "resolved_at",
                    "closed_at",
                    "response_due_at",
                    "resolution_due_at",
                ]
            },
        ),
    ]
    inlines = [TicketNoteInline]
    actions = []
    date_hierarchy = "opened_at"

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "ticket_type"] if obj is not None else fields

    def has_delete_permission(self, request, obj=None):
        return False  # nothing is lost: cancel a ticket instead

    def save_with_service(self, request, obj, form, change):
        reason = form.cleaned_data.get("change_reason", "")
        if change:
            data = {name: form.cleaned_data[name] for name in form.changed_data if name in services.UPDATABLE_FIELDS}
            obj.refresh_from_db()
            services.ticket_update(obj, user=request.user, change_reason=reason, **data)
            return
        data = {
            name: form.cleaned_data.get(name)
            for name in [
                "ticket_type",
                "title",
                "description",
                "caller",
                "source",
                "impact",
                "urgency",
                "service_instance",
                "configuration_item",
                "team",
                "assignee",
            ]
        }
        created = services.ticket_create(user=request.user, change_reason=reason, **data)
        obj.pk, obj.number = created.pk, created.number

    def save_formset(self, request, form, formset, change):
        # Notes are read-only here, so nothing is saved; the admin's change message still reads these lists.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            self.message_user(request, validation_message(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
