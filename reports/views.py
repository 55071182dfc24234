"""The report pages: service level achievement and VIP load, with the period and filters in the URL so a report
can be bookmarked and sent. Same selectors as the API and the CSV."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.utils.http import urlencode
from django.views.generic import TemplateView

from itsm.exceptions import RuleRefusal
from reports import selectors
from reports.api.views import AchievementQuery, PeriodQuery, hide_confidential
from reports.reminders import reminders
from services.models import CustomerGroup, ServiceInstance, ServiceLevel

GROUP_LABELS = {
    "customer_group": "Customer group",
    "service_instance": "Service instance",
    "service_level": "Service level",
    "priority": "Priority",
    "team": "Team",
    "ticket_type": "Ticket type",
    "vip_status": "VIP status at logging",
}
# The queue parameter that narrows to one row of each grouping.
DRILL_KEYS = {
    "customer_group": "group",
    "service_instance": "instance",
    "service_level": "level",
    "priority": "priority",
    "ticket_type": "type",
    "vip_status": "vip_at_open",
}


class ReportPage(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "tickets.view_ticket"
    query_class = PeriodQuery

    def query(self) -> tuple[dict, dict]:
        # The page's form sends its empty choices ("all", "everyone"): they mean the parameter is left out.
        given = {name: value for name, value in self.request.GET.items() if value != ""}
        query = self.query_class(data=given)
        if query.is_valid():
            try:
                PeriodQuery.check_span(query.validated_data)
            except RuleRefusal as refusal:
                return self.fallback(), refusal.detail
            return query.validated_data, {}
        # A bad value in the URL: the default report, with the problem said above it.
        return self.fallback(), query.errors

    def fallback(self) -> dict:
        default = self.query_class(data={})
        default.is_valid()
        return default.validated_data

    def base_context(self, data: dict, errors: dict) -> dict:
        period = data["period"]
        return {
            "period": period,
            "errors": errors,
            "groups": CustomerGroup.objects.order_by("name").values_list("pk", "name"),
            "chosen_group": data.get("customer_group") or "",
            "drill_base": {"state": "all", "opened_from": period.date_from, "opened_to": period.date_to},
        }


class AchievementView(ReportPage):
    template_name = "reports/achievement.html"
    query_class = AchievementQuery

    def get_context_data(self, **kwargs):
        data, errors = self.query()
        group_by = data["group_by"]
        report = selectors.achievement(
            data["period"],
            group_by=group_by,
            customer_group=data.get("customer_group"),
            service_instance=data.get("service_instance"),
            service_level=data.get("service_level"),
            vip=data.get("vip"),
        )
        context = self.base_context(data, errors)
        base = dict(context["drill_base"])
        for key in ("customer_group", "service_instance", "service_level"):
            if data.get(key):
                base[DRILL_KEYS[key]] = data[key]
        for row in [*report["rows"], report["total"]]:
            narrowed = dict(base)
            key = row["key"]["id"]
            if row is not report["total"] and group_by in DRILL_KEYS and key is not None:
                narrowed[DRILL_KEYS[group_by]] = key
            row["links"] = {
                outcome: "/tickets/?" + urlencode({**narrowed, "outcome": outcome})
                for outcome in ("response_met", "response_breached", "resolution_met", "resolution_breached", "running")
            }
            row["links"]["tickets"] = "/tickets/?" + urlencode(narrowed)
        return {
            **super().get_context_data(**kwargs),
            **context,
            "report": report,
            "group_by": group_by,
            "group_label": GROUP_LABELS[group_by],
            "group_choices": GROUP_LABELS.items(),
            "vip": data.get("vip"),
            "levels": ServiceLevel.objects.order_by("name").values_list("pk", "name"),
            "instances": ServiceInstance.objects.order_by("title").values_list("pk", "title"),
            "chosen_level": data.get("service_level") or "",
            "chosen_instance": data.get("service_instance") or "",
            "csv": "/api/reports/service-levels/?" + urlencode({**_query_for_api(self.request), "format": "csv"}),
            "reminders": reminders(owner=_person_of(self.request.user)),
            "chart": {
                "labels": [r["key"]["name"] for r in report["rows"]],
                "response": [r["response_attainment"] for r in report["rows"]],
                "resolution": [r["resolution_attainment"] for r in report["rows"]],
                "weeks": report["weeks"],
            },
        }


class VipLoadView(ReportPage):
    template_name = "reports/vip_load.html"

    def get_context_data(self, **kwargs):
        data, errors = self.query()
        report = selectors.vip_load(data["period"], customer_group=data.get("customer_group"))
        report["rows"] = hide_confidential(self.request.user, report["rows"])
        context = self.base_context(data, errors)
        base = dict(context["drill_base"])
        if data.get("customer_group"):
            base["group"] = data["customer_group"]
        for row in report["rows"]:
            status_id = row["vip_status"]["id"]
            row["link"] = "/tickets/?" + urlencode({**base, "vip_at_open": status_id}) if status_id else ""
        return {
            **super().get_context_data(**kwargs),
            **context,
            "report": report,
            "csv": "/api/reports/vip-load/?" + urlencode({**_query_for_api(self.request), "format": "csv"}),
            "chart": {
                "labels": [r["vip_status"]["name"] for r in report["rows"]],
                "colours": [r["vip_status"]["colour"] for r in report["rows"]],
                "tickets": [r["share"] for r in report["rows"]],
                "worked": [r["time_worked_share"] for r in report["rows"]],
                "weeks": report["weeks"],
            },
        }


def _person_of(user):
    """The signed-in user's person (account owners are people); reminders are theirs only."""
    from people.models import Person

    return Person.objects.filter(login=user).first() or Person(pk=0)


def _query_for_api(request) -> dict:
    return {k: v for k, v in request.GET.items() if k != "format" and v}
