from abc import ABC, abstractmethod

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.views.generic import FormView

from itsm.forms import add_service_errors
from itsm.services import ConflictError


class AuditedFormView(FormView, ABC):
    """An analyst edit page that writes through its app's service: the view's `save(form, user=, reason=)` calls the
    service and returns the saved record; a refusal from the service (invalid value, conflict, a value the user may
    not set) lands on the form next to its field and nothing is written; success says so and opens the record."""

    # The field a PermissionDenied from the service belongs to (e.g. a VIP status the user may not give).
    permission_field: str | None = None

    @abstractmethod
    def save(self, form, *, user, reason: str):
        """Writes through the app's service and returns the saved record."""

    def success_message(self, saved) -> str:
        return f"Saved {saved}."

    def form_valid(self, form):
        try:
            saved = self.save(form, user=self.request.user, reason=form.cleaned_data.get("change_reason", ""))
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        except ConflictError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        except PermissionDenied as error:
            form.add_error(self.permission_field, str(error))
            return self.form_invalid(form)
        messages.success(self.request, self.success_message(saved))
        return redirect(saved)


class SortableListMixin:
    """Sorting from `?sort=name` / `?sort=-name`, limited to declared columns so the URL cannot order by anything."""

    sort_fields: dict[str, list[str]] = {}
    default_sort = ""

    def current_sort(self) -> str:
        raw = self.request.GET.get("sort", self.default_sort)
        return raw if raw.lstrip("-") in self.sort_fields else self.default_sort

    def sort(self, queryset):
        key = self.current_sort()
        if not key:
            return queryset
        descending = key.startswith("-")
        fields = self.sort_fields[key.lstrip("-")]
        return queryset.order_by(*[("-" + f if descending else f) for f in fields])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        params.pop("sort", None)
        context["sort"] = self.current_sort()
        context["query_without_sort"] = params.urlencode()
        params = self.request.GET.copy()
        params.pop("page", None)
        context["query_without_page"] = params.urlencode()
        return context
