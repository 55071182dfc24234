"""The queue's bulk action bar: one action with one change reason on the ticked tickets, all or nothing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django_htmx.http import HttpResponseClientRedirect

from itsm.forms import add_service_errors
from tickets import bulk
from tickets.queue_forms import BulkActionForm


def _apply(form: BulkActionForm, user) -> tuple[bulk.BulkResult, str]:
    """Runs the chosen action; returns the result and the sentence that reports it."""
    data = form.cleaned_data
    tickets, missing = bulk.find_tickets(form.tickets)
    if missing:
        raise ValidationError({"__all__": [f"No such ticket: {', '.join(missing[:10])}."]})
    reason = data["change_reason"]
    count = f"{len(tickets)} ticket{'s' if len(tickets) != 1 else ''}"
    if data["action"] == bulk.ASSIGN:
        targets = {name: data[name] for name in ("team", "assignee") if data.get(name)}
        result = bulk.bulk_assign(tickets, user=user, change_reason=reason, **targets)
        to = " and ".join(str(form.fields[name].label_from_instance(value)) for name, value in targets.items())
        return result, f"{count} assigned to {to}."
    if data["action"] == bulk.STATUS:
        status, note = data["status"], data["note"]
        result = bulk.bulk_transition(tickets, user=user, change_reason=reason, status=status, note=note)
        return result, f"{count} moved to {dict(form.fields['status'].choices)[data['status']]}."
    result = bulk.bulk_note(tickets, user=user, change_reason=reason, text=data["note"], public=data["public"])
    return result, f"Note added to {count}."


class BulkActionView(LoginRequiredMixin, View):
    """POST from the queue's bar. With htmx a refusal re-renders the bar (typed input and ticks kept) and success
    reloads the queue; without scripts both come back to the queue with messages."""

    def post(self, request):
        form = BulkActionForm(request.POST, auto_id="bulk_%s")
        action = request.POST.get("action")
        wanted = bulk.PERMISSIONS.get(action, bulk.PERMISSIONS[bulk.ASSIGN])
        if not request.user.has_perms(wanted):
            raise PermissionDenied("Your role may not do this to tickets.")
        refusal = None
        if form.is_valid():
            try:
                result, sentence = _apply(form, request.user)
            except bulk.BulkRefused as refused:
                refusal = refused
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if result.unchanged:
                    sentence += f" Already so: {', '.join(result.unchanged[:10])}."
                messages.success(request, sentence)
                return self.back(request, form)
        return self.refused(request, form, refusal)

    def back(self, request, form: BulkActionForm) -> HttpResponse:
        query = form.back_query()
        url = reverse("tickets:queue") + (f"?{query}" if query else "")
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)

    def refused(self, request, form: BulkActionForm, refusal: bulk.BulkRefused | None) -> HttpResponse:
        if request.htmx:
            context = {"bulk_form": form, "refusal": refusal, "selected": form.selected_count, "max": bulk.MAX_TICKETS}
            return render(request, "tickets/_bulk_bar.html", context, status=409 if refusal else 400)
        if refusal is not None:
            messages.error(request, refusal.message)
            for line in refusal.lines()[:20]:
                messages.error(request, line)
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return self.back(request, form)
