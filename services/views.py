"""Pages of the service-relationship register: instance list and page, customer group list and page, edit forms."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import DetailView, ListView

from itsm.api.filters import page_filterset
from itsm.history import history_for
from itsm.params import int_param, search_param
from itsm.views_mixins import AuditedFormView, SortableListMixin
from services import selectors, services
from services.filters import CustomerGroupPageFilter, ServiceInstancePageFilter
from services.forms import CustomerGroupForm, ServiceInstanceForm
from services.models import Calendar, CustomerGroup, ServiceInstance, ServiceLevel, TechnicalService
from services.panels import instance_panels

MEMBERS_SHOWN_ON_INSTANCE = 25
MEMBERS_PER_PAGE = 50


def _int(value: str) -> int | None:
    return int_param(value)


class ServiceInstanceListView(LoginRequiredMixin, PermissionRequiredMixin, SortableListMixin, ListView):
    permission_required = "services.view_serviceinstance"
    template_name = "services/instance_list.html"
    paginate_by = 50
    sort_fields = {
        "title": ["title", "id"],
        "status": ["status", "title", "id"],
        "level": ["service_level__name", "title", "id"],
        "review": ["review_date", "title", "id"],
        "contact": ["next_contact_date", "title", "id"],
    }
    default_sort = "title"

    def filters(self) -> dict[str, str]:
        """What the filter form shows: the page's parameters as given."""
        get = self.request.GET
        return {name: get.get(name, "").strip() for name in ("q", "status", "service", "group", "level")}

    def get_queryset(self):
        instances = ServiceInstance.objects.with_related()
        return self.sort(page_filterset(ServiceInstancePageFilter, self.request.GET, instances, self.request).qs)

    def get_context_data(self, **kwargs):
        f = self.filters()
        return {
            **super().get_context_data(**kwargs),
            **f,
            "filtered": any(f.values()),
            "statuses": ServiceInstance.Status.choices,
            "technical_services": TechnicalService.objects.only("id", "name"),
            "groups": CustomerGroup.objects.only("id", "name"),
            "levels": ServiceLevel.objects.only("id", "name"),
            "today": timezone.localdate(),
        }


class ServiceInstanceDetailView(LoginRequiredMixin, PermissionRequiredMixin, DetailView):
    permission_required = "services.view_serviceinstance"
    template_name = "services/instance_detail.html"
    context_object_name = "instance"

    def get_queryset(self):
        return selectors.service_instance_detail_queryset().select_related(
            "customer_group__primary_contact__vip_status",
            "customer_group__secondary_contact__vip_status",
            "service_level__calendar",
        )

    def get_context_data(self, **kwargs):
        instance = self.object
        timeframes = list(instance.timeframes.all())
        active = {t.pk for t in selectors.active_timeframes(timeframes)}
        members = selectors.effective_members(instance.customer_group_id)
        return {
            **super().get_context_data(**kwargs),
            "group": instance.customer_group,
            "member_count": len(members),
            "members": members[:MEMBERS_SHOWN_ON_INSTANCE],
            "timeframes": timeframes,
            "active_timeframe_ids": active,
            "configuration_items": list(instance.configuration_items.all()),
            "tasks": list(instance.tasks.all()),
            "targets": instance.service_level.targets if instance.service_level else [],
            "history": history_for(instance),
            "panels": instance_panels(instance, self.request),
        }


class CustomerGroupListView(LoginRequiredMixin, PermissionRequiredMixin, SortableListMixin, ListView):
    permission_required = "services.view_customergroup"
    template_name = "services/group_list.html"
    paginate_by = 50
    sort_fields = {
        "name": ["name", "id"],
        "kind": ["kind", "name", "id"],
        "code": ["organisation_code", "name", "id"],
        "instances": ["instance_count", "name", "id"],
    }
    default_sort = "name"

    def get_queryset(self):
        groups = selectors.customer_group_rows()
        return self.sort(page_filterset(CustomerGroupPageFilter, self.request.GET, groups, self.request).qs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = selectors.member_counts([g.pk for g in context["object_list"]])
        for group in context["object_list"]:
            group.member_count = counts.get(group.pk, 0)
        return {
            **context,
            "q": self.request.GET.get("q", ""),
            "kind": self.request.GET.get("kind", ""),
            "kinds": CustomerGroup.Kind.choices,
        }


class CustomerGroupDetailView(LoginRequiredMixin, PermissionRequiredMixin, DetailView):
    permission_required = "services.view_customergroup"
    template_name = "services/group_detail.html"
    context_object_name = "group"
    queryset = CustomerGroup.objects.select_related(
        "primary_contact__vip_status", "secondary_contact__vip_status"
    ).prefetch_related("nested_groups", "parent_groups")

    def members(self, group: CustomerGroup) -> dict:
        """One page of effective members: the group graph, a count (two with a search) and the page's people and
        roles, the same queries at 10 or 2,000 members."""
        search = search_param(self.request.GET.get("q"))
        group_ids = selectors.descendant_group_ids(group.pk)
        people = selectors.effective_member_people(group, search=search, group_ids=group_ids)
        paginator = Paginator(people, MEMBERS_PER_PAGE)
        page = paginator.get_page(self.request.GET.get("page"))
        params = self.request.GET.copy()
        params.pop("page", None)
        return {
            "members": selectors.effective_members_of(group, page.object_list, group_ids=group_ids),
            "members_page": page,
            "members_total": (
                selectors.effective_member_people(group, group_ids=group_ids).count() if search else paginator.count
            ),
            "member_q": search,  # not `q`: base.html fills the top bar's search box from `q`
            "query_without_page": params.urlencode(),
        }

    def get_context_data(self, **kwargs):
        group = self.object
        return {
            **super().get_context_data(**kwargs),
            **self.members(group),
            "instances": list(ServiceInstance.objects.with_related().filter(customer_group=group).order_by("title")),
            "history": history_for(group),
            "today": timezone.localdate(),
        }


# -- edit forms -------------------------------------------------------------------------------------------------------
class _ServiceFormView(LoginRequiredMixin, PermissionRequiredMixin, AuditedFormView):
    """Create or edit through the service named by the subclass."""

    template_name = "services/form.html"
    obj = None
    model = None
    create = None
    update = None

    def dispatch(self, request, *args, **kwargs):
        if "pk" in kwargs:  # an edit page
            self.obj = get_object_or_404(self.model, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.obj}

    def save(self, form, *, user, reason):
        data = {name: form.cleaned_data[name] for name in form.Meta.fields if name in form.cleaned_data}
        if self.obj is None:
            return type(self).create(user=user, change_reason=reason, **data)
        return type(self).update(self.obj, user=user, change_reason=reason, **data)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "object": self.obj, "verbose_name": self.model._meta.verbose_name}


class ServiceInstanceEditView(_ServiceFormView):
    permission_required = "services.change_serviceinstance"
    form_class = ServiceInstanceForm
    model = ServiceInstance
    update = staticmethod(services.service_instance_update)


class ServiceInstanceCreateView(_ServiceFormView):
    permission_required = "services.add_serviceinstance"
    form_class = ServiceInstanceForm
    model = ServiceInstance
    create = staticmethod(services.service_instance_create)

    def get_initial(self):
        initial = super().get_initial()
        for name, key in (("customer_group", "group"), ("technical_service", "service")):
            if _int(self.request.GET.get(key, "")):
                initial[name] = self.request.GET[key]
        return initial


class CustomerGroupEditView(_ServiceFormView):
    permission_required = "services.change_customergroup"
    form_class = CustomerGroupForm
    model = CustomerGroup
    update = staticmethod(services.customer_group_update)


class CustomerGroupCreateView(_ServiceFormView):
    permission_required = "services.add_customergroup"
    form_class = CustomerGroupForm
    model = CustomerGroup
    create = staticmethod(services.customer_group_create)


# -- the person page panel --------------------------------------------------------------------------------------------
def person_services_panel(person, request) -> dict | None:
    """Context of the services panel on the person page: groups with roles, instances used and customer of."""
    if not request.user.has_perm("services.view_serviceinstance"):
        return None
    groups = selectors.person_effective_groups(person)
    instances = list(selectors.person_instances(person, groups=groups))
    group_ids = {g.group.pk for g in groups}
    return {
        "groups": groups,
        "consumes": [i for i in instances if i.customer_group_id in group_ids],
        "customer_of": [i for i in instances if person.pk in (i.primary_customer_id, i.secondary_customer_id)],
    }


class CalendarDetailView(LoginRequiredMixin, PermissionRequiredMixin, DetailView):
    """A calendar for analysts: the working week as a grid, the next closed days, the service levels on it."""

    permission_required = "services.view_servicelevel"
    template_name = "services/calendar_detail.html"
    context_object_name = "calendar"
    queryset = Calendar.objects.prefetch_related("hours", "holidays", "service_levels")

    def get_context_data(self, **kwargs):
        calendar = self.object
        return {**super().get_context_data(**kwargs), "week": calendar.week(), "closed": next_closed_days(calendar)}


def next_closed_days(calendar: Calendar, *, days: int = 366, limit: int = 12) -> list[dict]:
    """The calendar's own holidays and its country's public holidays in the coming year, soonest first."""
    today = timezone.localdate()
    until = today + dt.timedelta(days=days)
    found = {h.date: h.name for h in calendar.holidays.all() if today <= h.date <= until}
    if calendar.country:
        import holidays

        public = holidays.country_holidays(
            calendar.country, subdiv=calendar.subdivision or None, years=range(today.year, until.year + 1)
        )
        for day, name in public.items():
            if today <= day <= until:
                found.setdefault(day, name)
    return [{"date": day, "name": name} for day, name in sorted(found.items())[:limit]]
