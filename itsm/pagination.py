from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination


class StrictLimitOffsetPagination(LimitOffsetPagination):
    """limit/offset paging that answers 400 for a malformed value instead of silently using the default."""

    default_limit = 25
    max_limit = 200

    def _strict(self, request, name: str, *, minimum: int) -> int | None:
        raw = request.query_params.get(name)
        if raw is None:
            return None
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ValidationError({name: [f"A whole number is required (got '{raw[:30]}')."]}) from None
        if value < minimum:
            raise ValidationError({name: [f"Must be at least {minimum}."]})
        return value

    def get_limit(self, request):
        value = self._strict(request, self.limit_query_param, minimum=1)
        if value is None:
            return self.default_limit
        return min(value, self.max_limit)

    def get_offset(self, request):
        value = self._strict(request, self.offset_query_param, minimum=0)
        return value or 0

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        for param in params:
            param["schema"]["minimum"] = 1 if param["name"] == self.limit_query_param else 0
            param["schema"]["maximum"] = 2**31 - 1
        return params
