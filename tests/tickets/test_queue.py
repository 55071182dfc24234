"""The queue puts risk first, stays live and fits the analyst: the due order (nulls last on every database), the At
risk tab and its count, the remembered tab, page size and columns, one filterset shared with the API (old URLs
still work), the conditional GET of the live rows, and the capped count."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from itsm.roles import SERVICE_LEVEL_MANAGER
from services.models import ServiceInstance
from tests import factories as base
from tests.tickets import factories
from tickets import selectors, services
from tickets.choices import Level, Status, TicketType
from tickets.models import QueuePreference, Ticket
from tickets.notes import ticket_note_add
from tickets.views import queue as queue_views

pytestmark = pytest.mark.django_db


def queue(client, **params):
    return client.get(reverse("tickets:queue"), params)


def numbers(response) -> list[str]:
    return [t.number for t in response.context["object_list"]]


def poll(client, etag="", **params):
    headers = {"HX-Request": "true", "HX-Target": "queue-rows"}
    if etag:
        headers["If-None-Match"] = etag
    return client.get(reverse("tickets:queue"), params, headers=headers)


@pytest.fixture
def clocked():
    """Tickets on a 24x7 level (P3: respond in 2 h, resolve in 24 h) at every point of the clock, and one without."""
    instance = factories.instance("Email", level=factories.service_level())
    now = timezone.now()
    breached = factories.ticket(0, service_instance=instance, opened_at=now - dt.timedelta(hours=3))
    soon = factories.ticket(1, service_instance=instance, opened_at=now - dt.timedelta(minutes=100))  # 20 min left
    on_time = factories.ticket(2, service_instance=instance, opened_at=now - dt.timedelta(minutes=10))
    no_target = factories.ticket(3)
    return {"breached": breached, "soon": soon, "on_time": on_time, "no_target": no_target}


class TestDueOrder:
    def test_soonest_due_first_and_tickets_without_a_target_last_in_both_directions(self, analyst_client, clocked):
        c = clocked
        assert c["no_target"].next_due_at is None
        ascending = numbers(queue(analyst_client, scope="all", sort="due"))
        assert ascending == [c["breached"].number, c["soon"].number, c["on_time"].number, c["no_target"].number]
        descending = numbers(queue(analyst_client, scope="all", sort="-due"))
        assert descending == [c["on_time"].number, c["soon"].number, c["breached"].number, c["no_target"].number]

    def test_the_due_order_follows_the_running_target_not_only_the_resolution(self, analyst_client, analyst_user):
        """An answered ticket races its resolution (24 h), an unanswered one its response (2 h): the unanswered one,
        logged later, is due first."""
        instance = factories.instance("Email", level=factories.service_level())
        now = timezone.now()
        answered = factories.ticket(0, service_instance=instance, opened_at=now - dt.timedelta(minutes=30))
        ticket_note_add(answered, user=analyst_user, text="Called back", public=True)
        unanswered = factories.ticket(1, service_instance=instance, opened_at=now - dt.timedelta(minutes=10))
        assert numbers(queue(analyst_client, scope="all", sort="due")) == [unanswered.number, answered.number]


class TestAtRisk:
    def test_tab_lists_breached_and_due_soon_open_tickets_most_urgent_first_with_its_count(
        self, analyst_client, clocked
    ):
        c = clocked
        closed_late = factories.ticket(9, service_instance=c["breached"].service_instance)
        Ticket.objects.filter(pk=closed_late.pk).update(response_breached=True)  # breached, but no longer open
        services.ticket_transition(closed_late, user=None, status=Status.CANCELLED)
        response = queue(analyst_client, scope="at_risk")
        assert numbers(response) == [c["breached"].number, c["soon"].number]
        assert response.context["sort"] == "due"
        html = response.content.decode()
        assert 'id="at-risk-count"' in html and '>2<span class="sr-only"> breached or due soon</span>' in html
        # Every tab shows the same count, and it follows the other filters, like the tab's rows do.
        other = queue(analyst_client, scope="all", type="request").content.decode()
        assert '>0<span class="sr-only"> breached or due soon</span>' in other

    def test_the_at_risk_badge_says_more_than_its_cap_without_counting_further(
        self, analyst_client, clocked, monkeypatch
    ):
        monkeypatch.setattr(queue_views, "AT_RISK_CAP", 1)  # two tickets are at risk
        html = queue(analyst_client, scope="all").content.decode()
        assert '>1+<span class="sr-only"> breached or due soon</span>' in html

    def test_breach_and_p1_stay_red_the_vip_badge_sits_by_the_callers_name(self, analyst_client):
        calm = base.vip_status("Executive", colour="#1F4E8C")
        caller = base.person(0, first_name="Victoria", last_name="Vance", vip_status=calm)
        factories.ticket(0, caller=caller, impact=Level.HIGH, urgency=Level.HIGH)
        html = queue(analyst_client, scope="all").content.decode()
        assert 'class="prio p1"' in html
        caller_cell = html.split('class="col-caller">')[1].split("</td>")[0]
        assert "Victoria Vance" in caller_cell and "vip-badge" in caller_cell and "#1F4E8C" in caller_cell


class TestRemembered:
    def test_analysts_start_on_mine_then_land_on_the_tab_they_used_last(self, client, analyst_user):
        client.force_login(analyst_user)
        mine = factories.ticket(0, assignee=analyst_user)
        other = factories.ticket(1)
        first = queue(client)
        assert first.context["f"]["scope"] == "mine" and numbers(first) == [mine.number]
        queue(client, scope="unassigned")
        again = queue(client)
        assert again.context["f"]["scope"] == "unassigned" and numbers(again) == [other.number]
        # Stored with the user, not only in this session: a new sign-in lands there too.
        client.logout()
        client.force_login(analyst_user)
        assert queue(client).context["f"]["scope"] == "unassigned"
        assert QueuePreference.objects.get(user=analyst_user).tab == "unassigned"

    def test_readers_start_on_all_and_links_with_filters_show_every_ticket(self, make_user, analyst_client):
        reader = Client()
        reader.force_login(make_user("reader", SERVICE_LEVEL_MANAGER))
        ticket = factories.ticket(0)
        assert queue(reader).context["f"]["scope"] == "all"
        # A report's figure or a bookmark with filters names its tickets: it does not open the analyst's "Mine".
        assert numbers(queue(analyst_client, type="incident")) == [ticket.number]
        assert queue(analyst_client, scope="").context["f"]["scope"] == "all"  # the old spelling of All

    def test_page_size_is_a_control_and_is_remembered(self, analyst_client):
        for i in range(30):
            factories.ticket(i)
        html = queue(analyst_client, scope="all").content.decode()
        assert '<select name="per_page">' in html and '<option value="25">25</option>' in html
        assert len(queue(analyst_client, scope="all", per_page=25).context["object_list"]) == 25
        remembered = queue(analyst_client, scope="all")
        assert len(remembered.context["object_list"]) == 25 and remembered.context["per_page"] == 25
        assert len(queue(analyst_client, scope="all", per_page=999).context["object_list"]) == 25  # refused: kept

    def test_column_picker_hides_and_shows_columns_per_user(self, analyst_client, analyst_user, slm_user):
        factories.ticket(0, team=base.team(0, name="Network"))
        html = queue(analyst_client, scope="all").content.decode()
        assert "<summary>Columns</summary>" in html
        assert '<label><input type="checkbox" name="columns" value="team" checked> Team</label>' in html
        assert 'class="col-team"' in html
        url = reverse("tickets:queue_columns")
        response = analyst_client.post(url, {"columns": ["status", "due"], "back": "scope=all&type=incident"})
        assert response.status_code == 302 and response["Location"] == "/tickets/?scope=all&type=incident"
        html = queue(analyst_client, scope="all").content.decode()
        assert 'class="col-team"' not in html and "Network</td>" not in html and 'class="col-due' in html
        assert '<label><input type="checkbox" name="columns" value="team"> Team</label>' in html
        assert QueuePreference.objects.get(user=analyst_user).hidden_columns == ["instance", "team", "assignee", "age"]
        # Someone else's queue is untouched; a forged column changes nothing and says so.
        other = Client()
        other.force_login(slm_user)
        assert 'class="col-team"' in queue(other, scope="all").content.decode()
        refused = analyst_client.post(url, {"columns": ["password"]}, follow=True)
        assert "Those columns are not offered" in refused.content.decode()
        assert QueuePreference.objects.get(user=analyst_user).hidden_columns == ["instance", "team", "assignee", "age"]
        # The way back is only ever the queue, whatever "back" says.
        assert analyst_client.post(url, {"back": "//evil.example/x"})["Location"].startswith("/tickets/?")


class TestOneFilterset:
    @pytest.fixture
    def tickets(self, analyst_user):
        exec_ = base.vip_status("Executive")
        level = factories.service_level()
        group = factories.customer_group("Finance")
        payroll = factories.instance("Payroll", group=group, level=level)
        team = base.team(0)
        rows = [
            factories.ticket(0, service_instance=payroll, team=team, assignee=analyst_user),
            factories.ticket(1, ticket_type=TicketType.REQUEST, caller=base.person(1, vip_status=exec_)),
            factories.ticket(2, impact=Level.HIGH, urgency=Level.HIGH, service_instance=payroll),
            factories.ticket(3, opened_at=timezone.now() - dt.timedelta(hours=3), service_instance=payroll),
        ]
        services.ticket_transition(rows[1], user=None, status=Status.CANCELLED)
        return {"group": group, "instance": payroll, "team": team, "level": level, "rows": rows}

    def test_old_queue_parameters_and_the_api_names_give_the_same_rows(self, analyst_client, tickets, analyst_user):
        t = tickets
        pairs = [
            ({"instance": t["instance"].pk}, {"service_instance": t["instance"].pk}),
            ({"group": t["group"].pk}, {"customer_group": t["group"].pk}),
            ({"sla": "breached"}, {"sla_state": "breached"}),
            ({"level": t["level"].pk}, {"service_level": t["level"].pk}),
            ({"vip": "1", "state": "all"}, {"vip": "true", "state": "all"}),
            ({"state": "cancelled"}, {"status": "cancelled"}),
            ({"state": "all", "type": "request"}, {"open": "false", "type": "request"}),
        ]
        for old, new in pairs:
            before, after = numbers(queue(analyst_client, **old)), numbers(queue(analyst_client, **new))
            assert before == after and before, (old, new)
        # The same filters through the API give the same tickets.
        for params in ({"service_instance": t["instance"].pk, "open": "true"}, {"team": t["team"].pk, "open": "true"}):
            api = {row["number"] for row in analyst_client.get("/api/tickets/", params).json()["results"]}
            assert set(numbers(queue(analyst_client, **params))) == api
        assert numbers(queue(analyst_client, assignee=analyst_user.pk)) == [t["rows"][0].number]

    def test_values_that_do_not_validate_are_dropped_not_refused(self, analyst_client, tickets):
        everything = numbers(queue(analyst_client, scope="all"))
        for params in ({"priority": "x"}, {"instance": "9" * 40}, {"state": "nope"}, {"vip": "maybe"}):
            response = queue(analyst_client, scope="all", **params)
            assert response.status_code == 200 and numbers(response) == everything, params
        narrowed = queue(analyst_client, priority="x", instance=tickets["instance"].pk)
        assert len(numbers(narrowed)) == 3  # the valid filter still applies

    def test_report_drilldowns_keep_their_meaning(self, analyst_client, tickets):
        today = timezone.localdate().isoformat()
        late = tickets["rows"][3]
        assert late.response_breached or late.next_due_at < timezone.now()
        Ticket.objects.filter(pk=late.pk).update(response_breached=True)
        rows = numbers(queue(analyst_client, opened_from=today, opened_to=today, breach="response", state="all"))
        assert rows == [late.number]
        assert numbers(queue(analyst_client, outcome="response_breached", state="all")) == [late.number]


class TestLiveQueue:
    def test_an_unchanged_queue_answers_304_after_one_query_of_its_own(self, analyst_client, analyst_user):
        factories.ticket(0)
        page = queue(analyst_client, scope="all")
        etag = page["ETag"]
        assert etag.startswith('"q') and 'data-version="&quot;q' in page.content.decode()
        with CaptureQueriesContext(connection) as ctx:
            response = poll(analyst_client, etag, scope="all")
        assert response.status_code == 304 and response["ETag"] == etag and response.content == b""
        # Session, user, the user's two permission reads (every signed-in page pays these), then the one of its own.
        own = [q["sql"] for q in ctx.captured_queries if "tickets_ticket" in q["sql"]]
        assert len(ctx.captured_queries) == 5 and len(own) == 1 and "MAX(updated_at) FROM tickets_ticket" in own[0]

    def test_showing_or_hiding_a_vip_status_changes_the_version(self, analyst_client):
        from vip.services import vip_status_update

        status = base.vip_status("Board", show_on_tickets=True)
        factories.ticket(0, caller=base.person(1, vip_status=status))
        etag = queue(analyst_client, scope="all", vip="1")["ETag"]
        assert poll(analyst_client, etag, scope="all", vip="1").status_code == 304
        vip_status_update(status, user=None, change_reason="test", show_on_tickets=False)
        response = poll(analyst_client, etag, scope="all", vip="1")
        assert response.status_code == 200 and "No tickets match these filters" in response.content.decode()

    def test_a_changed_queue_answers_with_the_rows_fragment(self, analyst_client):
        factories.ticket(0)
        etag = queue(analyst_client, scope="all")["ETag"]
        new = factories.ticket(1, impact=Level.HIGH, urgency=Level.HIGH)
        response = poll(analyst_client, etag, scope="all")
        html = response.content.decode()
        assert response.status_code == 200 and response["ETag"] != etag
        assert html.lstrip().startswith('<tbody id="queue-rows"') and "<html" not in html
        assert f'data-ticket="{new.pk}"' in html and 'id="queue-count" hx-swap-oob="true">2 tickets<' in html
        assert 'id="at-risk-count" hx-swap-oob="true"' in html
        assert poll(analyst_client, response["ETag"], scope="all").status_code == 304

    def test_the_rows_poll_the_page_they_show(self, analyst_client, settings):
        settings.ITSM_QUEUE_POLL_SECONDS = 15
        html = queue(analyst_client, scope="unassigned", type="incident").content.decode()
        assert 'hx-get="/tickets/?scope=unassigned&amp;type=incident"' in html
        assert 'hx-trigger="every 15s, queue:refresh"' in html


class TestCappedCount:
    def test_exact_below_the_cap_then_a_lower_bound_without_counting_the_table(self, analyst_client, monkeypatch):
        for i in range(7):
            factories.ticket(i)
        assert queue(analyst_client, scope="all").context["total"].label == "7"
        monkeypatch.setattr(selectors, "COUNT_CAP", 5)
        with CaptureQueriesContext(connection) as ctx:
            response = queue(analyst_client, scope="all", per_page=10)
        counts = [q["sql"] for q in ctx.captured_queries if "COUNT(*)" in q["sql"]]
        # Never a whole COUNT(*): the total counts up to the cap, the per-priority counts up to the page's end, the At
        # risk badge up to its own cap.
        assert counts and counts[0].endswith("LIMIT 6) subquery"), counts
        assert any(sql.endswith(f"LIMIT {queue_views.AT_RISK_CAP + 1}) subquery") for sql in counts), counts
        assert all(sql.count("COUNT(*)") == len(re.findall(r"LIMIT \d+\) (subquery|p\d)", sql)) for sql in counts)
        total = response.context["total"]
        assert not total.exact and len(response.context["object_list"]) == 7
        if connection.vendor == "postgresql":
            assert total.label.startswith("about ") or total.label == "5+"
        else:
            assert total.label == "5+"
            assert "5+ tickets" in response.content.decode() and "Page 1 · 5+ in all" not in response.content.decode()

    def test_past_the_cap_pages_go_on_while_they_are_full(self, analyst_client, monkeypatch):
        for i in range(23):
            factories.ticket(i)
        monkeypatch.setattr(selectors, "COUNT_CAP", 5)
        first = queue(analyst_client, scope="all", per_page=10)
        assert first.context["page_obj"].has_next() and 'rel="next"' in first.content.decode()
        third = queue(analyst_client, scope="all", per_page=10, page=3)
        assert len(third.context["object_list"]) == 3 and not third.context["page_obj"].has_next()
        assert queue(analyst_client, scope="all", per_page=10, page=9).status_code == 404

    def test_estimate_labels(self):
        assert selectors.Total(1_234_567, exact=False, estimated=True).label == "about 1.2 million"
        assert selectors.Total(2_000_000, exact=False, estimated=True).label == "about 2 million"
        assert selectors.Total(45_321, exact=False, estimated=True).label == "about 45,000"
        assert selectors.Total(10_001, exact=False).label == "10,000+"
        assert selectors.Total(1_234, exact=True).label == "1,234"

    def test_postgresql_estimates_from_the_planner_sqlite_never_guesses(self):
        for i in range(3):
            factories.ticket(i)
        if connection.vendor == "postgresql":
            assert isinstance(selectors.planner_estimate(Ticket.objects.filter(status="new")), int)
            assert selectors.planner_estimate(Ticket.objects.all()) in (None, *range(0, 100))  # reltuples
        else:
            total = selectors.capped_total(Ticket.objects.all(), cap=2)
            assert (total.exact, total.estimated, total.label) == (False, False, "2+")


class TestQueryBudget:
    def test_the_queue_page_costs_a_constant_number_of_queries(
        self, analyst_client, analyst_user, django_assert_num_queries
    ):
        team = base.team(0, members=[analyst_user])
        for i in range(12):
            factories.ticket(i, team=team if i % 2 else None)
        queue(analyst_client, scope="all")  # the first visit reads the preferences into the session
        # session, user, permissions (2), version, count, ids, rows, at-risk count; the saved-view tabs, the active
        # teams (read once for the bulk bar and for sharing a view), and the bulk bar's analysts. The instance and
        # group filters list nothing (a type-ahead offers them as the analyst types), whatever their number.
        instances = [factories.instance(f"Service {i}") for i in range(30)]
        with django_assert_num_queries(12):
            queue(analyst_client, scope="all")
        # "My teams" reads the analyst's teams; the count of the At risk tab then needs a base of its own (no query).
        queue(analyst_client, scope="my_teams")  # choosing a tab is remembered: one write, then none
        with django_assert_num_queries(13):
            queue(analyst_client, scope="my_teams")
        # A chosen instance and group are named in their boxes: one query each.
        instance = instances[7]
        factories.ticket(20, service_instance=instance)
        with django_assert_num_queries(14):
            html = queue(analyst_client, instance=instance.pk, group=instance.customer_group_id).content.decode()
        assert f'value="{instance.title}"' in html and f'name="instance" value="{instance.pk}"' in html


class TestInstanceAndGroupPicks:
    """The instance and group filters are a type-ahead: the page lists none of them, the box asks for a few."""

    def picks(self, client, name, q=""):
        return client.get(reverse("tickets:queue_pick", args=[name]), {"q": q})

    def test_suggestions_hold_every_word_typed_as_a_prefix_and_leave_retired_instances_out(self, analyst_client):
        finance = factories.customer_group("Finance")
        mail = factories.instance("Email", group=finance)
        drive = factories.instance("Shared Drive", group=finance)
        legal = factories.customer_group("Legal")
        retired = {"status": ServiceInstance.Status.RETIRED, "end_date": timezone.localdate()}
        old = factories.instance("Email archive", group=legal, **retired)
        html = self.picks(analyst_client, "instance", "fin ema").content.decode()
        assert f'<option value="{mail.title}" data-id="{mail.pk}"></option>' == html
        assert str(drive.pk) in self.picks(analyst_client, "instance", "").content.decode()
        assert f'data-id="{old.pk}"' not in self.picks(analyst_client, "instance", "email").content.decode()
        groups = self.picks(analyst_client, "group", "LEG").content.decode()
        assert "Legal" in groups and "Finance" not in groups

    def test_at_most_twenty_suggestions_in_one_query(self, analyst_client, django_assert_max_num_queries):
        group = factories.customer_group("Wide")
        for i in range(25):
            factories.instance(f"Service {i:02}", group=group)
        with django_assert_max_num_queries(5):  # session, user, permissions (2), the suggestions
            html = self.picks(analyst_client, "instance", "service").content.decode()
        assert html.count("<option") == 20 and html.index("Service 00") < html.index("Service 19")

    def test_odd_input_and_other_names_never_fail(self, analyst_client):
        assert self.picks(analyst_client, "instance", '"*) OR x:').status_code == 200
        assert self.picks(analyst_client, "instance", "é" * 5000).status_code == 200
        assert self.picks(analyst_client, "team", "x").status_code == 404

    def test_only_those_who_see_the_queue_get_suggestions(self, client, make_user):
        factories.instance("Email")
        client.force_login(make_user("nobody"))
        assert self.picks(client, "instance", "email").status_code == 403
