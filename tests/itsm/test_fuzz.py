"""Schemathesis over the whole OpenAPI schema: no input gets a 500, every answer matches the schema.

Every operation the schema documents is fuzzed (new endpoints are covered as soon as they are routed), as a superuser
with token auth, with all of schemathesis's default checks. The demo data is loaded once per module, inside a
transaction that is rolled back at the end, and each case runs in its own savepoint, so a DELETE in one case does not
starve the next one of rows.

A green run can test nothing (every `{id}` answering 404, every write answering 400), so:

- path lookups (`{id}`, and `{number}` for tickets: whatever the viewset looks rows up by) are mapped to rows that
  exist for four cases in five; the fifth keeps its generated (usually unknown) value, and so does a path value
  generated to violate the schema;
- a DELETE is pointed, three cases in five, at a row that can actually be deleted (found once per model by deleting
  each candidate in a savepoint that is rolled back; when the demo data uses every row, an unused copy of one is
  made), one in five at any row (often still used by others: a 409);
- foreign keys in schema-valid bodies point at existing rows;
- each operation must have *reached* the code behind it in at least MIN_REACHED_SHARE of its schema-valid cases, and
  must have succeeded (2xx) at least once. Reached means: a 2xx; a 409 (the request got past parsing, permissions,
  lookup and validation, and the current data refused it: a row still in use, a duplicate name, a position beyond
  the list, a transition the lifecycle does not allow); or a 400 for a business rule (RuleRefusal: "the end must be
  after the start", "resolution at least the response target"), which no schema can state. A 404 or a format 400
  never counts.

ITSM_FUZZ_EXAMPLES sets the examples per operation (50 by default, the CI value); ITSM_FUZZ_REPORT=<file> writes
each operation's answers by status code there, to see what a run tested.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import re
import zlib
from collections import Counter
from unittest import mock

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.db.models import F
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from rest_framework.relations import ManyRelatedField, RelatedField
from rest_framework.views import APIView
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.openapi.checks import RejectedPositiveData

from itsm.exceptions import Conflict, RuleRefusal, as_drf_error
from itsm.wsgi import application
from tickets import seed as ticket_seed
from tickets.models import Breach
from tickets.saved_views import saved_view_create
from workflow.models import ReplayJob

EXAMPLES = int(os.environ.get("ITSM_FUZZ_EXAMPLES", "50"))
# Share of an operation's schema-valid cases that must reach the code behind it (see the module docstring).
MIN_REACHED_SHARE = 0.25
TOKEN_PATH = "/api/auth/token/"
FUZZ_USER = "fuzzer"
FUZZ_PASSWORD = "fuzz-pass-123"

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
# No made-up query parameters or headers in negative cases: servers ignore unknown ones (HTTP says so for headers),
# so such a case is only "refused" when its path points nowhere, and a DELETE of a real row would be flagged.
schema.config.generation.update(allow_extra_parameters=False)
statuses: dict[str, Counter] = {}


# -- where an operation's ids live ------------------------------------------------------------------------------------
PATH_PARAMETER = re.compile(r"\{[^}/]+\}")


def _viewset(path: str):
    """The viewset class behind a schema path such as /api/vip-statuses/{id}/move/ (None when not a viewset)."""
    try:
        match = resolve(PATH_PARAMETER.sub("1", path))
    except Resolver404:
        return None
    return getattr(match.func, "cls", None)


def _lookup(view) -> tuple[str, str]:
    """(path parameter, model field) a detail route looks rows up by: ("id", "pk"), or ("number", "number")."""
    field = getattr(view, "lookup_field", "pk") or "pk"
    parameter = getattr(view, "lookup_url_kwarg", None) or field
    return ("id" if parameter == "pk" else parameter), field


_rows: dict[tuple[type, str], list] = {}


def _existing(model, field: str = "pk") -> list:
    """Up to 200 values of `field`, read once per run: every case rolls back, so the seeded rows never change."""
    if (model, field) not in _rows:
        _rows[model, field] = list(model._default_manager.order_by("pk").values_list(field, flat=True)[:200])
    return _rows[model, field]


_deletable: dict[type, list[int]] = {}


def _deletable_ids(view, model) -> list[int]:
    """Rows of `model` that the viewset's delete service accepts, found once per run: each candidate is deleted in a
    savepoint that is rolled back. When the demo data uses every row (every configuration item serves a ticket), an
    unused copy of one is made, so the DELETE's success path is still tested."""
    if model not in _deletable:
        user = get_user_model().objects.get(username=FUZZ_USER)
        found = [pk for pk in model._default_manager.order_by("-pk").values_list("pk", flat=True)[:40]]
        found = [pk for pk in found if _deletes(view, model, pk, user)][:8]
        if not found:
            copy = _unused_copy(model)
            if copy is not None and _deletes(view, model, copy, user):
                found = [copy]
        _deletable[model] = sorted(found)
    return _deletable[model]


def _deletes(view, model, pk, user) -> bool:
    try:
        with transaction.atomic():
            view.delete_service(model._default_manager.get(pk=pk), user=user, change_reason="fuzz probe")
            transaction.set_rollback(True)
    except Exception:  # refused (in use, the default, ...): not a row for the success path
        return False
    return True


def _unique_names(model) -> set[str]:
    """Fields that must differ between rows: unique fields and those in unique constraints (also `Lower("name")`)."""
    names = {f.name for f in model._meta.concrete_fields if f.unique and not f.primary_key}
    for constraint in model._meta.constraints:
        names.update(getattr(constraint, "fields", ()) or ())
        for expression in getattr(constraint, "expressions", ()) or ():
            names.update(e.name for e in expression.flatten() if isinstance(e, F))
    return names


def _unused_copy(model) -> int | None:
    """The id of a new row copied from an existing one (its unique texts prefixed, or blank where a blank is
    allowed); nothing uses it yet. None when no copy passes the model's validation."""
    for original in model._default_manager.order_by("pk")[:20]:
        for blank in (False, True):
            copy = model._default_manager.get(pk=original.pk)
            copy.pk = None
            copy._state.adding = True
            for name in _unique_names(model):
                field = model._meta.get_field(name)
                value = getattr(copy, field.attname)
                if isinstance(value, str):
                    new = "" if blank and field.blank else f"Fuzz copy {value}"
                    setattr(copy, field.attname, new[: field.max_length] if field.max_length else new)
            try:
                with transaction.atomic():
                    copy.full_clean()
                    copy._change_reason = "fuzz: an unused row to delete"
                    copy.save()
            except Exception:
                continue
            return copy.pk
    return None


@functools.cache
def _related_fields(view) -> dict[str, tuple[object, bool]]:
    """Body fields written as ids: name -> (model, many)."""
    serializer_class = getattr(view, "serializer_class", None)
    if serializer_class is None:
        return {}
    found = {}
    for name, field in serializer_class().fields.items():
        if field.read_only:
            continue
        if isinstance(field, ManyRelatedField) and field.child_relation.queryset is not None:
            found[name] = (field.child_relation.queryset.model, True)
        elif isinstance(field, RelatedField) and field.queryset is not None:
            found[name] = (field.queryset.model, False)
    return found


def _keep_fixed_fields(view, model, field: str, case) -> None:
    """Fields a serializer declares fixed once the row exists (FIXED_ON_UPDATE: a ticket's type and caller) get the
    row's own values in four schema-valid writes in five; another value is a rule refusal, and a PUT (which must send
    them) would otherwise almost never succeed."""
    fixed = getattr(getattr(view, "serializer_class", None), "FIXED_ON_UPDATE", None)
    if not fixed or case.method.upper() not in ("PUT", "PATCH"):
        return
    names = [name for name in fixed if name in case.body]
    if not names:
        return
    attnames = [model._meta.get_field(name).attname for name in names]
    current = model._default_manager.filter(**{field: case.path_parameters.get(_lookup(view)[0])}).values(*attnames)
    for row in current[:1]:
        for name, attname in zip(names, attnames, strict=True):
            value = row[attname]
            case.body[name] = value.isoformat() if hasattr(value, "isoformat") else value


def _pin_hours(case, n: int) -> None:
    """Calendar hours in four schema-valid bodies in five end after they start: the generated "00:00-00:00" is a
    rule refusal (400) that no schema can rule out, and would leave the calendar writes untested."""
    hours = case.body.get("hours")
    if not isinstance(hours, list) or n % 5 == 4:
        return
    for i, row in enumerate(hours):
        if isinstance(row, dict):
            row.update(weekday=i % 7, start="08:00", end="17:00")
    case.body["hours"] = hours[:7]


def _pin_breach(case, n: int) -> None:
    """A breach path id (tickets/{number}/breaches/{breach_id}/) points at a breach of a ticket that has one, four
    times in five: the ticket number is moved to that ticket too."""
    params = case.path_parameters or {}
    if "breach_id" not in params or n % 5 == 4:
        return
    negative_path = case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH)
    if negative_path:
        return
    breaches = list(Breach.objects.order_by("pk").values_list("pk", "ticket__number")[:50])
    if breaches:
        pk, number = breaches[n % len(breaches)]
        case.path_parameters.update(breach_id=pk, number=number)


def _int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _path_seed(value) -> int | None:
    """A number to spread a generated path value over the rows: the value itself for ids (the coverage phase sends
    them serialised, "0"; the fuzzing phase as integers), a checksum for other strings (ticket numbers)."""
    if _int(value):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,18}", value):
        return int(value)
    if isinstance(value, str):
        return zlib.crc32(value.encode("utf-8", "surrogatepass"))
    return None


def pin_to_rows(case, n: int) -> None:
    """Points path lookups and foreign keys at rows that exist. `n` counts the operation's cases, so that the many
    cases sharing one generated value (the coverage phase sends id 0 a lot) spread over the rows; with derandomize
    the run is still reproducible.

    Path lookups: four in five target an existing row (for a DELETE, three in five a row that can be deleted), the
    fifth keeps its generated (usually unknown) value; a path value generated to violate the schema is left alone.
    Foreign keys in schema-valid bodies always point at an existing row (an unknown id
    is a 400 that no schema can rule out); negative bodies are left alone, because the negated part may be the foreign
    key itself.
    """
    view = _viewset(case.operation.path)
    if view is None:
        return
    parameter, field = _lookup(view)
    negative_path = case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH)
    seed = None if negative_path else _path_seed((case.path_parameters or {}).get(parameter))
    model = getattr(getattr(view, "queryset", None), "model", None)
    if seed is not None and model is not None and (seed + n) % 5 != 3:
        slot = (seed + n) % 5
        values = _existing(model, field)
        if case.method.upper() == "DELETE" and slot != 4:
            values = _deletable_ids(view, model) or values
        if values:
            case.path_parameters[parameter] = values[(seed + n) % len(values)]
    _pin_breach(case, n)
    positive = case.meta is None or case.meta.generation.mode.is_positive
    if not positive or not isinstance(case.body, dict):
        return
    _pin_hours(case, n)
    for name, (related, many) in _related_fields(view).items():
        value = case.body.get(name)
        ids = _existing(related)
        if not ids:
            continue
        if many and isinstance(value, list):
            # A list may also name rows another way (tickets by number): those are kept as generated.
            others = [v for v in value if not _int(v)]
            case.body[name] = sorted({ids[(v + n) % len(ids)] for v in value if _int(v)}) + others
        elif _int(value):
            case.body[name] = ids[(value + n) % len(ids)]
    if seed is not None and model is not None and n % 5 != 4:
        _keep_fixed_fields(view, model, field, case)


# -- data, auth, and the request signals -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Demo rows of every app, loaded once for the module and rolled back after it (tests run in savepoints)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            # Every kind of demo row, but 100 tickets instead of 500 (the fuzz run pins to at most 200 rows anyway,
            # and logging the tickets was a fifth of the run's time).
            with mock.patch.object(ticket_seed, "TARGET", min(getattr(ticket_seed, "TARGET", 100), 100), create=True):
                call_command("seed_demo", stdout=io.StringIO())
            # A service review (the demo data records none) and a finished background replay, so that their
            # endpoints have rows to answer with.
            from services.calendar_services import service_review_create
            from services.models import ServiceInstance

            service_review_create(
                user=None,
                change_reason="fuzz data",
                service_instance=ServiceInstance.objects.order_by("pk").first(),
                date=dt.date(2026, 11, 30),
                period_from=dt.date(2026, 9, 1),
                period_to=dt.date(2026, 11, 30),
                outcome="Targets met.",
            )
            ReplayJob.objects.create(status=ReplayJob.Status.DONE, total=0, params={"date_from": "2026-01-01"})
            user = get_user_model().objects.create_superuser(FUZZ_USER, "fuzzer@example.org", FUZZ_PASSWORD)
            # Saved views are personal (another user's is a 404): the fuzzer's own give those endpoints rows.
            for i, query in enumerate(["priority=1", "vip=1&sort=-age", "scope=mine", "state=all", "type=incident"]):
                saved_view_create(user=user, name=f"Fuzz view {i}", query=query)
            token = Token.objects.create(user=user).key
            yield token
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module", autouse=True)
def report():
    """Writes the answers per operation to ITSM_FUZZ_REPORT when set."""
    yield
    target = os.environ.get("ITSM_FUZZ_REPORT")
    if target:
        with open(target, "w", encoding="utf-8") as out:
            for name, counter in sorted(statuses.items()):
                counts = ", ".join(f"{mode} {code}: {n}" for (mode, code), n in sorted(counter.items()))
                out.write(f"{name.removeprefix('test_api_fuzz')}  {counts}\n")


@pytest.fixture
def keep_connection():
    """The WSGI handler closes "obsolete" connections at each request, which would end the test transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def outcome(request):
    """Counts each operation's answers by generation mode, and the schema-valid cases that reached the code behind the
    operation; fails the operation when too few did, or none succeeded (see the module docstring)."""
    counter: Counter = Counter()
    yield counter
    statuses[request.node.name] = counter
    positive = {code: n for (mode, code), n in counter.items() if mode == "positive"}
    total = sum(positive.values())
    ok = sum(n for code, n in positive.items() if 200 <= code < 300)
    reached = counter.get(("reached", 0), 0)
    if total and not counter.get(("failed", 0)):
        assert ok and reached / total >= MIN_REACHED_SHARE, (
            f"{ok} of {total} schema-valid cases got a 2xx answer and {reached} reached the code behind this "
            f"operation ({dict(counter)}): the run barely tested it"
        )


def reached(response, refusals) -> bool:
    """Whether a schema-valid request got as far as the data: a 2xx, a 409, or a 400 for a business rule."""
    code = response.status_code
    if 200 <= code < 300 or code == 409:
        return True
    return code == 400 and bool(refusals) and is_rule_refusal(refusals[-1])


def is_rule_refusal(exc: Exception) -> bool:
    """A RuleRefusal, or a Django ValidationError that the exception handler turns into one."""
    if isinstance(exc, DjangoValidationError):
        try:
            exc = as_drf_error(exc)
        except Conflict:
            return False
    return isinstance(exc, RuleRefusal)


@pytest.fixture
def refusals(monkeypatch):
    """The exceptions the API turned into error answers, newest last (to tell rule refusals from format errors)."""
    seen: list[Exception] = []
    original = APIView.handle_exception

    def recording(self, exc):
        seen.append(exc)
        return original(self, exc)

    monkeypatch.setattr(APIView, "handle_exception", recording)
    return seen


def pin_credentials(case, n: int, password: str) -> None:
    """Four schema-valid token requests in five use the fuzzer's real credentials, so some get a token."""
    positive = case.meta is None or case.meta.generation.mode.is_positive
    if positive and isinstance(case.body, dict) and n % 5 != 3:
        case.body.update(username=FUZZ_USER, password=password)


def forgivable(case, response, refusals) -> bool:
    """A schema-valid request may still be refused with 400 when no schema can promise it would pass:

    - a business rule checked by a service or a model's clean() (itsm.exceptions.RuleRefusal: "the end must be after
      the start", "the secondary contact must differ from the primary"); format errors stay failures;
    - credentials that do not exist at the token endpoint (schemathesis exempts OAuth token URLs the same way).
    """
    if response.status_code != 400 or not refusals:
        return False
    if case.operation.path == TOKEN_PATH:
        return True
    return is_rule_refusal(refusals[-1])


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_fuzz(case, seeded, keep_connection, outcome, refusals):
    n = sum(outcome.values())
    pin_to_rows(case, n=n)
    if case.operation.path == TOKEN_PATH:
        pin_credentials(case, n=n, password=FUZZ_PASSWORD)
    refusals.clear()
    try:
        # Each case starts from the same demo data: a DELETE or a move in one case does not change the next one.
        with transaction.atomic():
            headers = {"Authorization": f"Token {seeded}"}
            response = case.call(headers=headers)
            try:
                case.validate_response(response, headers=headers, transport_kwargs={"headers": dict(headers)})
            except FailureGroup as group:
                only_rejected = all(isinstance(e, RejectedPositiveData) for e in group.exceptions)
                if not (only_rejected and forgivable(case, response, refusals)):
                    raise
            transaction.set_rollback(True)
    except BaseException:
        outcome["failed", 0] += 1  # the share check is moot once a check failed
        raise
    mode = "positive" if case.meta is None or case.meta.generation.mode.is_positive else "negative"
    outcome[mode, response.status_code] += 1
    if mode == "positive" and reached(response, refusals):
        outcome["reached", 0] += 1
