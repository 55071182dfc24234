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
