"""The ticket page: details, SLA card, actions (assign, transition, note) and the edit form."""

from __future__ import annotations

from abc import ABC, abstractmethod

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import TemplateView

from itsm.forms import add_service_errors
from itsm.history import history_for
from itsm.services import ConflictError
from itsm.views_mixins import AuditedFormView
from tickets import clock, context, extensions, selectors, services
from tickets.choices import (
    Status,
    Target,
)
from tickets.forms import (
    AssignTeamForm,
    NoteForm,
    TicketEditForm,
    TransitionForm,
)
from tickets.models import Ticket
from tickets.notes import ticket_note_add


# -- the ticket page --------------------------------------------------------------------------------------------
class TicketMixin(LoginRequiredMixin, PermissionRequiredMixin):
    def get_ticket(self) -> Ticket:
        number = selectors.normalise_number(self.kwargs["number"])
        ticket = selectors.ticket_detail(number).first() if number else None
        if ticket is None:
            raise Http404("No such ticket.")
        return ticket


class TicketDetailView(TicketMixin, TemplateView):
    permission_required = "tickets.view_ticket"
    template_name = "tickets/ticket_detail.html"

    def get(self, request, *args, **kwargs):
        self.ticket = self.get_ticket()
        if self.ticket.number != kwargs["number"]:
            return redirect(self.ticket)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ticket = self.ticket
        allowed = services.allowed_transitions(ticket)
        return {
            **super().get_context_data(**kwargs),
            "ticket": ticket,
            "caller": ticket.caller,
            "notes": list(selectors.ticket_notes(ticket)),
            "history": history_for(ticket),
            "allowed": allowed,
            "transition_form": kwargs.get("transition_form") or TransitionForm(allowed=allowed),
            "note_form": kwargs.get("note_form") or NoteForm(),
            "team_form": kwargs.get("team_form") or AssignTeamForm(initial={"team": ticket.team_id}),
            "final": ticket.status in (Status.CLOSED, Status.CANCELLED),
            "sla": sla_card(ticket),
            # Notes other apps add next to fields (the workflow's "Why?" on priority, team and status).
            "why": extensions.field_notes(ticket),
            "caller_ctx": context.caller_context(
                ticket.caller,
                self.request.user,
                instance_ids=[ticket.service_instance_id] if ticket.service_instance_id else [],
                exclude_ticket=ticket,
            ),
        }


def sla_card(ticket: Ticket) -> dict:
    """The ticket page's service level card: both targets with their due time and business time left or over."""
    summary = clock.summary(ticket)
    targets = []
    for target, label in ((Target.RESPONSE, "Response"), (Target.RESOLUTION, "Resolution")):
        left = clock.minutes_left(ticket, target)
        targets.append(
            {
                "label": label,
                "due": summary[f"{target}_due"],
                "state": summary[target],
                "done": summary["responded_at" if target == Target.RESPONSE else "resolved_at"],
                "left": None if left is None else duration_text(abs(left)),
                "over": left is not None and left < 0,
            }
        )
    return {
        **summary,
        "level": ticket.service_level,
        "targets": targets,
        "paused_text": duration_text(ticket.paused_seconds / 60) if ticket.paused_seconds else "",
        "breaches": list(ticket.breaches.order_by("breached_at", "id")),
    }


def duration_text(minutes: float) -> str:
    """Business time for people: '45 min', '3 h 10 min', '2 d 4 h' (a day is 24 h of the clock here)."""
    minutes = round(minutes)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


class TicketActionView(TicketMixin, View, ABC):
    """POST-only actions on the ticket page; errors re-render the page with the typed input kept.

    Sent by htmx (the page with JavaScript), an action answers with the parts of the page it changes instead: the
    header, the notes, the history and the side column, each swapped in place by its id, with the messages; errors
    come back the same way, next to their fields. Without JavaScript the form posts and the page reloads."""

    permission_required = "tickets.change_ticket"

    def post(self, request, number):
        self.ticket = self.get_ticket()
        try:
            response = self.act(request, self.ticket)
        except ConflictError as error:
            messages.error(request, error.message)
            return self.done(status=409)
        return response

    @abstractmethod
    def act(self, request, ticket):
        """Does the action (assign, transition, note) and answers with `done()`."""

    def done(self, *, anchor: str = "", status: int = 200):
        """After the action: the changed parts for htmx, else back to the ticket page."""
        if self.request.htmx:
            return self.render_parts(status=status)
        return redirect(f"{self.ticket.get_absolute_url()}{anchor}")

    def render_errors(self, **forms):
        if self.request.htmx:
            return self.render_parts(status=400, **forms)
        page = self.page()
        return page.render_to_response(page.get_context_data(**forms), status=400)

    def page(self) -> TicketDetailView:
        page = TicketDetailView()
        page.setup(self.request, number=self.ticket.number)
        page.ticket = self.get_ticket()  # as it is now, with what the action changed
        return page

    def render_parts(self, *, status: int, **forms):
        return render(self.request, "tickets/_ticket_update.html", self.page().get_context_data(**forms), status=status)


class AssignView(TicketActionView):
    def act(self, request, ticket):
        if "me" in request.POST:
            services.ticket_assign(ticket, user=request.user, assignee=request.user)
            messages.success(request, f"{ticket.number} is assigned to you.")
        elif "unassign" in request.POST:
            services.ticket_assign(ticket, user=request.user, assignee=None)
            messages.success(request, f"{ticket.number} no longer has an assignee.")
        else:
            form = AssignTeamForm(request.POST)
            if not form.is_valid():
                return self.render_errors(team_form=form)
            services.ticket_assign(ticket, user=request.user, team=form.cleaned_data["team"])
            messages.success(request, f"{ticket.number} is assigned to {form.cleaned_data['team']}.")
        return self.done()


class TransitionView(TicketActionView):
    def act(self, request, ticket):
        allowed = services.allowed_transitions(ticket)
        form = TransitionForm(request.POST, allowed=allowed)
        if not form.is_valid():
            return self.render_errors(transition_form=form)
        try:
            services.ticket_transition(
                ticket, user=request.user, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
            )
        except services.TransitionRefused as refused:
            form.add_error("status", refused.message)
            return self.render_errors(transition_form=form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.render_errors(transition_form=form)
        messages.success(request, f"{ticket.number} is now {ticket.get_status_display()}.")
        return self.done()


class NoteView(TicketActionView):
    permission_required = "tickets.add_ticketnote"

    def act(self, request, ticket):
        form = NoteForm(request.POST)
        if not form.is_valid():
            return self.render_errors(note_form=form)
        ticket_note_add(ticket, user=request.user, **form.cleaned_data)
        messages.success(request, "Note added.")
        return self.done(anchor="#notes")


class TicketEditView(TicketMixin, AuditedFormView):
    permission_required = "tickets.change_ticket"
    template_name = "tickets/ticket_form.html"
    form_class = TicketEditForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.ticket = self.get_ticket()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "ticket": self.ticket}

    def save(self, form, *, user, reason):
        changed = {name: form.cleaned_data[name] for name in TicketEditForm.FIELDS if name in form.changed_data}
        # Without a reason the history says what changed ("status Assigned -> In progress").
        return services.ticket_update(self.ticket, user=user, change_reason=reason, auto_reason=True, **changed)

    def success_message(self, saved) -> str:
        return f"Saved {saved.number}."

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "ticket": self.ticket}
