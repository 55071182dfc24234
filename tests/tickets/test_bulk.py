"""Bulk actions on queue rows: one reason for every ticket's history, all or nothing, the same rules as one ticket."""

import pytest
from django.urls import reverse

from itsm.roles import ANALYST
from tests import factories as base
from tests.base import count_queries, grant, history_of
from tests.conftest import api_client_for
from tests.tickets import factories
from tickets import bulk, services
from tickets.choices import Status
from tickets.models import Ticket, TicketNote

pytestmark = pytest.mark.django_db
REASON = "Desk rota: nights move to the service desk"
URL = "/api/tickets/bulk/"


@pytest.fixture
def team(analyst_user):
    return base.team(0, name="Service Desk", members=[analyst_user])


@pytest.fixture
def tickets(db):
    return [factories.ticket(i) for i in range(3)]


def closed(index):
    ticket = factories.ticket(index)
    services.ticket_transition(ticket, user=None, status=Status.CANCELLED)
    return ticket


def statuses(tickets):
    return [Ticket.objects.get(pk=t.pk).status for t in tickets]


class TestServices:
    def test_assign_writes_one_history_row_per_ticket_with_the_reason(self, tickets, team, analyst_user):
        result = bulk.bulk_assign(tickets, user=analyst_user, change_reason=REASON, team=team)
        assert result.unchanged == []
        for ticket in tickets:
            rows = history_of(Ticket.objects.get(pk=ticket.pk))
            assert rows.last().history_change_reason == REASON
            assert rows.last().history_user == analyst_user
            assert (rows.last().team_id, rows.last().status) == (team.pk, Status.ASSIGNED)  # New became Assigned

    def test_workflow_rules_run_on_every_ticket_as_for_one(self, tickets, team, analyst_user):
        from tests.workflow.factories import rule

        rule("Desk work is P2", criteria=[("team", "is", team.pk)], actions=[("set_priority", 2)], trigger="on_update")
        bulk.bulk_assign(tickets[:2], user=analyst_user, change_reason=REASON, team=team)
        assert [Ticket.objects.get(pk=t.pk).priority for t in tickets] == [2, 2, 3]

    def test_assign_reports_tickets_that_already_had_the_team(self, tickets, team, analyst_user):
        services.ticket_assign(tickets[0], user=None, team=team)
        before = history_of(tickets[0]).count()
        result = bulk.bulk_assign(tickets, user=analyst_user, change_reason=REASON, team=team)
        assert result.unchanged == [tickets[0].number]
        assert history_of(tickets[0]).count() == before  # nothing changed, nothing written

    def test_status_change_uses_the_lifecycle_and_keeps_the_note(self, tickets, analyst_user):
        bulk.bulk_transition(tickets, user=analyst_user, change_reason=REASON, status=Status.RESOLVED, note="Rebooted")
        for ticket in Ticket.objects.filter(pk__in=[t.pk for t in tickets]):
            assert (ticket.status, ticket.resolution) == (Status.RESOLVED, "Rebooted")
            assert history_of(ticket).last().history_change_reason == REASON
        assert TicketNote.objects.filter(text="Rebooted", public=True).count() == 3

    def test_note_on_every_ticket_with_a_history_row_carrying_the_reason(self, tickets, analyst_user):
        before = [history_of(t).count() for t in tickets]
        bulk.bulk_note(tickets, user=analyst_user, change_reason=REASON, text="Vendor called back", public=False)
        for ticket, count in zip(tickets, before, strict=True):
            assert ticket.notes.get().text == "Vendor called back"
            rows = history_of(ticket)
            assert rows.count() == count + 1 and rows.last().history_change_reason == REASON

    def test_one_closed_ticket_refuses_the_whole_selection_and_nothing_changes(self, tickets, analyst_user):
        done = closed(9)
        selection = [*tickets, done]
        before = [history_of(t).count() for t in selection]
        with pytest.raises(bulk.BulkRefused) as refused:
            bulk.bulk_transition(selection, user=analyst_user, change_reason=REASON, status=Status.IN_PROGRESS)
        assert refused.value.conflict
        assert refused.value.message == "Nothing was changed: 1 of 4 tickets cannot take this change."
        assert refused.value.lines() == [
            f"{done.number}: cannot move from Cancelled to In progress. Allowed from Cancelled: none (the ticket is "
            "final)."
        ]
        assert statuses(tickets) == [Status.NEW] * 3
        assert [history_of(t).count() for t in selection] == before

    def test_a_reason_is_required(self, tickets, team, analyst_user):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            bulk.bulk_assign(tickets, user=analyst_user, change_reason="  ", team=team)

    def test_tickets_by_number_or_id_and_the_unknown_ones(self, tickets):
        found, missing = bulk.find_tickets([tickets[0].number.lower(), tickets[1].pk, "INC999999", 10**12, "junk"])
        assert found == tickets[:2]
        assert missing == ["junk", "INC999999", str(10**12)]


class TestAPI:
    def test_assign_to_a_team_by_numbers_and_ids(self, api, tickets, team, admin_user):
        body = {"tickets": [tickets[0].number, tickets[1].pk], "action": "assign", "team": team.pk}
        response = api.post(URL, {**body, "change_reason": REASON}, format="json")
        assert response.status_code == 200, response.content
        data = response.json()
        assert (data["action"], data["count"], data["unchanged"]) == ("assign", 2, [])
        assert [(t["number"], t["team"], t["status"]) for t in data["tickets"]] == [
            (tickets[0].number, team.pk, "assigned"),
            (tickets[1].number, team.pk, "assigned"),
        ]
        assert history_of(tickets[1]).last().history_change_reason == REASON
        assert Ticket.objects.get(pk=tickets[2].pk).team is None

    def test_null_takes_tickets_off_their_team_and_a_left_out_field_stays(self, api, tickets, team, analyst_user):
        for ticket in tickets[:2]:
            services.ticket_assign(ticket, user=None, team=team, assignee=analyst_user)
        body = {"tickets": [t.number for t in tickets[:2]], "action": "assign", "team": None}
        assert api.post(URL, {**body, "change_reason": REASON}, format="json").status_code == 200
        assert [(t.team, t.assignee) for t in Ticket.objects.filter(pk__in=[tickets[0].pk, tickets[1].pk])] == [
            (None, analyst_user),
            (None, analyst_user),
        ]

    def test_reason_from_the_header_as_elsewhere(self, api, tickets, analyst_user):
        body = {"tickets": [t.number for t in tickets], "action": "assign", "assignee": analyst_user.pk}
        assert api.post(URL, body, format="json").json()["change_reason"]  # required
        response = api.post(URL, body, format="json", HTTP_X_CHANGE_REASON="from the header")
        assert response.status_code == 200
        assert history_of(tickets[2]).last().history_change_reason == "from the header"

    def test_one_final_ticket_is_a_409_naming_it_and_nothing_changes(self, api, tickets):
        done = closed(9)
        body = {"tickets": [*(t.number for t in tickets), done.number], "action": "status", "status": "in_progress"}
        response = api.post(URL, {**body, "change_reason": REASON}, format="json")
        assert response.status_code == 409
        assert response.json() == {
            "detail": "Nothing was changed: 1 of 4 tickets cannot take this change.",
            "tickets": {
                done.number: [
                    "cannot move from Cancelled to In progress. Allowed from Cancelled: none (the ticket is final)."
                ]
            },
        }
        assert statuses(tickets) == [Status.NEW] * 3

    def test_a_rule_refusal_among_the_reasons_makes_it_a_400(self, api, tickets, team):
        services.ticket_assign(tickets[0], user=None, team=team)
        # The first ticket is already Assigned (a conflict); the others have no team or analyst to be Assigned to (a
        # rule of the request): not all refusals are the tickets' state, so the answer is a 400.
        body = {"tickets": [t.number for t in tickets], "action": "status", "status": "assigned"}
        response = api.post(URL, {**body, "change_reason": REASON}, format="json")
        assert response.status_code == 400
        refusals = response.json()["tickets"]
        assert refusals[tickets[0].number] == [
            "is already Assigned. Allowed from Assigned: In progress, Pending, Resolved, Cancelled."
        ]
        assert refusals[tickets[1].number] == [
            "Assign the ticket to an analyst or a team first; it then becomes Assigned."
        ]
        assert statuses(tickets) == [Status.ASSIGNED, Status.NEW, Status.NEW]

    @pytest.mark.parametrize(
        ("body", "field", "message"),
        [
            ({"action": "assign"}, "team", "Give a team and/or an assignee to assign the tickets to (null clears it)."),
            ({"action": "status"}, "status", "Give the status to move the tickets to."),
            ({"action": "note", "note": "  "}, "note", "Give the note to add."),
            ({"action": "note", "note": "x", "tickets": ["INC999999"]}, "tickets", "No such ticket: INC999999."),
            ({"action": "note", "note": "x", "tickets": ["nonsense"]}, "tickets", "'nonsense' is neither"),
            ({"action": "note", "note": "x", "tickets": []}, "tickets", "Give at least one ticket."),
            ({"action": "delete"}, "action", '"delete" is not a valid choice.'),
        ],
    )
    def test_bad_bodies_are_400_and_say_why(self, api, tickets, body, field, message):
        body = {"tickets": [tickets[0].number], "change_reason": REASON, **body}
        response = api.post(URL, body, format="json")
        assert response.status_code == 400
        assert message in str(response.json()[field])

    def test_at_most_200_tickets_per_request(self, api, tickets):
        body = {"tickets": list(range(1, 202)), "action": "note", "note": "x", "change_reason": REASON}
        response = api.post(URL, body, format="json")
        assert response.status_code == 400
        assert response.json()["tickets"] == [
            "At most 200 tickets per request (201 were given): send fewer and repeat."
        ]

    def test_a_role_without_change_permission_gets_403(self, tickets, team, cmdb_user, slm_user, make_user):
        body = {"tickets": [tickets[0].number], "action": "assign", "team": team.pk, "change_reason": REASON}
        assert api_client_for(cmdb_user).post(URL, body, format="json").status_code == 403
        assert api_client_for(None).post(URL, body, format="json").status_code == 401
        # Notes only: may add notes in bulk, not assign.
        noter = make_user("noter")
        grant(noter, Ticket, "view")
        grant(noter, TicketNote, "add")
        client = api_client_for(noter)
        assert client.post(URL, body, format="json").status_code == 403
        note = {**body, "action": "note", "note": "Called the vendor"}
        assert client.post(URL, note, format="json").status_code == 200
        assert Ticket.objects.get(pk=tickets[0].pk).team is None

    def test_queries_grow_by_a_fixed_cost_per_ticket(self, api, team):
        """Each ticket goes through the single-ticket service (lock, save, history row, rules), so the cost is
        linear: pinned per ticket, plus a fixed part for the request."""
        batches = [[factories.ticket(i) for i in range(n, n + size)] for n, size in ((0, 10), (100, 20))]

        def run(tickets):
            body = {"tickets": [t.number for t in tickets], "action": "assign", "team": team.pk}
            return count_queries(lambda: api.post(URL, {**body, "change_reason": REASON}, format="json"))

        ten, twenty = (run(batch) for batch in batches)
        per_ticket = (twenty - ten) // 10
        assert (twenty - ten) % 10 == 0
        assert per_ticket == PER_TICKET_ASSIGN, f"{per_ticket} queries per ticket"
        assert ten - 10 * per_ticket == FIXED_ASSIGN, f"{ten - 10 * per_ticket} queries besides the tickets"


# Pinned: what one more ticket costs in a bulk assign, the same as assigning it alone (savepoint, locked reload, the
# check of its VIP status at logging, update, history row, the workflow's check that its rules are current, release),
# and the request's own queries (token, team, the tickets in one query, the transaction's savepoint and release, the
# answer's rows in one query).
PER_TICKET_ASSIGN = 7
FIXED_ASSIGN = 6


class TestQueuePage:
    def test_rows_have_boxes_and_the_bar_offers_the_actions(self, client, analyst_user, tickets, team):
        client.force_login(analyst_user)
        html = client.get(reverse("tickets:queue"), {"scope": "all"}).content.decode()
        box = f'<input type="checkbox" class="bulk-pick" name="tickets" value="{tickets[0].number}" form="bulk-form"'
        assert box in html and f'aria-label="Select {tickets[0].number}"' in html
        assert 'id="bulk-form"' in html and "Select all on this page" in html
        assert '<option value="assign">Assign</option>' in html and "Service Desk</option>" in html

    def test_a_role_that_only_reads_sees_no_boxes(self, client, cmdb_user, tickets):
        client.force_login(cmdb_user)
        html = client.get(reverse("tickets:queue"), {"scope": "all"}).content.decode()
        assert "bulk-pick" not in html and 'id="bulk-form"' not in html

    def test_post_assigns_and_comes_back_to_the_same_queue(self, client, analyst_user, tickets, team):
        client.force_login(analyst_user)
        response = client.post(
            reverse("tickets:bulk"),
            {
                "tickets": [t.number for t in tickets[:2]],
                "action": "assign",
                "team": team.pk,
                "change_reason": REASON,
                "next": "priority=3&page=2",
            },
            follow=True,
        )
        assert response.redirect_chain == [("/tickets/?priority=3", 302)]
        assert "2 tickets assigned to Service Desk." in response.content.decode()
        assert [Ticket.objects.get(pk=t.pk).team for t in tickets] == [team, team, None]

    def test_htmx_refusal_re_renders_the_bar_with_reasons_and_typed_input(self, client, analyst_user, tickets):
        done = closed(9)
        client.force_login(analyst_user)
        response = client.post(
            reverse("tickets:bulk"),
            {
                "tickets": [tickets[0].number, done.number],
                "action": "status",
                "status": "in_progress",
                "change_reason": REASON,
            },
            HTTP_HX_REQUEST="true",
        )
        html = response.content.decode()
        assert response.status_code == 409
        assert "Nothing was changed: 1 of 2 tickets cannot take this change." in html
        assert f"<li>{done.number}: cannot move from Cancelled to In progress." in html
        assert f'value="{REASON}"' in html
        assert statuses(tickets[:1]) == [Status.NEW]

    def test_missing_reason_shows_next_to_the_field(self, client, analyst_user, tickets, team):
        client.force_login(analyst_user)
        response = client.post(
            reverse("tickets:bulk"),
            {"tickets": [tickets[0].number], "action": "assign", "team": team.pk},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 400
        assert 'id="bulk_change_reason_error">Give a change reason' in response.content.decode()

    def test_without_change_permission_403(self, client, cmdb_user, tickets, team):
        client.force_login(cmdb_user)
        body = {"tickets": [tickets[0].number], "action": "assign", "team": team.pk, "change_reason": REASON}
        assert client.post(reverse("tickets:bulk"), body).status_code == 403

    def test_more_than_200_is_refused_with_a_clear_message(self, client, make_user, tickets):
        client.force_login(make_user("busy", ANALYST))
        body = {"tickets": [f"INC{i:06d}" for i in range(201)], "action": "note", "note": "x", "change_reason": "y"}
        response = client.post(reverse("tickets:bulk"), body, HTTP_HX_REQUEST="true")
        assert response.status_code == 400
        assert "At most 200 tickets at once (201 were selected): act on fewer." in response.content.decode()
