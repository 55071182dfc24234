"""OpenAPI: operation descriptions, the change-reason header parameter, and the extensions documenting what the strict
filters and the brief related field accept."""

from __future__ import annotations

import inspect

from django_filters import filters as django_filters
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from itsm.api.fields import MAX_PK, BriefRelatedField
from itsm.api.filters import _integer_bounds, _is_integer_filter


class AuditedAutoSchema(AutoSchema):
    """Operation descriptions from the action's docstring or the app viewset's own docstring, else a plain sentence;
    never the base classes' docstrings (which would otherwise describe every operation of every resource)."""

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # A decimal sent as a string cannot carry `minimum`: itsm.schema drops the pattern's minus sign instead.
        if isinstance(field, serializers.DecimalField) and field.min_value is not None and field.min_value >= 0:
            schema["x-non-negative"] = True
        return schema

    SENTENCES = {
        "list": "List {plural}, paginated with limit/offset.",
        "retrieve": "Read one {name}.",
        "create": "Create a {name}. Give a change reason (body field change_reason or header X-Change-Reason).",
        "update": "Replace a {name}. Give a change reason (body field change_reason or header X-Change-Reason).",
        "partial_update": "Change some fields of a {name}. Give a change reason (body field change_reason or header "
        "X-Change-Reason).",
        "destroy": "Delete a {name}. Give a change reason in the X-Change-Reason header. 409 when other records "
        "still use it.",
    }

    def get_description(self):
        action_name = getattr(self.view, "action", None) or self.method.lower()
        method = getattr(self.view, action_name, None)
        method_doc = inspect.getdoc(method) if method is not None else None
        if method_doc:
            return method_doc
        view_doc = inspect.cleandoc(vars(type(self.view)).get("__doc__") or "")
        model = getattr(getattr(self.view, "queryset", None), "model", None)
        sentence = ""
        if model is not None and action_name in self.SENTENCES:
            opts = model._meta
            sentence = self.SENTENCES[action_name].format(name=opts.verbose_name, plural=opts.verbose_name_plural)
        return "\n\n".join(part for part in (sentence, view_doc) if part)


REASON_PARAMETER = OpenApiParameter(
    name="X-Change-Reason",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Why this change is made (alternative to the body field change_reason).",
)


class StrictFilterExtension(DjangoFilterExtension):
    """Documents what StrictFilterBackend enforces: number filters on integer fields as integers, with their bounds
    (drf-spectacular documents `vip_status_id` as a number and leaves min_value/max_value out)."""

    target_class = "itsm.api.filters.StrictFilterBackend"
    match_subclasses = True
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        if isinstance(filter_field, django_filters.NumberFilter):
            integer = _is_integer_filter(filter_field, model)
            for parameter in parameters:
                schema = parameter["schema"]
                if integer:
                    schema["type"] = "integer"
                    schema.pop("format", None)
                    schema["minimum"], schema["maximum"] = _integer_bounds(filter_field)
                else:
                    if filter_field.extra.get("min_value") is not None:
                        schema["minimum"] = filter_field.extra["min_value"]
                    if filter_field.extra.get("max_value") is not None:
                        schema["maximum"] = filter_field.extra["max_value"]
        return parameters


class BriefRelatedFieldExtension(OpenApiSerializerFieldExtension):
    target_class = BriefRelatedField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return {"type": "integer", "minimum": 1, "maximum": MAX_PK}
        component = auto_schema.resolve_serializer(self.target.brief_serializer_class, direction)
        return component.ref
