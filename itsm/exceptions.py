"""API errors: services' refusals and database conflicts become 400/409 with a readable body, never a 500."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models.deletion import ProtectedError, RestrictedError
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from itsm.services import ConflictError, describe_protected


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the data."
    default_code = "conflict"


# Validation codes that mean "well-formed, but the current data refuses it": answered 409, not 400. Services raise
# `ValidationError(..., code="conflict")` for such rules (unsetting the only default, a position beyond the list) so
# that forms still show the message next to the field.
CONFLICT_CODES = frozenset({"unique", "unique_together", "conflict"})


# Codes of Django's own field checks (format, length, range, choices): input that an exact schema would refuse.
FORMAT_CODES = frozenset(
    {
        "invalid",
        "invalid_choice",
        "null",
        "blank",
        "required",
        "max_length",
        "min_length",
        "max_value",
        "min_value",
        "step_size",
        "max_digits",
        "max_decimal_places",
        "max_whole_digits",
        "invalid_date",
        "invalid_time",
        "invalid_datetime",
    }
)


class RuleRefusal(exceptions.ValidationError):
    """A 400 for a business rule checked by a service or a model's clean() ("the end must be after the start"), as
    opposed to a field's format. Clients see the same 400; the distinction lets the fuzz test accept these refusals of
    schema-valid input (no OpenAPI schema can state such rules) while still failing on format errors the schema should
    have documented."""


def as_drf_error(error: DjangoValidationError) -> exceptions.ValidationError:
    """A Django ValidationError as DRF's 400, or raises Conflict (409) when every error is a conflict code.

    The 409 body has `detail` (all messages in one sentence) and the field errors, keyed as in a 400.
    """
    if hasattr(error, "error_dict"):
        detail = {
            ("non_field_errors" if field == "__all__" else field): [str(m) for e in errs for m in e.messages]
            for field, errs in error.error_dict.items()
        }
        codes = {e.code for errs in error.error_dict.values() for e in errs}
    else:
        detail = {"non_field_errors": list(error.messages)}
        codes = {e.code for e in error.error_list}
    if codes and codes <= CONFLICT_CODES:
        raise Conflict(detail={"detail": _joined_messages(detail), **detail})
    # A missing change reason is documented (required, not blank): never a rule.
    if not codes & FORMAT_CODES and "change_reason" not in detail:
        return RuleRefusal(detail)
    return exceptions.ValidationError(detail)


def _joined_messages(detail: dict) -> str:
    return "; ".join(f"{' '.join(m)}" for m in detail.values())


def exception_handler(exc, context):
    """Maps refusals from services and the database to 400/409 with a readable body; never a 500 for bad input."""
    if isinstance(exc, DjangoValidationError):
        try:
            exc = as_drf_error(exc)
        except Conflict as conflict:
            exc = conflict
    elif isinstance(exc, ConflictError):
        exc = Conflict(detail=exc.message)
    elif isinstance(exc, ProtectedError | RestrictedError):
        exc = Conflict(detail=f"Cannot delete: it is still used by {describe_protected(exc)}.")
    elif isinstance(exc, IntegrityError):
        exc = Conflict(detail="The change conflicts with existing data (a duplicate or a record still in use).")
    elif isinstance(exc, exceptions.ValidationError) and _only_unique(exc.get_codes()):
        exc = Conflict(detail=_flatten_messages(exc.detail))
    return drf_exception_handler(exc, context)


def _only_unique(codes: Any) -> bool:
    found: set[str] = set()

    def walk(value):
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        else:
            found.add(str(value))

    walk(codes)
    return bool(found) and found <= CONFLICT_CODES


def _flatten_messages(detail: Any) -> str:
    if isinstance(detail, dict):
        return " ".join(_flatten_messages(v) for v in detail.values())
    if isinstance(detail, list):
        return " ".join(_flatten_messages(v) for v in detail)
    return str(detail)
