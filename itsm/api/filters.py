"""Filters: the strict filter backend every list uses, and the filter helpers every app's filterset shares."""

from __future__ import annotations

import datetime as dt
import re

from django.db import models
from django_filters import filters as django_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions

from itsm.api.fields import MAX_PK


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, refusing (400) what it would otherwise silently ignore or bend:

    - a boolean filter given anything but true/false (`?active=null` listed everything: the filter was dropped);
    - an empty value for a filter that is not free text (`?status=` or `?opened_before=` listed everything, although
      the schema's enum or date format has no empty value);
    - a number filter on an integer field (an id) given a fraction (`?team=0.5` was compared as a decimal) or a value
      beyond a 64-bit integer (a 500 on SQLite); drf-spectacular documents such filters as integers with their bounds
      (StrictFilterExtension).
    """

    TRUE_FALSE = frozenset({"true", "false", "1", "0"})

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        errors = {}
        for name, filter_ in filterset.filters.items():
            values = request.query_params.getlist(name)
            if not values:
                continue
            if "" in values and not _free_text(filter_):
                errors[name] = ["A value is required (leave the parameter out to not filter)."]
            elif isinstance(filter_, django_filters.BooleanFilter):
                bad = [v for v in values if v.lower() not in self.TRUE_FALSE]
                if bad:
                    errors[name] = [f"Use true or false (got '{bad[0][:30]}')."]
            elif isinstance(filter_, django_filters.NumberFilter) and _is_integer_filter(filter_, queryset.model):
                bad = [v for v in values if not _INTEGER.fullmatch(v)]
                low, high = _integer_bounds(filter_)
                if bad:
                    errors[name] = [f"A whole number is required (got '{bad[0][:30]}')."]
                elif any(not low <= int(v) <= high for v in values):
                    errors[name] = [f"Must be between {low} and {high}."]
        if errors:
            raise exceptions.ValidationError(errors)
        return filterset

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid() and self.raise_exception:
            raise exceptions.ValidationError(filterset.errors)
        # A date-time's own offset can be anything ISO 8601 allows (+23:33); PostgreSQL refuses offsets beyond
        # 15:59 (a 500), so filters compare in UTC.
        cleaned = filterset.form.cleaned_data
        for name, value in cleaned.items():
            if isinstance(value, dt.datetime) and value.tzinfo is not None:
                cleaned[name] = _in_utc(value)
        return filterset.qs


def _in_utc(value: dt.datetime) -> dt.datetime:
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:  # year 1 with a positive offset, year 9999 with a negative one
        return (dt.datetime.min if value.year < 5000 else dt.datetime.max).replace(tzinfo=dt.UTC)


_INTEGER = re.compile(r"-?[0-9]{1,30}")
MIN_BIGINT = -(2**63)


def _free_text(filter_) -> bool:
    """A text filter without choices: an empty value is a valid (if useless) string, so it is not refused."""
    return isinstance(filter_, django_filters.CharFilter) and not isinstance(filter_, django_filters.ChoiceFilter)


def _integer_bounds(filter_) -> tuple[int, int]:
    low = filter_.extra.get("min_value")
    high = filter_.extra.get("max_value")
    return (MIN_BIGINT if low is None else int(low)), (MAX_PK if high is None else int(high))


def _is_integer_filter(filter_, model) -> bool:
    """Whether the number filter ends on an integer field: an integer column, or a relation (compared by its id)."""
    if not filter_.field_name:
        return False
    path = filter_.field_name.split("__")
    if filter_.extra.get("to_field_name"):
        path.append(filter_.extra["to_field_name"])
    field = None
    try:
        for part in path:
            if field is not None:
                model = field.related_model
                if model is None:
                    return False
            # get_field also knows attnames ("vip_status_id") and reverse relations' query names.
            field = model._meta.get_field(part)
    except Exception:
        return False
    while field.is_relation:
        target = getattr(field, "target_field", None)
        if target is None:
            related = field.related_model
            target = related._meta.pk if related is not None else None
        if target is None or target is field:
            return False
        field = target
    return isinstance(field, models.IntegerField | models.AutoField)


# -- helpers every app's filterset uses --------------------------------------------------------------------------------
def id_filter(field_name: str, help_text: str = "", **kwargs) -> django_filters.NumberFilter:
    """An id: a whole number from 1 to the largest 64-bit integer (anything else is a 400, see StrictFilterBackend)."""
    return django_filters.NumberFilter(
        field_name=field_name, min_value=1, max_value=MAX_PK, help_text=help_text, **kwargs
    )


@extend_schema_field({"type": "string", "enum": ["true", "false"]})
class StrictBooleanFilter(django_filters.TypedChoiceFilter):
    """true/false only: anything else is a 400, not a silently ignored filter."""


def bool_filter(help_text: str, **kwargs) -> StrictBooleanFilter:
    return StrictBooleanFilter(
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        help_text=help_text,
        **kwargs,
    )


def page_filterset(filterset_class, params, queryset, request=None):
    """A filterset bound for an analyst page: where the API answers 400 for a value that does not validate, a page
    drops that filter and applies the rest (a stale bookmark still opens)."""
    data = params.copy()
    filterset = filterset_class(data=data, queryset=queryset, request=request)
    if filterset.is_valid():
        return filterset
    for name in filterset.errors:
        data.pop(name, None)
    return filterset_class(data=data, queryset=queryset, request=request)
