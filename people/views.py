from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from itsm.api.filters import page_filterset
from itsm.history import history_for
from itsm.views_mixins import AuditedFormView, SortableListMixin
from people import services
from people.filters import PersonPageFilter
from people.forms import PersonForm
from people.models import Person
from people.panels import person_panels
from vip.visibility import statuses_visible_to


class PersonListView(LoginRequiredMixin, PermissionRequiredMixin, SortableListMixin, ListView):
    permission_required = "people.view_person"
    template_name = "people/person_list.html"
    paginate_by = 50
    sort_fields = {
        "name": ["last_name", "first_name", "id"],
        "email": ["email", "id"],
        "vip": ["vip_status__position", "last_name", "id"],
        "title": ["job_title", "id"],
    }
    default_sort = "name"

    def get_queryset(self):
        filterset = page_filterset(PersonPageFilter, self.request.GET, Person.objects.with_vip(), self.request)
        return self.sort(filterset.qs)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "vip_statuses": statuses_visible_to(self.request.user),
            "q": self.request.GET.get("q", ""),
            "vip": self.request.GET.get("vip", ""),
            "active": self.request.GET.get("active", ""),
        }


class PersonDetailView(LoginRequiredMixin, PermissionRequiredMixin, DetailView):
    permission_required = "people.view_person"
    template_name = "people/person_detail.html"
    queryset = Person.objects.with_vip().select_related("login")
    context_object_name = "person"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "history": history_for(self.object),
            "panels": person_panels(self.object, self.request),
        }


class PersonFormView(LoginRequiredMixin, PermissionRequiredMixin, AuditedFormView):
    form_class = PersonForm
    template_name = "people/person_form.html"
    person = None
    permission_field = "vip_status"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.person, "user": self.request.user}

    def save(self, form, *, user, reason):
        data = {name: form.cleaned_data[name] for name in PersonForm.Meta.fields}
        if self.person is None:
            return services.person_create(user=user, change_reason=reason, **data)
        return services.person_update(self.person, user=user, change_reason=reason, **data)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "person": self.person}


class PersonEditView(PersonFormView):
    permission_required = "people.change_person"

    def dispatch(self, request, *args, **kwargs):
        self.person = get_object_or_404(Person.objects.with_vip(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class PersonCreateView(PersonFormView):
    permission_required = "people.add_person"
