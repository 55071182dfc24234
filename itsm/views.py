from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.urls import NoReverseMatch, reverse
from django.views.generic import TemplateView

from itsm.history import recent_changes, tracked_models
from itsm.params import date_param, int_param


class AuditLogView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Recent changes across every tracked model, each with what changed, filterable by model, user and date."""

    template_name = "admin/audit_log.html"
    # The admin's own "view log entry" permission: granted to the CMDB Setup and Service Level Manager roles. Each
    # model's rows still need that model's view permission.
    permission_required = "admin.view_logentry"
    limit = 200

    def get_context_data(self, **kwargs):
        request = self.request
        models = tracked_models()
        chosen = request.GET.get("model", "")
        user_id = request.GET.get("user", "")
        since = date_param(request.GET.get("since"))
        until = date_param(request.GET.get("until"))
        shown = [
            m
            for m in models
            if (not chosen or chosen == m._meta.label_lower)
            and request.user.has_perm(f"{m._meta.app_label}.view_{m._meta.model_name}")
        ]
        entries = recent_changes(shown, user_id=int_param(user_id), since=since, until=until, limit=self.limit)
        for entry in entries:
            record, model = entry["record"], entry["model"]
            entry.update(
                model=model._meta.verbose_name,
                object=str(record.history_object),
                url=_admin_history_url(model, record),
            )
        return {
            **super().get_context_data(**kwargs),
            "title": "Audit log",
            "entries": entries,
            "models": [(m._meta.label_lower, m._meta.verbose_name_plural) for m in models],
            "users": get_user_model().objects.order_by("username"),
            "filters": {"model": chosen, "user": user_id, "since": since or "", "until": until or ""},
            "limit": self.limit,
            "has_permission": True,
        }


def _admin_history_url(model, record) -> str:
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_history", args=[record.id])
    except NoReverseMatch:
        return ""
