import datetime as dt

import pytest
from django.utils import timezone

from tests import factories as base
from tests.base import REASON, APIBattery, count_queries, grant, history_of
from tests.conftest import api_client_for
from tests.tickets import factories
from tickets import services
from tickets.choices import Level, Status, TicketType
from tickets.models import Ticket, TicketNote
from tickets.notes import ticket_note_add


class TestTicketAPI(APIBattery):
    url = "/api/tickets/"
    model = Ticket
    list_queries, detail_queries = 4, 3
    # Tickets are never deleted (cancel them): DELETE is not offered at all, so the battery's delete tests do not apply.
    test_delete_records_reason = None
    test_delete_without_reason_400_and_kept = None
    query_sizes = (10, 100)

    def make(self, index):
        return factories.ticket(index, caller=base.person(index))

    def detail_url(self, obj):
        return f"{self.url}{obj.number}/"

    def create_data(self):
        caller = base.person(900)
        return {
            "ticket_type": "incident",
            "title": "VPN drops",
            "caller": caller.pk,
            "impact": "high",
            "urgency": "low",
        }

    def update_data(self, obj):
        return {"title": "VPN drops every hour"}

    def test_delete_is_not_offered_405_and_kept(self, api):
        obj = self.make(0)
        assert api.delete(self.detail_url(obj), HTTP_X_CHANGE_REASON="x").status_code == 405
        assert Ticket.objects.filter(pk=obj.pk).exists()

    def test_patch_that_changes_nothing_still_needs_a_reason(self, api):
        # The schemathesis run found an empty PATCH answered 200 without a reason (the service wrote nothing).
        obj = self.make(0)
        response = api.patch(self.detail_url(obj), {}, format="json")
        assert response.status_code == 400
        assert "change_reason" in response.json()
        assert api.patch(self.detail_url(obj), {}, format="json", HTTP_X_CHANGE_REASON="checked").status_code == 200


@pytest.mark.django_db
class TestTicketRules:
    def test_create_returns_201_with_number_and_computed_priority(self, api):
        caller = base.person(0)
        response = api.post(
            "/api/tickets/",
            {
                "ticket_type": "request",
                "title": "New laptop",
                "caller": caller.pk,
                "impact": "medium",
                "urgency": "high",
                "change_reason": "portal",
            },
            format="json",
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["number"] == "REQ000001"
        assert body["priority"] == 2
        assert body["status"] == "new"
        assert body["source"] == "api"

    def test_caller_reads_as_brief_person_with_vip_status(self, api):
        exec_ = base.vip_status("Executive", colour="#B42318")
        ticket = factories.ticket(0, caller=base.person(0, vip_status=exec_))
        body = api.get(f"/api/tickets/{ticket.number}/").json()
        assert body["caller"]["full_name"] == "Pat0 Doe0"
        assert body["caller"]["vip_status"]["name"] == "Executive"
        assert body["caller"]["vip_status"]["colour"] == "#B42318"

    def test_lookup_by_number_is_case_and_padding_tolerant(self, api):
        ticket = factories.ticket(0)
        assert api.get("/api/tickets/inc1/").json()["number"] == ticket.number
        assert api.get("/api/tickets/INC999999/").status_code == 404
        assert api.get("/api/tickets/nonsense/").status_code == 404

    def test_missing_title_and_bad_choice_are_field_errors(self, api):
        response = api.post(
            "/api/tickets/",
            {"ticket_type": "incident", "caller": base.person(0).pk, "impact": "huge", "change_reason": "x"},
            format="json",
        )
        assert response.status_code == 400
        assert {"title", "impact"} <= set(response.json())
        assert Ticket.objects.count() == 0

    def test_ci_not_serving_the_instance_is_a_field_error(self, api):
        a, b = factories.instance("Shared Drive"), factories.instance("Email")
        ci = factories.configuration_item("fs01", instances=[a])
        response = api.post(
            "/api/tickets/",
            {
                "ticket_type": "incident",
                "title": "x",
                "caller": base.person(0).pk,
                "service_instance": b.pk,
                "configuration_item": ci.pk,
                "change_reason": "x",
            },
            format="json",
        )
        assert response.status_code == 400
        assert "configuration_item" in response.json()

    def test_type_cannot_change(self, api):
        ticket = factories.ticket(0)
        response = api.patch(
            f"/api/tickets/{ticket.number}/", {"ticket_type": "problem", "change_reason": "x"}, format="json"
        )
        assert response.status_code == 400
        assert "ticket_type" in response.json()
        same = api.patch(
            f"/api/tickets/{ticket.number}/",
            {"ticket_type": "incident", "title": "t", "change_reason": "x"},
            format="json",
        )
        assert same.status_code == 200

    def test_status_and_priority_are_read_only(self, api):
        ticket = factories.ticket(0)
        api.patch(
            f"/api/tickets/{ticket.number}/",
            {"status": "closed", "priority": 1, "title": "t", "change_reason": "x"},
            format="json",
        )
        ticket.refresh_from_db()
        assert (ticket.status, ticket.priority, ticket.title) == (Status.NEW, 3, "t")

    def test_impact_change_rerates_priority(self, api):
        ticket = factories.ticket(0)
        body = api.patch(
            f"/api/tickets/{ticket.number}/", {"impact": "high", "urgency": "high", "change_reason": "x"}, format="json"
        ).json()
        assert body["priority"] == 1

    def test_editing_a_closed_ticket_is_409(self, api):
        ticket = factories.ticket(0)
        services.ticket_transition(ticket, user=None, status=Status.RESOLVED, note="fixed")
        services.ticket_transition(ticket, user=None, status=Status.CLOSED)
        response = api.patch(f"/api/tickets/{ticket.number}/", {"title": "t", "change_reason": "x"}, format="json")
        assert response.status_code == 409

    def test_filters(self, api, admin_user):
        exec_ = base.vip_status("Executive")
        vip = factories.ticket(0, caller=base.person(0, vip_status=exec_), impact=Level.HIGH, urgency=Level.HIGH)
        level = factories.service_level()
        group = factories.customer_group("Finance")
        instance = factories.instance("Payroll", group=group, level=level)
        team = base.team(0)
        other = factories.ticket(1, ticket_type=TicketType.REQUEST, service_instance=instance, team=team)
        mine = factories.ticket(2, assignee=admin_user)
        Ticket.objects.filter(pk=mine.pk).update(opened_at=timezone.now() - dt.timedelta(days=10))

        def numbers(**params):
            response = api.get("/api/tickets/", params)
            assert response.status_code == 200, response.content
            return {row["number"] for row in response.json()["results"]}

        assert numbers(type="request") == {other.number}
        assert numbers(priority=1) == {vip.number}
        assert numbers(vip_status=exec_.pk) == {vip.number}
        assert numbers(vip="true") == {vip.number}
        assert numbers(caller=vip.caller_id) == {vip.number}
        assert numbers(service_instance=instance.pk) == {other.number}
        assert numbers(customer_group=group.pk) == {other.number}
        assert numbers(team=team.pk) == {other.number}
        assert numbers(assignee=admin_user.pk) == {mine.number}
        assert numbers(status="assigned") == {other.number, mine.number}
        assert numbers(opened_before=(timezone.now() - dt.timedelta(days=5)).isoformat()) == {mine.number}
        assert mine.number not in numbers(opened_after=(timezone.now() - dt.timedelta(days=5)).isoformat())
        assert numbers(open="false") == set()
        assert numbers(search="pat1001") == {other.number}

    @pytest.mark.parametrize(
        "params",
        [
            {"vip": "null"},
            {"open": "yes"},
            {"caller": "abc"},
            {"caller": 10**30},
            {"status": "frozen"},
            {"opened_after": "yesterday"},
            {"priority": 9},
        ],
    )
    def test_bad_filter_values_are_400(self, api, params):
        assert api.get("/api/tickets/", params).status_code == 400

    def test_default_order_is_priority_then_vip_then_oldest(self, api, default_status):
        exec_ = base.vip_status("Executive")
        critical = base.vip_status("Critical Role")
        now = timezone.now()
        plain_old = factories.ticket(0, opened_at=now - dt.timedelta(hours=5))
        crit = factories.ticket(1, caller=base.person(1, vip_status=critical), opened_at=now - dt.timedelta(hours=1))
        exec_new = factories.ticket(2, caller=base.person(2, vip_status=exec_), opened_at=now)
        exec_old = factories.ticket(3, caller=base.person(3, vip_status=exec_), opened_at=now - dt.timedelta(hours=2))
        p1 = factories.ticket(4, impact=Level.HIGH, urgency=Level.HIGH, opened_at=now)
        rows = [r["number"] for r in api.get("/api/tickets/").json()["results"]]
        assert rows == [p1.number, exec_old.number, exec_new.number, crit.number, plain_old.number]

    def test_ordering_parameter(self, api):
        a = factories.ticket(0, impact=Level.HIGH, urgency=Level.HIGH)
        b = factories.ticket(1, impact=Level.LOW, urgency=Level.LOW)
        rows = [r["number"] for r in api.get("/api/tickets/", {"ordering": "-priority"}).json()["results"]]
        assert rows == [b.number, a.number]

    def test_history_lists_changes_with_reasons(self, api):
        ticket = factories.ticket(0)
        api.patch(f"/api/tickets/{ticket.number}/", {"title": "Renamed", "change_reason": "clearer"}, format="json")
        entries = api.get(f"/api/tickets/{ticket.number}/history/").json()
        assert entries[0]["change_reason"] == "clearer"
        assert entries[0]["changes"][0]["field"] == "title"
        assert entries[-1]["type"] == "created"


@pytest.mark.django_db
class TestNotesAndTransitions:
    def test_add_and_list_notes(self, api, admin_user):
        ticket = factories.ticket(0)
        response = api.post(
            f"/api/tickets/{ticket.number}/notes/",
            {"text": "Called back", "public": True, "time_spent_minutes": 5},
            format="json",
        )
        assert response.status_code == 201, response.content
        assert response.json()["author"]["username"] == admin_user.username
        api.post(f"/api/tickets/{ticket.number}/notes/", {"text": "internal"}, format="json")
        notes = api.get(f"/api/tickets/{ticket.number}/notes/").json()
        assert [n["text"] for n in notes] == ["internal", "Called back"]
        ticket.refresh_from_db()
        assert ticket.first_response_at is not None

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"text": ""},
            {"text": 5},
            {"text": "x", "public": "yes"},
            {"text": "x", "time_spent_minutes": -1},
            {"text": "a\x00b"},
        ],
    )
    def test_bad_notes_are_400(self, api, body):
        ticket = factories.ticket(0)
        assert api.post(f"/api/tickets/{ticket.number}/notes/", body, format="json").status_code == 400
        assert TicketNote.objects.count() == 0

    def test_notes_permissions(self, nobody):
        ticket = factories.ticket(0)
        client = api_client_for(nobody)
        url = f"/api/tickets/{ticket.number}/notes/"
        assert client.get(url).status_code == 403
        grant(nobody, Ticket, "view")
        assert client.get(url).status_code == 200
        assert client.post(url, {"text": "x"}, format="json").status_code == 403
        grant(nobody, TicketNote, "add")
        assert client.post(url, {"text": "x"}, format="json").status_code == 201

    def test_transition_allowed(self, api, admin_user):
        ticket = factories.ticket(0, assignee=admin_user)
        response = api.post(f"/api/tickets/{ticket.number}/transition/", {"status": "in_progress"}, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "in_progress"
        assert history_of(ticket).last().history_change_reason == "status Assigned -> In progress"

    def test_refused_transition_is_409_naming_the_allowed_ones(self, api):
        ticket = factories.ticket(0)
        response = api.post(f"/api/tickets/{ticket.number}/transition/", {"status": "closed"}, format="json")
        assert response.status_code == 409
        body = response.json()
        assert body["allowed"] == ["assigned", "in_progress", "resolved", "cancelled"]
        assert "Assigned, In progress, Resolved, Cancelled" in body["detail"]

    def test_resolve_needs_a_note(self, api):
        ticket = factories.ticket(0)
        url = f"/api/tickets/{ticket.number}/transition/"
        response = api.post(url, {"status": "resolved"}, format="json")
        assert response.status_code == 400
        assert "note" in response.json()
        done = api.post(url, {"status": "resolved", "note": "Rebooted"}, format="json")
        assert done.status_code == 200
        assert done.json()["resolution"] == "Rebooted"

    @pytest.mark.parametrize("body", [{}, {"status": "frozen"}, {"status": 3}, {"status": "pending", "note": 1}])
    def test_bad_transition_bodies_are_400(self, api, body):
        ticket = factories.ticket(0)
        assert api.post(f"/api/tickets/{ticket.number}/transition/", body, format="json").status_code == 400

    def test_transition_needs_change_permission(self, nobody):
        ticket = factories.ticket(0)
        grant(nobody, Ticket, "view")
        client = api_client_for(nobody)
        url = f"/api/tickets/{ticket.number}/transition/"
        assert client.post(url, {"status": "cancelled"}, format="json").status_code == 403
        grant(nobody, Ticket, "change")
        assert client.post(url, {"status": "cancelled"}, format="json").status_code == 200

    def test_integration_role_can_log_and_work_tickets(self, integration_user):
        client = api_client_for(integration_user)
        response = client.post(
            "/api/tickets/",
            {
                "ticket_type": "incident",
                "title": "Monitoring alert",
                "caller": base.person(0).pk,
                "change_reason": REASON,
            },
            format="json",
        )
        assert response.status_code == 201, response.content
        number = response.json()["number"]
        assert client.post(f"/api/tickets/{number}/notes/", {"text": "ack"}, format="json").status_code == 201

    def test_history_and_notes_query_count_constant(self, api):
        ticket = factories.ticket(0)
        for i in range(5):
            ticket_note_add(ticket, user=None, text=f"n{i}")
            services.ticket_update(ticket, user=None, change_reason=f"r{i}", title=f"t{i}")
        few_notes = count_queries(lambda: api.get(f"/api/tickets/{ticket.number}/notes/"))
        few_history = count_queries(lambda: api.get(f"/api/tickets/{ticket.number}/history/"))
        for i in range(5, 40):
            ticket_note_add(ticket, user=None, text=f"n{i}")
            services.ticket_update(ticket, user=None, change_reason=f"r{i}", title=f"t{i}")
        assert count_queries(lambda: api.get(f"/api/tickets/{ticket.number}/notes/")) == few_notes
        assert count_queries(lambda: api.get(f"/api/tickets/{ticket.number}/history/")) == few_history


def test_a_retry_with_the_same_idempotency_key_returns_the_first_ticket(api, default_status):
    from tests import factories as base_factories
    from tickets.models import Ticket

    caller = base_factories.person(0)
    body = {"title": "Printer", "caller": caller.pk, "ticket_type": "incident", "change_reason": "call"}
    first = api.post("/api/tickets/", body, format="json", HTTP_IDEMPOTENCY_KEY="6f1c-42")
    assert first.status_code == 201
    again = api.post("/api/tickets/", body, format="json", HTTP_IDEMPOTENCY_KEY="6f1c-42")
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["number"] == first.json()["number"]
    assert Ticket.objects.count() == 1
    other = api.post("/api/tickets/", body, format="json", HTTP_IDEMPOTENCY_KEY="6f1c-43")
    assert other.status_code == 201
    assert Ticket.objects.count() == 2
    plain = api.post("/api/tickets/", body, format="json")
    assert plain.status_code == 201
    assert Ticket.objects.count() == 3


def test_an_idempotency_key_is_per_user_and_must_be_readable(api, analyst_user, default_status):
    from tests import factories as base_factories
    from tests.conftest import api_client_for
    from tickets.models import Ticket

    caller = base_factories.person(0)
    body = {"title": "Printer", "caller": caller.pk, "ticket_type": "incident", "change_reason": "call"}
    assert api.post("/api/tickets/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1").status_code == 201
    mine = api_client_for(analyst_user).post("/api/tickets/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert mine.status_code == 201
    assert Ticket.objects.count() == 2
    bad = api.post("/api/tickets/", body, format="json", HTTP_IDEMPOTENCY_KEY="x" * 256)
    assert bad.status_code == 400
    assert "Idempotency-Key" in bad.json()["detail"]
    assert Ticket.objects.count() == 2


def test_a_failed_create_does_not_use_up_the_key(api, default_status):
    from tests import factories as base_factories

    caller = base_factories.person(0)
    body = {"caller": caller.pk, "ticket_type": "incident", "change_reason": "call"}  # no title
    assert api.post("/api/tickets/", body, format="json", HTTP_IDEMPOTENCY_KEY="k2").status_code == 400
    fixed = api.post("/api/tickets/", {**body, "title": "Printer"}, format="json", HTTP_IDEMPOTENCY_KEY="k2")
    assert fixed.status_code == 201
