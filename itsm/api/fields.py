"""Strict serializer fields: schemathesis showed DRF coercing 0 to "0" and "yes" to true; an API should refuse
both. And the brief related field: a foreign key written as an id and read as a brief object."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS

MAX_PK = 2**63 - 1


# -- strict fields: schemathesis showed DRF coercing 0 to "0" and "yes" to true; an API should refuse both ----------
class StrictCharField(serializers.CharField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        # The documented maxLength applies to what was sent: "x" * max_length + "  " is refused, not trimmed to fit.
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictDecimalField(serializers.DecimalField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictManyRelatedField(serializers.ManyRelatedField):
    """A list of ids: DRF would also take a JSON object (it iterates over the keys) and treat `{}` as `[]`. At most
    MAX_IDS ids (each is looked up), repeated ids counted once."""

    MAX_IDS = 500

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        if len(data) > self.MAX_IDS:
            raise serializers.ValidationError(f"At most {self.MAX_IDS} ids, not {len(data)}.")
        unique = []
        for item in data:
            if isinstance(item, (dict, list)) or item not in unique:
                unique.append(item)
        return super().to_internal_value(unique)


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    def run_validation(self, data=serializers.empty):
        # DRF turns "" into null for relations; the schema says an id or null, so "" is refused like any string.
        if isinstance(data, str) and data == "":
            self.fail("incorrect_type", data_type="str")
        return super().run_validation(data)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 1 <= data <= MAX_PK:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)

    @classmethod
    def many_init(cls, *args, **kwargs):
        # DRF's many_init, building our strict list field instead of ManyRelatedField.
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        for key in kwargs:
            if key in MANY_RELATION_KWARGS:
                list_kwargs[key] = kwargs[key]
        return StrictManyRelatedField(**list_kwargs)


class StrictChoiceField(serializers.ChoiceField):
    def to_internal_value(self, data):
        if not isinstance(data, str | int) or isinstance(data, bool):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class StrictFieldsMixin:
    serializer_field_mapping: ClassVar = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.EmailField: serializers.EmailField,
        models.BooleanField: StrictBooleanField,
        models.IntegerField: StrictIntegerField,
        models.PositiveIntegerField: StrictIntegerField,
        models.PositiveSmallIntegerField: StrictIntegerField,
        models.SmallIntegerField: StrictIntegerField,
        models.BigIntegerField: StrictIntegerField,
        models.DecimalField: StrictDecimalField,
    }
    serializer_related_field = StrictPrimaryKeyRelatedField
    serializer_choice_field = StrictChoiceField


class BriefRelatedField(StrictPrimaryKeyRelatedField):
    """A foreign key written as an id and read as a brief object (`{id, name, ...}`)."""

    def __init__(self, serializer_class, **kwargs):
        self.brief_serializer_class = serializer_class
        super().__init__(**kwargs)

    def use_pk_only_optimization(self):
        return False

    def to_representation(self, value):
        # One brief serializer per field (so per request), not one per row: building a ModelSerializer's fields
        # costs ~0.5 ms, which made a 100-row ticket list spend 0.2 s building the same serializers again.
        brief = self.__dict__.get("_brief")
        if brief is None:
            brief = self._brief = self.brief_serializer_class(context=self.context)
        return brief.to_representation(value)
