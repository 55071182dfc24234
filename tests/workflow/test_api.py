"""The rules API: the battery (list, detail, writes with reasons, history, permissions, constant queries), nested
criteria and actions, field errors at their place with nothing saved, move, simulate and replay (saving nothing)."""

from __future__ import annotations

import pytest

from tests import factories
from tests.base import APIBattery, count_queries, history_of
from tests.workflow.factories import rule
from tickets.models import Ticket
from workflow.models import Action, Criterion, Rule, RuleFiring

URL = "/api/rules/"
REASON = "api test"

pytestmark = pytest.mark.django_db


class TestRuleAPI(APIBattery):
    url = URL
    model = Rule
    list_queries, detail_queries = 6, 5
    query_sizes = (5, 30)

    def make(self, index: int):
        team = factories.team(900 + index)
        return rule(
            f"Rule {index}",
            criteria=[("priority", "lte", 2), ("title", "contains", f"word {index}")],
            actions=[("assign_team", team.pk), ("add_note", None, "See {number}")],
        )

    def create_data(self) -> dict:
        return {
            "name": "Urgent ones",
            "active": True,
            "criteria": [{"field": "urgency", "operator": "is", "value": "high"}],
            "actions": [{"type": "raise_priority", "value": 1}],
        }

    def update_data(self, obj) -> dict:
        return {"description": "Changed by the battery"}


def _post(api, data, **extra):
    return api.post(URL, {"change_reason": REASON, **data}, format="json", **extra)


# -- nested criteria and actions --------------------------------------------------------------------------------------
def test_create_with_nested_criteria_and_actions(api, executive, critical):
    desk = factories.team(1, name="VIP Desk")
    response = _post(
        api,
        {
            "name": "Executives at least P2",
            "active": True,
            "criteria": [
                {"field": "vip_status", "operator": "in", "value": [executive.pk, critical.pk]},
                {"field": "impact", "operator": "in", "value": ["high", "medium"]},
                {"field": "caller_is_vip", "operator": "true"},
            ],
            "actions": [
                {"type": "set_priority", "value": 2},
                {"type": "assign_team", "value": desk.pk},
                {"type": "add_note", "text": "VIP caller {caller}"},
            ],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["position"] == 1
    assert [c["field"] for c in body["criteria"]] == ["vip_status", "impact", "caller_is_vip"]
    assert sorted(body["criteria"][0]["value"]) == sorted([executive.pk, critical.pk])
    assert body["criteria"][0]["value_display"] == "Executive, Critical Role"
    assert body["criteria"][2]["value"] is None
    assert body["actions"][1] == {
        "id": body["actions"][1]["id"],
        "type": "assign_team",
        "value": desk.pk,
        "text": "",
        "description": "Assign team VIP Desk",
    }
    made = Rule.objects.get(pk=body["id"])
    assert history_of(made).get().history_change_reason == REASON
    assert "caller VIP status is one of" in made.summary


def test_update_replaces_lists_and_keeps_ids(api):
    made = rule("R", criteria=[("priority", "eq", 1), ("impact", "is", "high")], actions=[("set_priority", 1)])
    keep = made.criteria.get(field="priority")
    response = api.patch(
        f"{URL}{made.pk}/",
        {
            "change_reason": "narrower",
            "criteria": [{"id": keep.pk, "field": "priority", "operator": "lte", "value": 2}],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert [(c["id"], c["operator"]) for c in response.json()["criteria"]] == [(keep.pk, "lte")]
    assert response.json()["actions"][0]["type"] == "set_priority"  # left out: kept
    assert Criterion.objects.filter(rule=made).count() == 1
    assert history_of(made).last().history_change_reason == "narrower"


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        ({"actions": [{"type": "set_priority", "value": 7}]}, ("actions", 0, "value"), "Priority 7 does not exist"),
        ({"actions": [{"type": "assign_team", "value": 999999}]}, ("actions", 0, "value"), "Team 999999 does not"),
        (
            {
                "criteria": [
                    {"field": "priority", "operator": "eq", "value": 1},
                    {"field": "status", "operator": "is", "value": "sleeping"},
                ]
            },
            ("criteria", 1, "value"),
            "Unknown status 'sleeping'",
        ),
        ({"actions": [{"type": "set_status", "value": "sleeping"}]}, ("actions", 0, "value"), "Unknown status"),
        ({"criteria": [{"field": "priority", "operator": "contains", "value": 1}]}, ("criteria", 0, "operator"), ""),
        ({"criteria": [{"field": "vip_status", "operator": "is", "value": 999999}]}, ("criteria", 0, "value"), ""),
        ({"actions": [{"type": "add_note", "text": "{nope}"}]}, ("actions", 0, "text"), "Unknown placeholder"),
    ],
)
def test_values_that_do_not_fit_are_400_at_their_place_and_nothing_is_saved(api, body, where, message):
    before = (Rule.objects.count(), Criterion.objects.count(), Action.objects.count(), Rule.history.count())
    response = _post(api, {"name": "Bad", **body})
    assert response.status_code == 400, response.content
    key, index, field = where
    errors = response.json()[key][index][field]
    assert message in " ".join(errors)
    after = (Rule.objects.count(), Criterion.objects.count(), Action.objects.count(), Rule.history.count())
    assert after == before


def test_bad_value_on_update_changes_nothing(api):
    made = rule("Keep", actions=[("set_priority", 2)])
    response = api.put(
        f"{URL}{made.pk}/",
        {"name": "Renamed", "change_reason": REASON, "actions": [{"type": "set_priority", "value": 7}]},
        format="json",
    )
    assert response.status_code == 400
    assert "Priority 7" in response.json()["actions"][0]["value"][0]
    made.refresh_from_db()
    assert made.name == "Keep"
    assert list(made.actions.values_list("value", flat=True)) == ["2"]


@pytest.mark.parametrize(
    "value",
    [{"a": 1}, 1.5, True, [[1]], [{"a": 1}], "x\x00"],
)
def test_values_of_the_wrong_shape_are_400(api, value):
    response = _post(api, {"name": "Shape", "actions": [{"type": "set_priority", "value": value}]})
    assert response.status_code == 400
    assert not Rule.objects.exists()


def test_duplicate_name_is_409(api):
    rule("Same")
    response = _post(api, {"name": "same"})
    assert response.status_code == 409


def test_deleting_a_rule_keeps_the_firings(api, exec_person, log_ticket):
    made = rule("Gone soon", actions=[("set_priority", 2)])
    ticket = log_ticket(exec_person)
    response = api.delete(f"{URL}{made.pk}/", HTTP_X_CHANGE_REASON="obsolete")
    assert response.status_code == 204
    assert RuleFiring.objects.get(ticket=ticket).rule_name == "Gone soon"


def test_filters_search_and_ordering(api):
    rule("Alpha", actions=[("set_priority", 1)])
    rule("Beta", actions=[("set_priority", 1)], active=False)
    rule("Gamma", actions=[("set_priority", 1)], trigger="scheduled")
    names = lambda **q: [r["name"] for r in api.get(URL, q).json()["results"]]  # noqa: E731
    assert names(active="false") == ["Beta"]
    assert names(trigger="scheduled") == ["Gamma"]
    assert names(search="alp") == ["Alpha"]
    assert names(ordering="-name") == ["Gamma", "Beta", "Alpha"]
    assert api.get(URL, {"active": "maybe"}).status_code == 400


def test_detail_query_count_does_not_grow_with_criteria(api, executive):
    few = rule("Few", criteria=[("priority", "eq", 1)], actions=[("set_priority", 1)])
    many = rule(
        "Many",
        criteria=[("vip_status", "in", [executive.pk]), ("priority", "eq", 1), ("title", "contains", "x")],
        actions=[("set_priority", 1), ("add_note", None, "n"), ("set_urgency", "high")],
    )
    assert count_queries(lambda: api.get(f"{URL}{few.pk}/")) == count_queries(lambda: api.get(f"{URL}{many.pk}/"))


# -- move -------------------------------------------------------------------------------------------------------------
def test_move(api):
    a, _b, c = (rule(n, actions=[("set_priority", 1)]) for n in "abc")
    response = api.post(f"{URL}{c.pk}/move/", {"position": 1, "change_reason": "first"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["position"] == 1
    assert list(Rule.objects.values_list("name", flat=True)) == ["c", "a", "b"]
    assert history_of(c).last().history_change_reason == "moved from 3 to 1: first"
    assert api.post(f"{URL}{a.pk}/move/", {"position": 9, "change_reason": "x"}, format="json").status_code == 400
    assert api.post(f"{URL}{a.pk}/move/", {"position": "1", "change_reason": "x"}, format="json").status_code == 400
    no_reason = api.post(f"{URL}{a.pk}/move/", {"position": 3}, format="json")
    assert no_reason.status_code == 400
    assert "change_reason" in no_reason.json()
    assert list(Rule.objects.values_list("name", flat=True)) == ["c", "a", "b"]


def test_history_shows_the_definition_changes(api):
    made = rule("R", actions=[("set_priority", 2)])
    api.patch(
        f"{URL}{made.pk}/",
        {"change_reason": "stricter", "actions": [{"type": "set_priority", "value": 1}]},
        format="json",
    )
    entries = api.get(f"{URL}{made.pk}/history/").json()
    assert entries[0]["change_reason"] == "stricter"
    assert {c["field"] for c in entries[0]["changes"]} == {"summary"}


# -- simulate ---------------------------------------------------------------------------------------------------------
def _counts():
    return (Ticket.objects.count(), Ticket.history.count(), RuleFiring.objects.count(), Rule.history.count())


def test_simulate_existing_ticket_saves_nothing(api, exec_person, executive, log_ticket):
    ticket = log_ticket(exec_person)
    draft = rule("Draft P1", criteria=[("vip_status", "is", executive.pk)], actions=[("set_priority", 1)], active=False)
    rule("Never", criteria=[("impact", "is", "low")], actions=[("set_priority", 5)])
    before = _counts()
    response = api.post(f"{URL}simulate/", {"ticket": ticket.number.lower(), "rules": [draft.pk]}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ticket"]["number"] == ticket.number
    assert body["event"] == "update"
    assert body["matched"] == [draft.pk]
    first, second = body["rules"]
    assert first["matched"] and first["because"] == "caller VIP status = Executive"
    assert first["criteria"][0]["seen_display"] == "Executive"
    assert first["steps"][0]["new"] == 1
    assert second["outcome"] == "not matched"
    assert second["criteria"][0] == {
        "field": "impact",
        "label": "impact",
        "operator": "is",
        "operator_label": "is",
        "expected": "low",
        "expected_display": "Low",
        "seen": "medium",
        "seen_display": "Medium",
        "matched": False,
    }
    assert body["changes"] == [{"field": "priority", "old": 3, "new": 1, "set_by": draft.pk}]
    assert _counts() == before
    ticket.refresh_from_db()
    assert ticket.priority == 3


def test_simulate_existing_ticket_with_a_field_changed(api, exec_person, log_ticket):
    ticket = log_ticket(exec_person)
    rule("High impact", criteria=[("impact", "is", "high")], actions=[("set_urgency", "high")])
    response = api.post(f"{URL}simulate/", {"ticket": ticket.number, "impact": "high"}, format="json")
    assert response.json()["changes"] == [
        {"field": "urgency", "old": "medium", "new": "high", "set_by": Rule.objects.get().pk},
        {"field": "priority", "old": 2, "new": 1, "set_by": Rule.objects.get().pk},
    ]
    ticket.refresh_from_db()
    assert ticket.impact == "medium"


def test_simulate_hypothetical_ticket(api, exec_person, standard_person, executive):
    rule("Execs", criteria=[("vip_status", "is", executive.pk)], actions=[("set_priority", 1)])
    before = _counts()
    hit = api.post(f"{URL}simulate/", {"caller": exec_person.pk, "impact": "low", "urgency": "low"}, format="json")
    assert hit.status_code == 200, hit.content
    assert hit.json()["ticket"] is None
    assert hit.json()["changes"] == [{"field": "priority", "old": 5, "new": 1, "set_by": Rule.objects.get().pk}]
    miss = api.post(f"{URL}simulate/", {"caller": standard_person.pk}, format="json").json()
    assert miss["matched"] == [] and miss["rules"][0]["outcome"] == "not matched"
    nobody = api.post(f"{URL}simulate/", {}, format="json")
    assert nobody.status_code == 200 and nobody.json()["values"]["vip_status"] == "none"
    assert _counts() == before


def test_simulate_refusals(api, exec_person):
    assert api.post(f"{URL}simulate/", {"ticket": "INC999999"}, format="json").status_code == 400
    assert api.post(f"{URL}simulate/", {"ticket": "hello"}, format="json").status_code == 400
    assert api.post(f"{URL}simulate/", {"caller": 999999}, format="json").status_code == 400
    assert api.post(f"{URL}simulate/", {"caller": exec_person.pk, "impact": "huge"}, format="json").status_code == 400
    late = api.post(f"{URL}simulate/", {"caller": exec_person.pk, "at": "9999-01-01T00:00:00Z"}, format="json")
    assert late.status_code == 400 and "at" in late.json()


def test_simulate_needs_view_permission_and_replay_needs_change_permission(nobody, analyst_user):
    from tests.conftest import api_client_for

    assert api_client_for(nobody).post(f"{URL}simulate/", {}, format="json").status_code == 403
    assert api_client_for(nobody).post(f"{URL}replay/", {}, format="json").status_code == 403
    assert api_client_for(None).post(f"{URL}simulate/", {}, format="json").status_code == 401
    assert api_client_for(analyst_user).post(f"{URL}simulate/", {}, format="json").status_code == 200
    # A view-only token ran 23-second replays: reading a year of tickets needs the permission to change rules.
    assert api_client_for(analyst_user).post(f"{URL}replay/", {}, format="json").status_code == 403


# -- replay -----------------------------------------------------------------------------------------------------------
def test_replay_is_a_dry_run(api, exec_person, standard_person, executive, log_ticket):
    tickets = [log_ticket(exec_person), log_ticket(exec_person), log_ticket(standard_person)]
    made = rule("Execs P1", criteria=[("vip_status", "is", executive.pk)], actions=[("set_priority", 1)], active=False)
    before = _counts()
    response = api.post(f"{URL}replay/", {"rules": [made.pk], "sample_size": 1}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["dry_run"], body["scanned"], body["matched"], body["changed"], body["applied"]) == (True, 3, 2, 2, 0)
    assert body["by_rule"] == [{"rule": "Rule 1 'Execs P1'", "tickets": 2}]
    assert body["by_field"] == {"priority": 2}
    assert len(body["sample"]) == 1
    assert body["sample"][0]["changes"]["priority"] == {"old": 3, "new": 1, "old_display": "P3", "new_display": "P1"}
    assert _counts() == before
    assert {t.priority for t in Ticket.objects.filter(pk__in=[t.pk for t in tickets])} == {3}
    empty = api.post(f"{URL}replay/", {"date_to": "2000-01-01"}, format="json").json()
    assert empty["scanned"] == 0


def test_replay_covers_at_most_a_year(api):
    response = api.post(f"{URL}replay/", {"date_from": "2024-01-01", "date_to": "2026-01-01"}, format="json")
    assert response.status_code == 400
    assert "at most a year" in str(response.json()["date_from"])
    backwards = api.post(f"{URL}replay/", {"date_from": "2026-01-02", "date_to": "2026-01-01"}, format="json")
    assert backwards.status_code == 400 and "date_to" in backwards.json()


def test_rule_id_lists_are_capped_and_repeats_count_once(api, exec_person):
    made = rule("Any", actions=[("set_priority", 4)], active=False)
    too_many = api.post(f"{URL}simulate/", {"caller": exec_person.pk, "rules": [made.pk] * 501}, format="json")
    assert too_many.status_code == 400
    assert "At most 500 ids" in str(too_many.json()["rules"])
    repeated = api.post(f"{URL}simulate/", {"caller": exec_person.pk, "rules": [made.pk] * 3}, format="json")
    assert repeated.status_code == 200
    assert [r["rule_id"] for r in repeated.json()["rules"]].count(made.pk) == 1


def test_a_large_replay_runs_as_a_background_job_one_at_a_time(
    api, exec_person, log_ticket, monkeypatch, django_capture_on_commit_callbacks
):
    from workflow import jobs
    from workflow.models import ReplayJob

    monkeypatch.setattr(jobs, "INLINE_LIMIT", 1)
    monkeypatch.setattr(jobs, "launch", jobs.run)  # the job's own code, run here instead of in a thread
    for _ in range(2):
        log_ticket(exec_person)
    made = rule("Lower", actions=[("set_priority", 5)], active=False)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        started = api.post(f"{URL}replay/", {"rules": [made.pk]}, format="json")
    assert started.status_code == 202
    job = started.json()
    assert job["status"] == "queued" and job["total"] == 2 and job["result"] is None
    busy = api.post(f"{URL}replay/", {}, format="json")
    assert busy.status_code == 409 and busy.json()["id"] == job["id"]
    for callback in pending:
        callback()
    done = api.get(job["url"]).json()
    assert done["status"] == "done"
    assert done["scanned"] == 2
    assert done["result"]["changed"] == 2 and done["result"]["dry_run"] is True
    assert ReplayJob.objects.get().finished_at is not None
    assert api.post(f"{URL}replay/", {}, format="json").status_code in (200, 202)


def test_a_job_whose_server_stopped_is_failed_and_frees_the_queue(api):
    import datetime as dt

    from django.utils import timezone

    from workflow import jobs
    from workflow.models import ReplayJob

    stuck = ReplayJob.objects.create(status="running", total=10)
    ReplayJob.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=11))
    assert jobs.active_job() is None
    stuck.refresh_from_db()
    assert stuck.status == "failed" and "stopped" in stuck.error
    assert api.get(f"{URL}replay/jobs/{stuck.pk}/").json()["status"] == "failed"
    assert api.get(f"{URL}replay/jobs/99999/").status_code == 404
