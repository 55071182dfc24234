"""One filterset for people, serving the API (`PersonFilter`) and the People page (`PersonPageFilter`: the same
filters plus the page's own parameter names, so its URLs keep working)."""

from django_filters import rest_framework as filters

from itsm.params import search_param
from people.models import Person
from vip.visibility import statuses_visible_to


class PersonFilter(filters.FilterSet):
    vip_status = filters.NumberFilter(method="filter_vip_status")
    team = filters.NumberFilter(field_name="login__teams", distinct=True)
    active = filters.BooleanFilter()

    class Meta:
        model = Person
        fields = ["vip_status", "team", "active", "email"]

    def filter_vip_status(self, queryset, name, value):
        # Filtering by a confidential status would list its holders: without the permission it matches nobody.
        user = getattr(self.request, "user", None)
        if not statuses_visible_to(user).filter(pk=value).exists():
            return queryset.none()
        return queryset.filter(vip_status_id=value)


class PersonPageFilter(PersonFilter):
    q = filters.CharFilter(method="filter_search", help_text="Words of the name or e-mail, in any order.")
    vip = filters.NumberFilter(method="filter_vip_status", help_text="A VIP status id.")
    active = filters.ChoiceFilter(choices=[("yes", "Active"), ("no", "Inactive")], method="filter_active")

    def filter_search(self, queryset, name, value):
        return queryset.search(search_param(value))

    def filter_active(self, queryset, name, value):
        return queryset.filter(active=value == "yes")
