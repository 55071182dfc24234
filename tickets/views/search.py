"""The top bar's search."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from tickets import selectors


# -- search -----------------------------------------------------------------------------------------------------
@login_required
def search(request):
    """The top bar's search: a ticket number opens the ticket, anything else searches people."""
    term = request.GET.get("q", "").strip()
    ticket = selectors.ticket_by_number(term)
    if ticket is not None and request.user.has_perm("tickets.view_ticket"):
        return redirect(ticket)
    if selectors.normalise_number(term):
        return redirect(reverse("tickets:queue") + "?" + urlencode({"q": term, "state": "all"}))
    return redirect(reverse("people:list") + ("?" + urlencode({"q": term}) if term else ""))
