from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from itsm.admin import AuditedAdmin, ChangeReasonForm
from itsm.services import ConflictError
from vip import services
from vip.models import VipStatus, close_system_colours
from vip.selectors import vip_status_get_default

RENAME_DEFAULT_WARNING = (
    "'%(old)s' is the default VIP status: renaming it is not recommended, because people without another status "
    "hold it. Save again to confirm the new name."
)


class VipStatusForm(ChangeReasonForm):
    confirm_default_rename = forms.BooleanField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = VipStatus
        fields = ["name", "colour", "show_on_tickets", "is_default", "description"]

    def clean_is_default(self):
        value = self.cleaned_data["is_default"]
        if self.instance.pk and self.instance.is_default and not value:
            raise ValidationError("There must always be one default status: make another status the default instead.")
        return value

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        new_name = cleaned.get("name")
        renaming_default = instance.pk and instance.is_default and new_name and new_name != instance.name
        if renaming_default and not cleaned.get("confirm_default_rename"):
            # The warning is shown once; the hidden flag lets the second save through.
            self.data = self.data.copy()
            self.data["confirm_default_rename"] = "True"
            raise ValidationError(RENAME_DEFAULT_WARNING % {"old": instance.name}, code="rename_default")
        return cleaned

    def validate_constraints(self):
        # Making this the default unsets the old one in the service, so the one-default constraint is checked there.
        if self.cleaned_data.get("is_default") and not (
            self.instance.pk and VipStatus.objects.filter(pk=self.instance.pk, is_default=True).exists()
        ):
            self.instance.validate_constraints(exclude={"is_default"})
            return
        super().validate_constraints()


@admin.register(VipStatus)
class VipStatusAdmin(AuditedAdmin):
    form = VipStatusForm

    class Media:
        # A live badge preview with its contrast ratio, and a warning next to colours that read like an alarm.
        js = ["vip/status_preview.js"]
        css = {"all": ["vip/status_preview.css"]}

    list_display = ["position", "badge", "name", "show_on_tickets", "is_default", "holders", "move_buttons"]
    list_display_links = ["name"]
    ordering = ["position"]
    search_fields = ["name"]
    readonly_fields = ["position"]
    fields = ["name", "colour", "show_on_tickets", "is_default", "description", "position", "confirm_default_rename"]
    sortable_by = []
    change_list_template = "admin/vip/vipstatus/change_list.html"
    delete_confirmation_template = "admin/vip/vipstatus/delete_confirmation.html"

    @admin.display(description="badge")
    def get_queryset(self, request):
        return services.with_holder_counts(super().get_queryset(request))

    @admin.display(description="people", ordering="holders")
    def holders(self, obj):
        return obj.holders

    def badge(self, obj):
        return format_html(
            '<span class="vip-badge" style="background:{};color:{};padding:1px 8px;border-radius:9px">{}</span>',
            obj.colour,
            obj.text_colour,
            obj.name,
        )

    @admin.display(description="order")
    def move_buttons(self, obj):
        buttons = [
            ("top", "⤒", "Move to top"),
            ("up", "↑", "Move up"),
            ("down", "↓", "Move down"),
            ("bottom", "⤓", "Move to bottom"),
        ]
        # The buttons submit one form outside the changelist form (forms cannot nest), via the form= attribute.
        return format_html_join(
            " ",
            '<button type="submit" form="vip-move-form" formaction="{}" class="button vip-move-{}" '
            'title="{} ({})" aria-label="{} {}">{}</button>',
            (
                (
                    reverse("admin:vip_vipstatus_move", args=[obj.pk, direction]),
                    direction,
                    label,
                    obj.name,
                    label,
                    obj.name,
                    symbol,
                )
                for direction, symbol, label in buttons
            ),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/move/<str:direction>/",
                self.admin_site.admin_view(self.move_view),
                name="vip_vipstatus_move",
            ),
            *super().get_urls(),
        ]

    def move_view(self, request, pk, direction):
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:vip_vipstatus_changelist"))
        if not self.has_change_permission(request) or direction not in {"up", "down", "top", "bottom"}:
            raise PermissionDenied
        status = get_object_or_404(VipStatus, pk=pk)
        old = status.position
        moved = services.vip_status_move_by(status, direction=direction, user=request.user)
        if moved.position != old:
            self.message_user(request, f"'{moved.name}' moved from {old} to {moved.position}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:vip_vipstatus_changelist"))

    def save_with_service(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in VipStatusForm.Meta.fields}
        reason = form.cleaned_data.get("change_reason", "")
        if change:
            services.vip_status_update(obj, user=request.user, change_reason=reason, **data)
        else:
            created = services.vip_status_create(user=request.user, change_reason=reason, **data)
            obj.pk, obj.position = created.pk, created.position
        close = close_system_colours(data["colour"])
        if close and data["show_on_tickets"]:
            self.message_user(
                request,
                f"'{data['name']}' is close to the {', '.join(close)}: analysts may read this VIP badge as an alarm. "
                "Consider a colour further from it.",
                messages.WARNING,
            )

    def delete_view(self, request, object_id, extra_context=None):
        status = VipStatus.objects.filter(pk=object_id).first()
        if status is not None and status.is_default:
            self.message_user(
                request,
                f"'{status.name}' is the default VIP status and cannot be deleted: make another status the default "
                "first.",
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:vip_vipstatus_change", args=[status.pk]))
        extra_context = dict(extra_context or {})
        if status is not None:
            extra_context["holder_count"] = services.vip_status_holder_count(status)
            extra_context["default_status"] = vip_status_get_default()
        return super().delete_view(request, object_id, extra_context)

    def get_deleted_objects(self, objs, request):
        # People are not deleted with a status: they move to the default (the page says how many).
        _deleted, _model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        holder_labels = {str(h.model._meta.verbose_name) for h in services._holders}
        protected = [p for p in protected if not any(str(p).startswith(label.capitalize()) for label in holder_labels)]
        return [str(o) for o in objs], {VipStatus._meta.verbose_name_plural: len(objs)}, perms_needed, protected

    def delete_with_service(self, request, obj, reason):
        moved = services.vip_status_delete(obj, user=request.user, change_reason=reason)
        if moved:
            self.message_user(request, f"{moved} people moved to the default VIP status.", messages.INFO)


__all__ = ["ConflictError", "VipStatusAdmin"]
