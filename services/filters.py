"""One filterset per list of the register, serving the API and the analyst pages: the page's filterset adds the
page's own parameter names (`q`, and the shorter `service`, `group`, `level`), so its URLs keep working."""

from django.db.models import Q
from django_filters import rest_framework as filters

from itsm.api.filters import id_filter
from itsm.params import search_param
from services.models import CustomerGroup, ServiceInstance


class CustomerGroupFilter(filters.FilterSet):
    primary_contact = id_filter("primary_contact_id")
    secondary_contact = id_filter("secondary_contact_id")
    nested_in = id_filter("parent_groups", distinct=True, label="Nested in the group with this id")
    member = id_filter("memberships__person", distinct=True, label="Has this person as a direct member")

    class Meta:
        model = CustomerGroup
        fields = ["kind", "organisation_code", "primary_contact", "secondary_contact", "nested_in", "member"]


class CustomerGroupPageFilter(CustomerGroupFilter):
    q = filters.CharFilter(method="filter_search", help_text="Part of the name or organisation code.")

    def filter_search(self, queryset, name, value):
        value = search_param(value)
        return queryset.filter(Q(name__icontains=value) | Q(organisation_code__icontains=value)) if value else queryset


class ServiceInstanceFilter(filters.FilterSet):
    technical_service = id_filter("technical_service_id")
    customer_group = id_filter("customer_group_id")
    service_level = id_filter("service_level_id")
    owner_team = id_filter("owner_team_id")
    owner = id_filter("owner_id")
    primary_customer = id_filter("primary_customer_id")
    secondary_customer = id_filter("secondary_customer_id")

    class Meta:
        model = ServiceInstance
        fields = [
            "status",
            "technical_service",
            "customer_group",
            "service_level",
            "owner_team",
            "owner",
            "primary_customer",
            "secondary_customer",
            "charge_model",
        ]


class ServiceInstancePageFilter(ServiceInstanceFilter):
    q = filters.CharFilter(method="filter_search", help_text="Words of the title, in any order.")
    service = id_filter("technical_service_id", "A technical service id.")
    group = id_filter("customer_group_id", "A customer group id.")
    level = id_filter("service_level_id", "A service level id.")

    def filter_search(self, queryset, name, value):
        return queryset.search(search_param(value))
