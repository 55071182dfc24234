import re

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

# The largest limit/offset accepted (and documented): beyond it SQLite cannot bind the number (a 500 otherwise).
MAX_VALUE = 2**31 - 1
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,30}")


class StrictLimitOffsetPagination(LimitOffsetPagination):
    """limit/offset paging that answers 400 for a malformed value instead of silently using the default."""

    default_limit = 25
    max_limit = 200

    def _strict(self, request, name: str, *, minimum: int) -> int | None:
        raw = request.query_params.get(name)
        if raw is None:
            return None
        # Plain ASCII digits only: int() would also take "1_000", " 7 " and non-ASCII digits.
        if not _WHOLE_NUMBER.fullmatch(raw):
            raise ValidationError({name: [f"A whole number is required (got '{raw[:30]}')."]})
        value = int(raw)
        if value < minimum:
            raise ValidationError({name: [f"Must be at least {minimum}."]})
        if value > MAX_VALUE:
            raise ValidationError({name: [f"Must be at most {MAX_VALUE}."]})
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
            # Not max_limit: a larger limit is clamped to max_limit, not refused.
            param["schema"]["maximum"] = MAX_VALUE
        return params
