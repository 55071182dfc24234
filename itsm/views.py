from __future__ import annotations

from datetime import datetime, time

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.generic import TemplateView

from itsm.audit import history_entries
from itsm.params import date_param, int_param


def tracked_models() -> list:
    return sorted(
        (m for m in apps.get_models() if hasattr(m._meta, "simple_history_manager_attribute")),
        key=lambda m: str(m._meta.verbose_name),
    )


class AuditLogView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Recent changes across every tracked model, filterable by model, user and date (one query per model)."""

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
        rows = []
        for model in models:
            label = model._meta.label_lower
            if chosen and chosen != label:
                continue
            if not request.user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}"):
                continue
            history = getattr(model, model._meta.simple_history_manager_attribute).select_related("history_user")
            if int_param(user_id) is not None:
                history = history.filter(history_user_id=int_param(user_id))
            if since:
                history = history.filter(history_date__gte=timezone.make_aware(datetime.combine(since, time.min)))
            if until:
                history = history.filter(history_date__lte=timezone.make_aware(datetime.combine(until, time.max)))
            for record in history.order_by("-history_date")[: self.limit]:
                rows.append((record, model))
        rows.sort(key=lambda pair: pair[0].history_date, reverse=True)
        rows = rows[: self.limit]
        entries = []
        for record, model in rows:
            entry = history_entries([record])[0]
            entry.update(
                model=model._meta.verbose_name,
                object=str(record.history_object) if record.history_type != "-" else f"{record.history_object}",
                url=_admin_history_url(model, record),
            )
            entries.append(entry)
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
