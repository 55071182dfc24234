"""Schemathesis over the whole OpenAPI schema: no input gets a 500, every answer matches the schema.

Every operation the schema documents is fuzzed (new endpoints are covered as soon as they are routed), as a superuser
with token auth, with all of schemathesis's default checks. The demo data is loaded once per module, inside a
transaction that is rolled back at the end, and each operation runs in its own savepoint, so a DELETE in one operation
does not starve the next one of rows.

A green run can test nothing (every `{id}` answering 404, every write answering 400), so ids in paths and foreign keys
in bodies are mapped to rows that exist for most cases, and each operation must get a share of 2xx answers.

ITSM_FUZZ_EXAMPLES sets the examples per operation (50 by default, the CI value).
"""

from __future__ import annotations

import io
import os
import re
from collections import Counter

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from rest_framework.relations import ManyRelatedField, RelatedField
from rest_framework.views import APIView
from schemathesis.core.failures import FailureGroup
from schemathesis.openapi.checks import RejectedPositiveData

from itsm.exceptions import RuleRefusal
from itsm.wsgi import application

EXAMPLES = int(os.environ.get("ITSM_FUZZ_EXAMPLES", "50"))
# Share of an operation's cases that must succeed (2xx) for the run to count as testing it.
MIN_SUCCESS_SHARE = 0.25
TOKEN_PATH = "/api/auth/token/"
FUZZ_USER = "fuzzer"
FUZZ_PASSWORD = "fuzz-pass-123"

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
statuses: dict[str, Counter] = {}


# -- where an operation's ids live ------------------------------------------------------------------------------------
def _viewset(path: str):
    """The viewset class behind a schema path such as /api/vip-statuses/{id}/move/ (None when not a viewset)."""
    try:
        match = resolve(path.replace("{id}", "1"))
    except Resolver404:
        return None
    return getattr(match.func, "cls", None)


def _existing_ids(model) -> list[int]:
    return list(model._default_manager.order_by("pk").values_list("pk", flat=True)[:200])


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


def _int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _path_int(value) -> int | None:
    """The coverage phase sends path ids already serialised ("0"); the fuzzing phase as integers."""
    if _int(value):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,18}", value):
        return int(value)
    return None


def pin_to_rows(case, n: int) -> None:
    """Points ids at rows that exist. `n` counts the operation's cases, so that the many cases sharing one generated
    id (the coverage phase sends id 0 a lot) spread over the rows; with derandomize the run is still reproducible.

    Path ids: four ids in five target an existing row, the fifth keeps its generated (usually unknown) id. Any
    integer is a valid id, so this keeps negative cases negative. Foreign keys in schema-valid bodies always point at
    an existing row (an unknown id is a 400 that no schema can rule out); negative bodies are left alone, because the
    negated part may be the foreign key itself.
    """
    view = _viewset(case.operation.path)
    if view is None:
        return
    pk = _path_int((case.path_parameters or {}).get("id"))
    model = getattr(getattr(view, "queryset", None), "model", None)
    if pk is not None and model is not None and (pk + n) % 5 != 3:
        ids = _existing_ids(model)
        if ids:
            case.path_parameters["id"] = ids[(pk + n) % len(ids)]
    positive = case.meta is None or case.meta.generation.mode.is_positive
    if not positive or not isinstance(case.body, dict):
        return
    for name, (related, many) in _related_fields(view).items():
        value = case.body.get(name)
        ids = _existing_ids(related)
        if not ids:
            continue
        if many and isinstance(value, list):
            case.body[name] = sorted({ids[(v + n) % len(ids)] for v in value if _int(v)})
        elif _int(value):
            case.body[name] = ids[(value + n) % len(ids)]


# -- data, auth, and the request signals -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Demo rows of every app, loaded once for the module and rolled back after it (tests run in savepoints)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("seed_demo", stdout=io.StringIO())
            user = get_user_model().objects.create_superuser(FUZZ_USER, "fuzzer@example.org", FUZZ_PASSWORD)
            token = Token.objects.create(user=user).key
            yield token
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


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
    """Counts each operation's answers by generation mode; fails the operation when too few schema-valid cases
    succeeded (a run where every `{id}` is a 404 or every write a 400 tests nothing)."""
    counter: Counter = Counter()
    yield counter
    statuses[request.node.name] = counter
    positive = {code: n for (mode, code), n in counter.items() if mode == "positive"}
    total = sum(positive.values())
    ok = sum(n for code, n in positive.items() if 200 <= code < 300)
    if total and not counter.get(("failed", 0)):
        assert ok / total >= MIN_SUCCESS_SHARE, (
            f"only {ok} of {total} schema-valid cases got a 2xx answer ({dict(counter)}): the run barely reached the "
            "code behind this operation"
        )


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
    return isinstance(refusals[-1], RuleRefusal)


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
