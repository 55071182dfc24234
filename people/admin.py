from django.contrib import admin

from itsm.admin import AuditedAdmin
from people import services
from people.models import Person, Team
from vip.selectors import vip_status_get_default


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    list_display = ["last_name", "first_name", "email", "vip_status", "job_title", "active"]
    list_filter = ["vip_status", "active"]
    search_fields = ["first_name", "last_name", "email"]
    list_select_related = ["vip_status"]
    autocomplete_fields = ["login"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "vip_status":
            kwargs["queryset"] = db_field.related_model.objects.ordered()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm(services.GRANT_VIP_STATUS):
            fields.append("vip_status")
        if not request.user.is_superuser:
            fields.append("login")
        return fields

    def save_with_service(self, request, obj, form, change) -> None:
        current = Person.objects.filter(pk=obj.pk).values_list("vip_status_id", flat=True).first() if change else None
        if current is None:
            current = vip_status_get_default().pk
        services.check_vip_grant(user=request.user, current_status_id=current, new_status=obj.vip_status)
        current_login = Person.objects.filter(pk=obj.pk).values_list("login_id", flat=True).first() if change else None
        services.check_login_change(user=request.user, current_login_id=current_login, new_login=obj.login_id)
        obj.save()

    def delete_with_service(self, request, obj, reason):
        services.person_delete(obj, user=request.user, change_reason=reason)


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ["name", "email", "active"]
    list_filter = ["active"]
    search_fields = ["name"]
    filter_horizontal = ["members"]
