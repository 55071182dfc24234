import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories as base
from tests.base import count_queries, history_of
from tests.tickets import factories
from tickets import services
from tickets.choices import Level, Status, TicketType
from tickets.models import Ticket, TicketNote
from tickets.notes import ticket_note_add

EXEC_COLOUR = "#B42318"


@pytest.fixture
def exec_status(db):
    return base.vip_status("Executive", colour=EXEC_COLOUR)


def queue(client, **params):
    return client.get(reverse("tickets:queue"), params)


@pytest.mark.django_db
class TestQueue:
    def test_needs_login_and_permission(self, client, nobody):
        response = client.get(reverse("tickets:queue"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        client.force_login(nobody)
        assert client.get(reverse("tickets:queue")).status_code == 403

    def test_open_tickets_by_default_with_vip_badge_in_its_colour(self, analyst_client, exec_status):
        vip = factories.ticket(0, caller=base.person(0, vip_status=exec_status))
        plain = factories.ticket(1)
        done = factories.ticket(2)
        services.ticket_transition(done, user=None, status=Status.CANCELLED)
        html = queue(analyst_client, scope="all").content.decode()
        assert vip.number in html and plain.number in html and done.number not in html
        assert f"background:{EXEC_COLOUR};color:#ffffff" in html
        assert html.count('class="vip-badge"') == 1  # the default status is not shown on tickets
        assert done.number in queue(analyst_client, state="all").content.decode()

    def test_default_sort_priority_then_vip_then_oldest(self, analyst_client, exec_status):
        now = timezone.now()
        old_plain = factories.ticket(0, opened_at=now - dt.timedelta(hours=3))
        new_vip = factories.ticket(1, caller=base.person(1, vip_status=exec_status), opened_at=now)
        urgent = factories.ticket(2, impact=Level.HIGH, urgency=Level.HIGH, opened_at=now)
        rows = list(queue(analyst_client, scope="all").context["object_list"])
        assert rows == [urgent, new_vip, old_plain]

    def test_filters_are_in_the_url(self, analyst_client, analyst_user, exec_status):
        team = base.team(0, members=[analyst_user])
        group = factories.customer_group("Finance")
        instance = factories.instance("Payroll", group=group)
        mine = factories.ticket(0, assignee=analyst_user)
        teams = factories.ticket(1, team=team)
        unassigned = factories.ticket(2, ticket_type=TicketType.REQUEST, service_instance=instance)
        vip = factories.ticket(3, caller=base.person(3, vip_status=exec_status), impact=Level.HIGH)

        def numbers(**params):
            return {t.number for t in queue(analyst_client, **params).context["object_list"]}

        assert numbers(scope="mine") == {mine.number}
        assert numbers(scope="my_teams") == {teams.number}
        assert numbers(scope="unassigned") == {teams.number, unassigned.number, vip.number}
        assert numbers(type="request") == {unassigned.number}
        assert numbers(priority=2) == {vip.number}
        assert numbers(vip=1) == {vip.number}
        assert numbers(instance=instance.pk) == {unassigned.number}
        assert numbers(group=group.pk) == {unassigned.number}
        assert numbers(q="pat1001") == {teams.number}
        assert numbers(q="printer 3") == {vip.number}
        html = queue(analyst_client, scope="mine", type="request").content.decode()
        assert 'href="?scope=my_teams&amp;type=request"' in html  # scope tabs keep the other filters

    def test_pages_of_fifty_keep_the_filters_in_the_links(self, analyst_client):
        caller = base.person(0)
        for i in range(51):
            factories.ticket(i, caller=caller, opened_at=timezone.now() - dt.timedelta(minutes=i))
        factories.ticket(99, ticket_type=TicketType.REQUEST)
        response = queue(analyst_client, type="incident", sort="age")
        assert len(response.context["object_list"]) == 50 and response.context["paginator"].count == 51
        html = response.content.decode()
        assert 'href="?type=incident&amp;sort=age&page=2" rel="next"' in html
        assert "Page 1 of 2 · 51 in all" in html
        second = queue(analyst_client, type="incident", sort="age", page=2)
        assert [t.number for t in second.context["object_list"]] == ["INC000001"]  # oldest first: the newest comes last

    def test_exact_number_opens_the_ticket(self, analyst_client):
        ticket = factories.ticket(0)
        response = queue(analyst_client, q="inc1")
        assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()

    def test_bad_filter_values_fall_back(self, analyst_client):
        factories.ticket(0)
        for params in ({"priority": "x"}, {"instance": "9" * 40}, {"state": "nope"}, {"sort": "password"}):
            assert queue(analyst_client, **params).status_code == 200

    def test_empty_state_says_what_to_do(self, analyst_client):
        html = queue(analyst_client, q="nothing-matches").content.decode()
        assert "No tickets match these filters" in html

    @pytest.mark.parametrize("sort", ["priority", "vip", "due", "-age", "team"])
    def test_query_count_constant_10_vs_100_rows(self, client, admin_user, sort):
        client.force_login(admin_user)
        exec_ = base.vip_status("Executive")
        level = factories.service_level()
        instance = factories.instance(level=level)
        team = base.team(0)

        def make(i):
            caller = base.person(i, vip_status=exec_ if i % 3 == 0 else None)
            factories.ticket(i, caller=caller, service_instance=instance, team=team, assignee=admin_user)

        for i in range(10):
            make(i)
        queue(client, sort=sort, state="all")  # the first visit reads the analyst's queue preferences into the session
        few = count_queries(lambda: queue(client, sort=sort, state="all"))
        for i in range(10, 100):
            make(i)
        many = count_queries(lambda: queue(client, sort=sort, state="all"))
        assert few == many


@pytest.mark.django_db
class TestLogCall:
    def test_page_offers_the_form_with_live_priority_data(self, analyst_client):
        response = analyst_client.get(reverse("tickets:create"))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="priority-matrix"' in html and "tickets/log_call.js" in html
        assert '"high/high": 1' in html

    def test_logging_a_call(self, analyst_client, analyst_user):
        caller = base.person(0)
        response = analyst_client.post(
            reverse("tickets:create"),
            {
                "caller": caller.pk,
                "caller_query": caller.full_name,
                "ticket_type": "incident",
                "source": "phone",
                "title": "Screen is black",
                "impact": "high",
                "urgency": "medium",
                "assign_to_me": "on",
            },
        )
        ticket = Ticket.objects.get()
        assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()
        assert (ticket.priority, ticket.assignee, ticket.status) == (2, analyst_user, Status.ASSIGNED)
        row = history_of(ticket).first()
        assert (row.history_user, row.history_change_reason) == (analyst_user, "Call logged on the desk (phone)")

    def test_missing_title_shows_the_error_keeps_input_saves_nothing(self, analyst_client, exec_status):
        caller = base.person(0, vip_status=exec_status)
        response = analyst_client.post(
            reverse("tickets:create"),
            {
                "caller": caller.pk,
                "caller_query": "x",
                "ticket_type": "incident",
                "source": "phone",
                "description": "typed text",
                "impact": "low",
                "urgency": "low",
            },
        )
        assert response.status_code == 200
        assert "title" in response.context["form"].errors
        html = response.content.decode()
        assert "typed text" in html
        assert f"background:{EXEC_COLOUR}" in html  # the chosen caller's badge stays
        assert Ticket.objects.count() == 0

    def test_no_caller_is_an_error_next_to_the_caller(self, analyst_client):
        base.person(0, first_name="Ann")
        base.person(1, first_name="Anna")
        response = analyst_client.post(
            reverse("tickets:create"),
            {
                "caller_query": "ann",
                "ticket_type": "incident",
                "source": "phone",
                "title": "t",
                "impact": "low",
                "urgency": "low",
            },
        )
        assert "caller" in response.context["form"].errors
        assert 'id="caller-error"' in response.content.decode()
        assert Ticket.objects.count() == 0

    def test_one_unambiguous_match_is_enough_without_javascript(self, analyst_client):
        caller = base.person(0, email="zed@example.org")
        analyst_client.post(
            reverse("tickets:create"),
            {
                "caller_query": "zed@example.org",
                "ticket_type": "incident",
                "source": "phone",
                "title": "t",
                "impact": "low",
                "urgency": "low",
            },
        )
        assert Ticket.objects.get().caller == caller

    def test_ci_not_serving_the_instance_is_a_field_error(self, analyst_client):
        caller = base.person(0)
        a, b = factories.instance("Shared Drive"), factories.instance("Email")
        ci = factories.configuration_item("fs01", instances=[a])
        response = analyst_client.post(
            reverse("tickets:create"),
            {
                "caller": caller.pk,
                "ticket_type": "incident",
                "source": "phone",
                "title": "t",
                "impact": "low",
                "urgency": "low",
                "service_instance": b.pk,
                "configuration_item": ci.pk,
            },
        )
        assert "configuration_item" in response.context["form"].errors
        assert Ticket.objects.count() == 0

    def test_caller_search_json_with_badge(self, analyst_client, exec_status):
        base.person(0, first_name="Victoria", vip_status=exec_status)
        base.person(1, first_name="Victor")
        data = analyst_client.get(reverse("tickets:caller_search"), {"q": "vict"}).json()["results"]
        assert [r["name"] for r in data] == ["Victoria Doe0", "Victor Doe1"]
        assert EXEC_COLOUR in data[0]["badge_html"] and data[1]["badge_html"] == ""

    def test_caller_card_lists_instances_through_groups(self, analyst_client, exec_status):
        caller = base.person(0, vip_status=exec_status)
        parent = factories.customer_group("University")
        child = factories.customer_group("Finance")
        from services.services import customer_group_update

        customer_group_update(parent, user=None, change_reason="nest", nested_groups=[child])
        factories.member(caller, child)
        drive = factories.instance("Shared Drive", group=parent)
        factories.instance("Email", group=factories.customer_group("Other"))
        card = analyst_client.get(reverse("tickets:caller_card", args=[caller.pk])).json()
        assert [i["id"] for i in card["instances"]] == [drive.pk]
        assert card["vip"]["shown"] is True and EXEC_COLOUR in card["html"]

    def test_json_lookups_need_login(self, client):
        assert client.get(reverse("tickets:caller_search"), {"q": "a"}).status_code == 302


@pytest.mark.django_db
class TestTicketPage:
    def test_vip_banner_fields_notes_and_history(self, analyst_client, analyst_user, exec_status):
        ticket = factories.ticket(0, caller=base.person(0, vip_status=exec_status, job_title="CEO"))
        ticket_note_add(ticket, user=analyst_user, text="Spoke to the PA", public=True)
        html = analyst_client.get(ticket.get_absolute_url()).content.decode()
        assert 'class="vip-banner"' in html and f"background:{EXEC_COLOUR};color:#ffffff" in html
        assert "Spoke to the PA" in html and "test data" in html and "first response: note" in html

    def test_history_shows_times_in_the_pages_format(self, analyst_client, analyst_user):
        ticket = factories.ticket(0)
        note = ticket_note_add(ticket, user=analyst_user, text="Called back", public=True)
        html = analyst_client.get(ticket.get_absolute_url()).content.decode()
        when = timezone.localtime(note.created_at).strftime("%Y-%m-%d %H:%M")
        assert f"<strong>first response</strong>: — → {when}</div>" in html

    def test_no_banner_for_a_status_not_shown_on_tickets(self, analyst_client):
        ticket = factories.ticket(0)
        assert 'class="vip-banner"' not in analyst_client.get(ticket.get_absolute_url()).content.decode()

    def test_unknown_number_404_and_loose_number_redirects(self, analyst_client):
        ticket = factories.ticket(0)
        assert analyst_client.get("/tickets/INC999999/").status_code == 404
        response = analyst_client.get("/tickets/inc1/")
        assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()

    def test_query_count_constant_10_vs_100_notes_and_changes(self, analyst_client):
        ticket = factories.ticket(0, team=base.team(0))

        def add(n):
            for i in range(n):
                ticket_note_add(ticket, user=None, text=f"note {i}")
                services.ticket_update(ticket, user=None, change_reason=f"r{i}", title=f"title {i}")

        add(10)
        few = count_queries(lambda: analyst_client.get(ticket.get_absolute_url()))
        add(90)
        assert count_queries(lambda: analyst_client.get(ticket.get_absolute_url())) == few

    def test_assign_to_me_and_to_a_team(self, analyst_client, analyst_user):
        ticket = factories.ticket(0)
        analyst_client.post(reverse("tickets:assign", args=[ticket.number]), {"me": "1"})
        ticket.refresh_from_db()
        assert (ticket.assignee, ticket.status) == (analyst_user, Status.ASSIGNED)
        assert history_of(ticket).last().history_change_reason == "assignee — -> analyst; status New -> Assigned"
        team = base.team(1)
        analyst_client.post(reverse("tickets:assign", args=[ticket.number]), {"team": team.pk})
        ticket.refresh_from_db()
        assert ticket.team == team

    def test_change_status_and_resolution_note_required(self, analyst_client):
        ticket = factories.ticket(0, team=base.team(0))
        url = reverse("tickets:transition", args=[ticket.number])
        analyst_client.post(url, {"status": "in_progress"})
        ticket.refresh_from_db()
        assert ticket.status == Status.IN_PROGRESS
        response = analyst_client.post(url, {"status": "resolved", "note": ""})
        assert response.status_code == 400
        assert "Give a resolution note" in response.content.decode()
        ticket.refresh_from_db()
        assert ticket.status == Status.IN_PROGRESS
        analyst_client.post(url, {"status": "resolved", "note": "Swapped the cable"})
        ticket.refresh_from_db()
        assert (ticket.status, ticket.resolution) == (Status.RESOLVED, "Swapped the cable")

    def test_refused_status_is_shown(self, analyst_client):
        ticket = factories.ticket(0)
        response = analyst_client.post(reverse("tickets:transition", args=[ticket.number]), {"status": "closed"})
        assert response.status_code == 400
        assert "closed" in response.context["transition_form"].errors["status"][0].lower()

    def test_add_note(self, analyst_client, analyst_user):
        ticket = factories.ticket(0)
        analyst_client.post(
            reverse("tickets:note", args=[ticket.number]), {"text": "Rang back", "time_spent_minutes": 10}
        )
        note = TicketNote.objects.get()
        assert (note.author, note.public, note.time_spent_minutes) == (analyst_user, False, 10)
        response = analyst_client.post(reverse("tickets:note", args=[ticket.number]), {"text": ""})
        assert response.status_code == 400 and TicketNote.objects.count() == 1

    def test_edit_with_automatic_and_given_reasons(self, analyst_client):
        ticket = factories.ticket(0)
        data = {"title": "Printer jams badly", "source": "phone", "impact": "high", "urgency": "high"}
        response = analyst_client.post(reverse("tickets:edit", args=[ticket.number]), data)
        assert response.status_code == 302
        ticket.refresh_from_db()
        assert ticket.priority == 1
        reason = history_of(ticket).last().history_change_reason
        assert reason == (
            "title Printer 0 jams -> Printer jams badly; impact Medium -> High; urgency Medium -> High; "
            "priority P3 -> P1"
        )
        analyst_client.post(
            reverse("tickets:edit", args=[ticket.number]), {**data, "urgency": "low", "change_reason": "caller calmer"}
        )
        assert history_of(ticket).last().history_change_reason == "caller calmer"

    def test_edit_page_starts_from_the_ticket_values(self, analyst_client, analyst_user):
        team = base.team(0)
        instance = factories.instance("Email")
        ticket = factories.ticket(
            0, description="Paper jam", impact=Level.LOW, urgency=Level.HIGH, team=team, service_instance=instance
        )
        form = analyst_client.get(reverse("tickets:edit", args=[ticket.number])).context["form"]
        assert {name: form[name].value() for name in ("title", "description", "impact", "urgency", "source")} == {
            "title": "Printer 0 jams",
            "description": "Paper jam",
            "impact": "low",
            "urgency": "high",
            "source": "phone",
        }
        assert (form["team"].value(), form["service_instance"].value()) == (team.pk, instance.pk)

    def test_edit_moves_the_ticket_to_another_instance_and_one_of_its_cis(self, analyst_client):
        drive, mail = factories.instance("Shared Drive"), factories.instance("Email")
        fs01 = factories.configuration_item("fs01", instances=[drive])
        mx01 = factories.configuration_item("mx01", instances=[mail])
        ticket = factories.ticket(0, service_instance=drive, configuration_item=fs01)
        url = reverse("tickets:edit", args=[ticket.number])
        data = {"title": ticket.title, "source": "phone", "impact": "medium", "urgency": "medium"}
        response = analyst_client.post(url, {**data, "service_instance": mail.pk, "configuration_item": mx01.pk})
        assert response.status_code == 302, response.context["form"].errors
        ticket.refresh_from_db()
        assert (ticket.service_instance, ticket.configuration_item) == (mail, mx01)
        # A CI that does not serve the chosen instance is refused next to the field, nothing saved.
        response = analyst_client.post(url, {**data, "service_instance": mail.pk, "configuration_item": fs01.pk})
        assert response.status_code == 200 and "configuration_item" in response.context["form"].errors
        ticket.refresh_from_db()
        assert ticket.configuration_item == mx01

    def test_edit_errors_keep_input(self, analyst_client):
        ticket = factories.ticket(0)
        response = analyst_client.post(
            reverse("tickets:edit", args=[ticket.number]),
            {"title": "", "description": "kept words", "source": "phone", "impact": "low", "urgency": "low"},
        )
        assert response.status_code == 200 and "kept words" in response.content.decode()
        assert "title" in response.context["form"].errors

    def test_view_only_role_cannot_act(self, client, make_user):
        from itsm.roles import SERVICE_LEVEL_MANAGER

        client.force_login(make_user("slm-only", SERVICE_LEVEL_MANAGER))
        ticket = factories.ticket(0)
        assert client.get(ticket.get_absolute_url()).status_code == 200
        assert client.post(reverse("tickets:assign", args=[ticket.number]), {"me": "1"}).status_code == 403
        assert client.get(reverse("tickets:edit", args=[ticket.number])).status_code == 403
        assert client.get(reverse("tickets:create")).status_code == 403


@pytest.mark.django_db
class TestPanels:
    def test_person_page_lists_their_tickets(self, analyst_client):
        caller = base.person(0)
        ticket = factories.ticket(0, caller=caller)
        html = analyst_client.get(caller.get_absolute_url()).content.decode()
        assert ticket.number in html and "Log a call" in html

    def test_service_instance_page_lists_its_tickets(self, client, slm_user):
        client.force_login(slm_user)
        instance = factories.instance("Email")
        ticket = factories.ticket(0, service_instance=instance, caller=base.person(0, first_name="Vera"))
        other = factories.ticket(1)
        html = client.get(instance.get_absolute_url()).content.decode()
        assert 'id="tickets"' in html and ticket.number in html and other.number not in html
        assert f"instance={instance.pk}" in html  # "All in the queue" keeps the instance filter

    def test_service_instance_page_query_count_constant_10_vs_100_tickets(self, client, slm_user):
        client.force_login(slm_user)
        instance = factories.instance("Email", level=factories.service_level())
        exec_ = base.vip_status("Executive")
        for i in range(10):
            factories.ticket(i, service_instance=instance, caller=base.person(i, vip_status=exec_ if i % 2 else None))
        few = count_queries(lambda: client.get(instance.get_absolute_url()))
        for i in range(10, 100):
            factories.ticket(i, service_instance=instance, caller=base.person(i, vip_status=exec_ if i % 2 else None))
        assert count_queries(lambda: client.get(instance.get_absolute_url())) == few


@pytest.mark.django_db
class TestDueColumn:
    def test_breached_response_with_resolution_ahead_says_what_is_due(self, analyst_client, analyst_user):
        instance = factories.instance("Email", level=factories.service_level())  # P3: respond 2 h, resolve 24 h
        opened = timezone.now() - dt.timedelta(hours=3)
        late = factories.ticket(0, service_instance=instance, opened_at=opened)
        unanswered = factories.ticket(1, service_instance=instance, opened_at=opened)
        fresh = factories.ticket(2, service_instance=instance)
        ticket_note_add(late, user=analyst_user, text="Called back", public=True)  # answered 1 h late
        html = queue(analyst_client, scope="all").content.decode()
        assert (late.due_state, unanswered.due_state, fresh.due_state) == ("breached", "breached", "on_time")
        assert 'title="Response: Breached; resolution: On time">Breached</span>' in html
        assert ">resolve in 20 h<" in html  # not "Breached in 20 h": the late response was the breach
        assert ">1 h late<" in html  # the unanswered one is still racing its (missed) response
        assert ">in 1 h<" in html  # the fresh one: on time, racing its response

    def test_late_target_reads_late(self, analyst_client, analyst_user):
        instance = factories.instance("Email", level=factories.service_level())
        ticket = factories.ticket(0, service_instance=instance, opened_at=timezone.now() - dt.timedelta(hours=30))
        ticket_note_add(ticket, user=analyst_user, text="On it", public=True)  # responded, but late
        html = queue(analyst_client, scope="all").content.decode()
        assert ">6 h late<" in html and "Response: Breached; resolution: Breached" in html
