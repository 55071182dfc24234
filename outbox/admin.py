from django.contrib import admin

from outbox import services
from outbox.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only: what was sent, what waits and why (the last error); one action, "retry now"."""

    list_display = ["created_at", "subject", "recipients", "status", "attempts", "next_attempt_at", "last_error"]
    list_filter = ["status", "source"]
    search_fields = ["subject", "source"]
    readonly_fields = [f.name for f in Message._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Retry the selected messages now", permissions=["view"])
    def retry(self, request, queryset):
        count = services.retry_now(queryset)
        self.message_user(request, f"{count} message(s) will be sent on the next run of send_outbox.")
