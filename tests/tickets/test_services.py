import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from itsm.services import ConflictError
from tests import factories as base
from tests.base import history_of
from tests.tickets import factories
from tickets import services
from tickets.choices import ITIL_MATRIX, TRANSITIONS, DueState, Level, Status, TicketType
from tickets.hooks import workflow_hook
from tickets.models import PriorityMatrixCell, Ticket, TicketCounter
from tickets.notes import ticket_note_add

H, M, L = Level.HIGH, Level.MEDIUM, Level.LOW


@pytest.mark.django_db
class TestItilMatrix:
    @pytest.mark.parametrize(
        ("impact", "urgency", "priority"),
        [(H, H, 1), (H, M, 2), (H, L, 3), (M, H, 2), (M, M, 3), (M, L, 4), (L, H, 3), (L, M, 4), (L, L, 5)],
    )
    def test_every_cell_gives_the_itil_priority(self, impact, urgency, priority):
        assert services.priority_for(impact=impact, urgency=urgency) == priority
        assert factories.ticket(0, impact=impact, urgency=urgency).priority == priority

    def test_the_migration_created_nine_cells(self):
        assert PriorityMatrixCell.objects.count() == 9
        assert {(c.impact, c.urgency): c.priority for c in PriorityMatrixCell.objects.all()} == ITIL_MATRIX

    def test_missing_cells_are_restored_with_history(self):
        PriorityMatrixCell.objects.filter(impact=H).delete()
        assert services.priority_matrix() == ITIL_MATRIX
        cell = PriorityMatrixCell.objects.get(impact=H, urgency=H)
        assert "restored" in history_of(cell).last().history_change_reason

    def test_an_edited_cell_applies_to_new_tickets_and_is_audited(self, admin_user):
        cell = PriorityMatrixCell.objects.get(impact=L, urgency=L)
        services.priority_matrix_cell_update(cell, user=admin_user, change_reason="planning is P4 here", priority=4)
        assert factories.ticket(0, impact=L, urgency=L).priority == 4
        row = history_of(cell).last()
        assert (row.priority, row.history_change_reason, row.history_user) == (4, "planning is P4 here", admin_user)

    def test_priority_outside_1_to_5_is_refused(self):
        cell = PriorityMatrixCell.objects.get(impact=L, urgency=L)
        with pytest.raises(ValidationError) as error:
            services.priority_matrix_cell_update(cell, user=None, change_reason="bad", priority=6)
        assert "priority" in error.value.message_dict

    def test_changing_impact_rerates_the_priority(self):
        ticket = factories.ticket(0, impact=L, urgency=L)
        services.ticket_update(ticket, user=None, change_reason="worse", impact=H, urgency=H)
        assert ticket.priority == 1


@pytest.mark.django_db
class TestNumbering:
    def test_numbers_are_per_type_prefix_and_padded(self):
        assert factories.ticket(0).number == "INC000001"
        assert factories.ticket(1).number == "INC000002"
        assert factories.ticket(2, ticket_type=TicketType.REQUEST).number == "REQ000001"
        assert factories.ticket(3, ticket_type=TicketType.PROBLEM).number == "PRB000001"
        assert factories.ticket(4, ticket_type=TicketType.CHANGE).number == "CHG000001"

    def test_a_lost_counter_restarts_after_the_highest_number(self):
        factories.ticket(0)
        factories.ticket(1)
        TicketCounter.objects.all().delete()
        assert factories.ticket(2).number == "INC000003"

    def test_a_refused_ticket_burns_no_number(self):
        factories.ticket(0)
        with pytest.raises(ValidationError):
            factories.ticket(1, title="")
        assert factories.ticket(2).number == "INC000002"


@pytest.mark.django_db
class TestTransitions:
    @pytest.mark.parametrize(
        ("start", "target"), [(s, t) for s, targets in TRANSITIONS.items() for t in targets if s != Status.NEW]
    )
    def test_every_allowed_transition(self, start, target):
        ticket = _ticket_in(start)
        note = "done" if target == Status.RESOLVED else ""
        services.ticket_transition(ticket, user=None, status=target, note=note)
        assert Ticket.objects.get(pk=ticket.pk).status == target

    @pytest.mark.parametrize(
        ("start", "target"),
        [(s, t) for s in TRANSITIONS for t in Status.values if t not in TRANSITIONS[s]],
    )
    def test_every_refused_transition_names_the_allowed_ones(self, start, target):
        ticket = _ticket_in(start)
        with pytest.raises(services.TransitionRefused) as error:
            services.ticket_transition(ticket, user=None, status=target, note="x")
        allowed = [str(Status(s).label) for s in TRANSITIONS[start]]
        for label in allowed:
            assert label in error.value.message
        assert error.value.allowed == list(TRANSITIONS[start])
        assert Ticket.objects.get(pk=ticket.pk).status == start

    def test_resolving_needs_a_note_and_records_it(self, admin_user):
        ticket = _ticket_in(Status.IN_PROGRESS)
        with pytest.raises(ValidationError) as error:
            services.ticket_transition(ticket, user=admin_user, status=Status.RESOLVED, note="  ")
        assert "note" in error.value.message_dict
        services.ticket_transition(ticket, user=admin_user, status=Status.RESOLVED, note="Replaced the toner")
        ticket.refresh_from_db()
        assert ticket.resolution == "Replaced the toner" and ticket.resolved_at is not None
        assert ticket.notes.get().public is True
        assert history_of(ticket).last().history_change_reason == ("status In progress -> Resolved: Replaced the toner")

    def test_reopening_clears_the_resolution(self):
        ticket = _ticket_in(Status.RESOLVED)
        services.ticket_transition(ticket, user=None, status=Status.IN_PROGRESS, note="still broken")
        ticket.refresh_from_db()
        assert (ticket.status, ticket.resolution, ticket.resolved_at) == (Status.IN_PROGRESS, "", None)

    def test_assigned_needs_someone(self):
        ticket = factories.ticket(0)
        with pytest.raises(ValidationError) as error:
            services.ticket_transition(ticket, user=None, status=Status.ASSIGNED)
        assert "status" in error.value.message_dict

    def test_unknown_status_is_a_field_error(self):
        with pytest.raises(ValidationError):
            services.ticket_transition(factories.ticket(0), user=None, status="frozen")

    def test_automatic_reason(self, admin_user):
        ticket = _ticket_in(Status.ASSIGNED)
        services.ticket_transition(ticket, user=admin_user, status=Status.IN_PROGRESS)
        row = history_of(ticket).last()
        assert row.history_change_reason == "status Assigned -> In progress"
        assert row.history_user == admin_user

    def test_closed_ticket_cannot_be_edited(self):
        ticket = _ticket_in(Status.CLOSED)
        with pytest.raises(ConflictError):
            services.ticket_update(ticket, user=None, change_reason="x", title="new")


def _ticket_in(status: str) -> Ticket:
    ticket = factories.ticket(0, team=base.team(0))
    path = {
        Status.NEW: [],
        Status.ASSIGNED: [],
        Status.IN_PROGRESS: [Status.IN_PROGRESS],
        Status.PENDING: [Status.IN_PROGRESS, Status.PENDING],
        Status.RESOLVED: [Status.RESOLVED],
        Status.CLOSED: [Status.RESOLVED, Status.CLOSED],
        Status.CANCELLED: [Status.CANCELLED],
    }[status]
    if status == Status.NEW:
        Ticket.objects.filter(pk=ticket.pk).update(status=Status.NEW, team=None)
        ticket.refresh_from_db()
    for step in path:
        services.ticket_transition(ticket, user=None, status=step, note="fixed" if step == Status.RESOLVED else "")
    return ticket


@pytest.mark.django_db
class TestDueTimes:
    def test_due_times_follow_the_service_level_for_the_priority(self):
        level = factories.service_level(p2_response_minutes=30, p2_resolution_minutes=480)
        instance = factories.instance(level=level)
        opened = timezone.now()
        ticket = factories.ticket(0, impact=H, urgency=M, service_instance=instance, opened_at=opened)
        assert ticket.priority == 2
        assert ticket.response_due_at == opened + dt.timedelta(minutes=30)
        assert ticket.resolution_due_at == opened + dt.timedelta(minutes=480)

    def test_a_new_priority_retimes_the_due_times(self):
        level = factories.service_level()
        instance = factories.instance(level=level)
        ticket = factories.ticket(0, impact=L, urgency=L, service_instance=instance)
        services.ticket_update(ticket, user=None, change_reason="escalated", impact=H, urgency=H)
        assert ticket.resolution_due_at == ticket.opened_at + dt.timedelta(minutes=level.p1_resolution_minutes)
        assert "resolution_due_at" in {
            c.field for c in history_of(ticket).last().diff_against(history_of(ticket).first()).changes
        }

    def test_no_service_level_no_targets(self):
        ticket = factories.ticket(0)
        assert ticket.response_due_at is None and ticket.due_state == DueState.NO_TARGET

    def test_due_states(self):
        level = factories.service_level(p3_response_minutes=60, p3_resolution_minutes=600)
        instance = factories.instance(level=level)
        now = timezone.now()
        fresh = factories.ticket(0, service_instance=instance, opened_at=now)
        assert fresh.due_state == DueState.ON_TIME
        soon = factories.ticket(1, service_instance=instance, opened_at=now - dt.timedelta(minutes=50))
        assert soon.due_state == DueState.DUE_SOON
        late = factories.ticket(2, service_instance=instance, opened_at=now - dt.timedelta(minutes=61))
        assert late.due_state == DueState.BREACHED


@pytest.mark.django_db
class TestTicketRules:
    def test_ci_must_serve_the_instance(self):
        a = factories.instance("Shared Drive")
        b = factories.instance("Email")
        ci = factories.configuration_item("fs01", instances=[a])
        with pytest.raises(ValidationError) as error:
            factories.ticket(0, service_instance=b, configuration_item=ci)
        assert "configuration_item" in error.value.message_dict
        assert factories.ticket(1, service_instance=a, configuration_item=ci).configuration_item == ci

    def test_assigning_a_new_ticket_makes_it_assigned_with_automatic_reason(self, admin_user):
        ticket = factories.ticket(0)
        services.ticket_assign(ticket, user=admin_user, assignee=admin_user)
        assert ticket.status == Status.ASSIGNED
        assert history_of(ticket).last().history_change_reason == "assignee — -> root; status New -> Assigned"

    def test_the_first_note_by_a_person_is_the_response_not_one_by_the_system(self, admin_user):
        ticket = factories.ticket(0)
        ticket_note_add(ticket, user=None, text="imported worklog", public=False)
        ticket.refresh_from_db()
        assert ticket.first_response_at is None
        note = ticket_note_add(ticket, user=admin_user, text="Looking into it", public=False)
        ticket.refresh_from_db()
        assert ticket.first_response_at == note.created_at

    def test_deleting_an_analyst_keeps_the_ticket(self, make_user):
        from itsm.roles import ANALYST

        analyst = make_user("leaver", ANALYST)
        ticket = factories.ticket(0, assignee=analyst)
        analyst.delete()
        ticket.refresh_from_db()
        assert ticket.assignee is None

    def test_no_change_writes_no_history(self):
        ticket = factories.ticket(0)
        before = history_of(ticket).count()
        services.ticket_update(ticket, user=None, change_reason="same", title=ticket.title)
        assert history_of(ticket).count() == before

    def test_workflow_hook_sees_creates_and_changes_and_is_not_reentered(self):
        seen = []

        def hook(ticket, *, event, changes, user):
            seen.append((event, dict(changes)))
            if event == "created":
                services.ticket_update(ticket, user=None, change_reason="rule: VIP", priority=1)

        with workflow_hook(hook):
            ticket = factories.ticket(0, impact=L, urgency=L)
            services.ticket_update(ticket, user=None, change_reason="typo", title="Printer jams")
        assert ticket.priority == 1
        assert seen == [("created", {}), ("updated", {"title": ("Printer 0 jams", "Printer jams")})]


def test_tickets_are_assigned_only_to_active_analysts(analyst_user, make_user, default_status):
    from django.core.exceptions import ValidationError

    from itsm.roles import SERVICE_LEVEL_MANAGER
    from tests.tickets import factories as f
    from tickets import services

    ticket = f.ticket(0)
    outsider = make_user("outsider", SERVICE_LEVEL_MANAGER)  # may not work tickets
    with pytest.raises(ValidationError, match="only active analysts"):
        services.ticket_assign(ticket, user=None, assignee=outsider)
    analyst_user.is_active = False
    analyst_user.save()
    with pytest.raises(ValidationError, match="only active analysts"):
        services.ticket_assign(ticket, user=None, assignee=analyst_user)
    analyst_user.is_active = True
    analyst_user.save()
    services.ticket_assign(ticket, user=None, assignee=analyst_user)
    ticket.refresh_from_db()
    assert ticket.assignee == analyst_user


def test_the_api_refuses_an_assignee_who_is_not_an_analyst(api, make_user, default_status):
    from itsm.roles import INTEGRATION
    from tests.tickets import factories as f

    ticket = f.ticket(0)
    robot = make_user("robot", INTEGRATION)
    response = api.patch(f"/api/tickets/{ticket.number}/", {"assignee": robot.pk, "change_reason": "x"}, format="json")
    assert response.status_code == 400
    assert "assignee" in response.json()
