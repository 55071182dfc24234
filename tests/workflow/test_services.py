"""Rules through the services and the ticket services: live runs, firings, validation, protection, ordering, simulate,
replay and escalations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from itsm.services import ConflictError
from outbox.models import Message
from outbox.services import send_due
from people.services import team_delete
from services.services import service_instance_delete
from tests import factories
from tests.base import count_queries, history_of
from tests.tickets import factories as ticket_factories
from tests.workflow.factories import rule
from tickets import services as ticket_services
from tickets.models import TicketNote
from vip.services import vip_status_delete
from workflow import dry_runs, runs, selectors, services, snapshots
from workflow.models import Criterion, Rule, RuleFiring
from workflow.services import RuleValidationError

pytestmark = pytest.mark.django_db


# -- live runs --------------------------------------------------------------------------------------------------------
def test_executive_rule_sets_priority_on_logging(exec_person, executive, log_ticket):
    made = rule("Executives at least P2", criteria=[("vip_status", "is", executive.pk)], actions=[("set_priority", 2)])
    ticket = log_ticket(exec_person, impact="low", urgency="low")
    assert ticket.priority == 2
    firing = RuleFiring.objects.get(ticket=ticket)
    assert firing.rule == made
    assert firing.because == "caller VIP status = Executive"
    assert firing.rule_version == made.history.latest().history_id
    assert firing.event == "create"
    assert ticket.history.latest().history_change_reason.startswith("Workflow: Rule 1")


def test_rules_do_not_fire_for_other_callers(standard_person, executive, log_ticket):
    rule("Executives", criteria=[("vip_status", "is", executive.pk)], actions=[("set_priority", 1)])
    ticket = log_ticket(standard_person)
    assert ticket.priority == 3
    assert not RuleFiring.objects.filter(ticket=ticket).exists()


def test_inactive_rules_do_not_run(exec_person, log_ticket):
    rule("Draft", actions=[("set_priority", 1)], active=False)
    assert log_ticket(exec_person).priority == 3


def test_assign_team_note_and_notification_through_the_outbox(exec_person, executive):
    desk = factories.team(1, name="VIP Desk", email="vip-desk@example.org")
    rule(
        "Executives go to the VIP Desk",
        criteria=[("caller_is_vip", "true")],
        actions=[
            ("assign_team", desk.pk),
            ("add_note", None, "VIP caller {caller} ({vip_status}) on {number}"),
            ("notify_team", desk.pk),
        ],
    )
    ticket = ticket_factories.ticket(caller=exec_person)
    assert ticket.team == desk
    assert ticket.status == "assigned"
    note = TicketNote.objects.get(ticket=ticket)
    assert note.text == f"[Rule 1 'Executives go to the VIP Desk'] VIP caller Pat1 Doe1 (Executive) on {ticket.number}"
    assert not note.public
    assert mail.outbox == [], "the mail waits in the outbox, written with the ticket"
    queued = Message.objects.get()
    assert queued.recipients == ["vip-desk@example.org"] and queued.source == "workflow"
    assert send_due() == (1, 0)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["vip-desk@example.org"]
    assert ticket.number in mail.outbox[0].subject


def test_rolled_back_ticket_sends_nothing(exec_person):
    rule("Mail", actions=[("notify_email", "desk@example.org")])
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        ticket_factories.ticket(caller=exec_person)
        raise RuntimeError("rolled back")
    assert not Message.objects.exists()
    send_due()
    assert mail.outbox == []
    assert not RuleFiring.objects.exists()


def test_update_rules_run_on_ticket_changes_not_on_create(exec_person, log_ticket):
    rule("On change", actions=[("set_urgency", "high")], trigger="on_update")
    ticket = log_ticket(exec_person, impact="medium", urgency="low")
    assert ticket.urgency == "low"
    ticket_services.ticket_update(ticket, user=None, change_reason="retitled", title="New title")
    ticket.refresh_from_db()
    assert ticket.urgency == "high"
    assert ticket.priority == 2  # the matrix follows: medium x high
    assert RuleFiring.objects.get(ticket=ticket).event == "update"


def test_actions_do_not_retrigger_rules(exec_person, log_ticket):
    rule("Raise", actions=[("raise_priority", 1)], trigger="both")
    ticket = log_ticket(exec_person)  # P3 -> P2 once, not again through the nested update
    assert ticket.priority == 2
    assert RuleFiring.objects.filter(ticket=ticket).count() == 1


def test_status_change_uses_the_ticket_lifecycle(exec_person, log_ticket):
    desk = factories.team(1)
    rule("Start work", actions=[("assign_team", desk.pk), ("set_status", "in_progress")])
    ticket = log_ticket(exec_person)
    assert ticket.status == "in_progress"
    assert ticket.first_response_at is None, "what a rule does is not a person's response to the caller"


def test_refused_step_is_recorded_and_the_write_still_happens(exec_person, log_ticket):
    rule("Assign without anyone", actions=[("set_status", "assigned")])
    ticket = log_ticket(exec_person)
    assert ticket.status == "new"  # "Assigned" needs a team or an analyst: the ticket service refused
    step = RuleFiring.objects.get(ticket=ticket).actions[0]
    assert step["outcome"] == "skipped"
    assert "Assign the ticket" in step["note"]


def test_customer_group_timeframe_and_service_criteria(exec_person, log_ticket):
    group = ticket_factories.customer_group("Finance")
    ticket_factories.member(exec_person, group)
    instance = ticket_factories.instance("Payroll", group=group)
    from tests.services.factories import timeframe

    timeframe(instance, name="Year end", heightened_support=True)
    rule(
        "Heightened support raises by 1",
        criteria=[
            ("customer_group", "includes", group.pk),
            ("technical_service", "is", instance.technical_service_id),
            ("timeframe", "heightened_active"),
        ],
        actions=[("raise_priority", 1)],
    )
    ticket = log_ticket(exec_person, service_instance=instance)
    assert ticket.priority == 2
    seen = {c["field"]: c["seen_display"] for c in RuleFiring.objects.get(ticket=ticket).criteria}
    assert seen == {"customer_group": "Finance", "technical_service": "Payroll", "timeframe": "Year end"}


# -- why ---------------------------------------------------------------------------------------------------------------
def test_why_names_the_rule_until_an_analyst_changes_the_value(exec_person, executive, log_ticket):
    rule(
        "Executives at least P2",
        criteria=[("vip_status", "is", executive.pk)],
        actions=[("set_priority", 2)],
        trigger="on_create",
    )
    ticket = log_ticket(exec_person)
    why = selectors.ticket_why(ticket)
    assert why["priority"].sentence == "Rule 1 'Executives at least P2': caller VIP status = Executive"
    assert "team" not in why
    ticket_services.ticket_update(ticket, user=None, change_reason="analyst knows better", priority=4)
    ticket.refresh_from_db()
    assert "priority" not in selectors.ticket_why(ticket, selectors.ticket_firings(ticket))


# -- rule writes ------------------------------------------------------------------------------------------------------
def test_rule_create_appends_with_summary_and_one_history_row(executive):
    first = rule("First", actions=[("set_priority", 1)])
    second = rule(
        "Second", criteria=[("vip_status", "in", [executive.pk]), ("priority", "lte", 2)], actions=[("set_priority", 1)]
    )
    assert (first.position, second.position) == (1, 2)
    assert history_of(second).count() == 1
    assert "caller VIP status is one of Executive and priority <= P2" in second.summary
    assert list(Criterion.objects.get(rule=second, field="vip_status").vip_statuses.all()) == [executive]


@pytest.mark.parametrize(
    ("criteria", "actions", "key", "message"),
    [
        ([("status", "is", "sleeping")], [("set_priority", 1)], "criteria", "Unknown status 'sleeping'"),
        ([], [("set_priority", 7)], "actions", "Priority 7 does not exist"),
        ([], [("assign_team", 999999)], "actions", "Team 999999 does not exist."),
        ([("vip_status", "is", 999999)], [], "criteria", "VIP status 999999 does not exist."),
        ([("minutes_since_opened", "gte", 5)], [], "criteria", "Only scheduled rules"),
    ],
)
def test_rule_values_that_do_not_fit_are_field_errors(criteria, actions, key, message):
    with pytest.raises(RuleValidationError) as caught:
        rule("Bad", criteria=criteria, actions=actions)
    assert message in " ".join(caught.value.message_dict[key])
    assert not Rule.objects.exists()


def test_rule_update_replaces_criteria_and_keeps_ids(executive):
    made = rule("R", criteria=[("priority", "eq", 1), ("impact", "is", "high")], actions=[("set_priority", 1)])
    keep = made.criteria.get(field="priority")
    services.rule_update(
        made,
        user=None,
        change_reason="narrower",
        criteria=[{"id": keep.pk, "field": "priority", "operator": "lte", "value": 2}],
    )
    assert list(made.criteria.values_list("pk", "operator")) == [(keep.pk, "lte")]
    assert history_of(made).last().history_change_reason == "narrower"
    assert "priority <= P2" in Rule.objects.get(pk=made.pk).summary


def test_rule_move_keeps_positions_contiguous_with_history():
    a, _b, c = (rule(n, actions=[("set_priority", 1)]) for n in "abc")
    services.rule_move(c, position=1, user=None, change_reason="most important")
    assert list(Rule.objects.ordered().values_list("name", "position")) == [("c", 1), ("a", 2), ("b", 3)]
    assert history_of(c).last().history_change_reason == "moved from 3 to 1: most important"
    assert "shifted from 1 to 2" in history_of(a).last().history_change_reason
    services.rule_move_by(Rule.objects.get(name="a"), direction="down", user=None)
    assert list(Rule.objects.ordered().values_list("name", flat=True)) == ["c", "b", "a"]
    with pytest.raises(ValidationError):
        services.rule_move(a, position=4, user=None)


def test_rule_delete_renumbers_and_keeps_firings(exec_person, log_ticket):
    first = rule("First", actions=[("set_priority", 2)])
    rule("Second", actions=[("set_urgency", "high")])
    ticket = log_ticket(exec_person)
    services.rule_delete(first, user=None, change_reason="obsolete")
    assert list(Rule.objects.values_list("name", "position")) == [("Second", 1)]
    firing = RuleFiring.objects.get(ticket=ticket, rule_name="First")
    assert firing.rule is None and firing.rule_label == "Rule 1 'First'"


# -- protection -------------------------------------------------------------------------------------------------------
def test_vip_status_used_by_a_rule_cannot_be_deleted(executive, critical, exec_person):
    rule("Execs", criteria=[("vip_status", "is", executive.pk)], actions=[("set_priority", 1)])
    rule("Criticals", criteria=[("vip_status", "in", [critical.pk])], actions=[("set_priority", 1)])
    with pytest.raises(ConflictError) as caught:
        vip_status_delete(executive, user=None, change_reason="merge")
    assert "Rule 1 'Execs'" in caught.value.message
    exec_person.refresh_from_db()
    assert exec_person.vip_status == executive  # nothing moved: the whole delete rolled back
    with pytest.raises(ConflictError) as caught:
        vip_status_delete(critical, user=None, change_reason="merge")
    assert "Rule 2 'Criticals'" in caught.value.message


def test_team_and_instance_used_by_rules_cannot_be_deleted():
    desk = factories.team(1, name="VIP Desk")
    instance = ticket_factories.instance("Payroll")
    rule("To the desk", actions=[("assign_team", desk.pk)])
    rule("Payroll", criteria=[("service_instance", "is", instance.pk)], actions=[("set_priority", 2)])
    with pytest.raises(ConflictError, match="Rule 1 'To the desk'"):
        team_delete(desk, user=None, change_reason="merge")
    with pytest.raises(ConflictError, match="Rule 2 'Payroll'"):
        service_instance_delete(instance, user=None, change_reason="gone")


# -- lint ---------------------------------------------------------------------------------------------------------
def test_rule_warnings_for_inactive_team_and_shadowing():
    old = factories.team(2, name="Old desk", active=False)
    rule("Catch all", actions=[("set_priority", 3)], stop_processing=True)
    later = rule("Never", actions=[("assign_team", old.pk)])
    codes = {(w.rule_id, w.code) for w in services.rule_warnings()}
    assert (later.pk, "shadowed") in codes
    assert (later.pk, "inactive_team") in codes


# -- simulate ---------------------------------------------------------------------------------------------------------
def test_simulate_existing_ticket_saves_nothing_and_equals_live(exec_person, executive, log_ticket):
    draft = rule("Draft P1", criteria=[("vip_status", "is", executive.pk)], actions=[("set_priority", 1)], active=False)
    ticket = log_ticket(exec_person)
    before = (history_of(ticket).count(), RuleFiring.objects.count())
    result = dry_runs.simulate(ticket=ticket, try_rule_ids=[draft.pk], event="update")
    assert result.plan.changes == {"priority": 1}
    assert result.trace[0].because == "caller VIP status = Executive"
    assert (history_of(ticket).count(), RuleFiring.objects.count()) == before


def test_simulate_hypothetical_ticket(exec_person, executive):
    rule(
        "Execs",
        criteria=[("vip_status", "is", executive.pk), ("impact", "is", "high")],
        actions=[("set_priority", 1)],
    )
    hypo = snapshots.Hypothetical(caller=exec_person, impact="high", urgency="low")
    result = dry_runs.simulate(hypothetical=hypo)
    assert result.plan.changes == {"priority": 1}
    other = dry_runs.simulate(hypothetical=snapshots.Hypothetical(caller=exec_person, impact="low"))
    assert other.trace[0].outcome == "not matched"
    assert other.trace[0].failed[0].field == "impact"


# -- replay -----------------------------------------------------------------------------------------------------------
def test_replay_dry_run_counts_and_apply_records_history(exec_person, standard_person, executive, log_ticket):
    tickets = [log_ticket(exec_person), log_ticket(exec_person), log_ticket(standard_person)]
    made = rule("Execs P1", criteria=[("vip_status", "is", executive.pk)], actions=[("set_priority", 1)], active=False)
    report = dry_runs.replay(rule_ids=[made.pk])
    assert (report.scanned, report.matched, report.changed, report.applied) == (3, 2, 2, 0)
    assert report.sample[0]["changes"]["priority"]["new"] == 1
    tickets[0].refresh_from_db()
    assert tickets[0].priority == 3
    with pytest.raises(ValidationError):
        dry_runs.replay(rule_ids=[made.pk], apply=True)
    applied = dry_runs.replay(rule_ids=[made.pk], apply=True, change_reason="back-fill VIP priority")
    assert applied.applied == 2
    tickets[0].refresh_from_db()
    assert tickets[0].priority == 1
    assert "back-fill VIP priority" in history_of(tickets[0]).last().history_change_reason
    assert RuleFiring.objects.filter(event="replay").count() == 2


def test_replay_date_range(exec_person, log_ticket):
    old = log_ticket(exec_person, opened_at=timezone.now() - dt.timedelta(days=40))
    log_ticket(exec_person)
    made = rule("All", actions=[("set_priority", 1)], active=False)
    report = dry_runs.replay(rule_ids=[made.pk], date_to=(timezone.now() - dt.timedelta(days=30)).date())
    assert report.scanned == 1 and report.sample[0]["ticket"] == old.number


# -- escalations --------------------------------------------------------------------------------------------------
def test_escalation_fires_once_per_ticket(exec_person, executive, log_ticket):
    desk = factories.team(1, name="VIP Desk", email="vip@example.org")
    rule(
        "VIP P1 unassigned for 15 minutes",
        trigger="scheduled",
        criteria=[
            ("caller_is_vip", "true"),
            ("priority", "eq", 2),
            ("assignee", "empty"),
            ("minutes_since_opened", "gte", 15),
        ],
        actions=[("notify_team", desk.pk), ("raise_priority", 1)],
    )
    ticket = log_ticket(exec_person, impact="high", urgency="medium")
    now = timezone.now()
    assert runs.run_escalations(at=now).fired == 0  # not yet 15 minutes
    report = runs.run_escalations(at=now + dt.timedelta(minutes=16))
    assert report.fired == 1 and report.tickets == [ticket.number]
    ticket.refresh_from_db()
    assert ticket.priority == 1
    again = runs.run_escalations(at=now + dt.timedelta(minutes=30))
    assert again.fired == 0
    assert RuleFiring.objects.filter(ticket=ticket, event="scheduled").count() == 1


def test_escalations_without_scheduled_rules_cost_two_queries(exec_person, log_ticket):
    log_ticket(exec_person)
    rule("Not scheduled", actions=[("set_priority", 1)])
    assert count_queries(runs.run_escalations) <= 4


# -- queries ------------------------------------------------------------------------------------------------------
def test_logging_a_ticket_with_200_rules_runs_at_most_25_queries(exec_person, executive, critical):
    desk = factories.team(1)
    group = ticket_factories.customer_group("Finance")
    ticket_factories.member(exec_person, group)
    instance = ticket_factories.instance("Payroll", group=group, level=ticket_factories.service_level())
    from tests.services.factories import timeframe

    timeframe(instance, heightened_support=True)
    kinds = [
        ([("vip_status", "is", executive.pk)], [("set_priority", 2)]),
        ([("vip_status", "in", [executive.pk, critical.pk]), ("impact", "is", "high")], [("assign_team", desk.pk)]),
        ([("customer_group", "includes", group.pk)], [("add_note", None, "Finance call {number}")]),
        ([("timeframe", "heightened_active")], [("raise_priority", 1)]),
        ([("title", "contains", "printer")], [("set_urgency", "high")]),
    ]
    # Five rules that match (one of each kind), 195 that are evaluated and do not.
    for index, (criteria, actions) in enumerate(kinds):
        rule(f"Match {index}", criteria=criteria, actions=actions)
    for index in range(195):
        criteria = [("vip_status", "is", critical.pk), ("title", "contains", f"word {index}")]
        rule(f"Miss {index}", criteria=criteria, actions=[("set_priority", 1 + index % 5)], match="any")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # The first ticket after a rule change loads and compiles the rules (4 more queries); later ones reuse them while
    # the one stamp query says nothing changed. Measured: the steady state.
    ticket_factories.ticket(caller=exec_person, service_instance=instance)
    with CaptureQueriesContext(connection) as ctx:
        ticket = ticket_factories.ticket(caller=exec_person, service_instance=instance)
    assert ticket.priority == 1 and RuleFiring.objects.filter(ticket=ticket).count() == 4
    # Every statement counts, SAVEPOINT/RELEASE included (the test's own transaction adds one pair).
    assert len(ctx.captured_queries) <= 25, "\n".join(q["sql"][:150] for q in ctx.captured_queries)


def test_rules_are_reloaded_when_any_rule_changes(exec_person, executive, log_ticket):
    made = rule("Executives P2", criteria=[("vip_status", "is", executive.pk)], actions=[("set_priority", 2)])
    assert log_ticket(exec_person).priority == 2
    services.rule_update(made, user=None, change_reason="stricter", actions=[{"type": "set_priority", "value": 1}])
    assert log_ticket(exec_person).priority == 1
    services.rule_update(made, user=None, change_reason="pause", active=False)
    assert log_ticket(exec_person).priority == 3
