"""The results page and the type-ahead fragment of the top bar's search."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import urlencode

from itsm.counts import Total
from itsm.fulltext import parse
from itsm.params import page_param
from search import selectors


@login_required
def results(request):
    """Every kind the reader may view, best matches first; `?kind=` pages through one kind. A ticket number or an
    exact e-mail address opens that ticket or person at once."""
    text = request.GET.get("q", "")[: selectors.MAX_QUERY_CHARS]
    kind = request.GET.get("kind", "")
    allowed = selectors.allowed_kinds(request.user)
    if not kind:
        target = selectors.direct_hit(text, user=request.user)
        if target:
            return redirect(target)
    context = {"q": text, "kinds": [(name, selectors.KINDS[name].label) for name in allowed]}
    if kind in allowed:
        groups, context["pages"] = _one_kind(text, request, kind)
    else:
        groups = selectors.search(text, user=request.user)
    context |= {
        "groups": groups,
        "searched": bool(parse(text)),
        "total": Total.sum(g.total for g in groups),
        "empty_labels": [g.label for g in groups if not g.hits],
        "kind_label": selectors.KINDS[kind].label if kind in allowed else "",
    }
    return render(request, "search/results.html", context)


def _one_kind(text: str, request, kind: str):
    """One kind's matches, a page of KIND_PAGE_SIZE at a time: one search gives the page and the total."""
    size = selectors.KIND_PAGE_SIZE
    number = page_param(request.GET.get("page"))
    groups = selectors.search(text, user=request.user, kinds=[kind], limit=size, offset=(number - 1) * size)
    last = max(1, -(-groups[0].total.value // size))
    if number > last:  # past the end (an old link): the last page instead
        number = last
        groups = selectors.search(text, user=request.user, kinds=[kind], limit=size, offset=(number - 1) * size)
    base = urlencode({"q": text, "kind": kind})
    pages = {
        "number": number,
        "last": last,
        "start": (number - 1) * size + 1,
        "previous": f"?{base}&page={number - 1}" if number > 1 else "",
        "next": f"?{base}&page={number + 1}" if number < last else "",
    }
    return groups, pages


@login_required
def suggest(request):
    """The type-ahead: the first few matches of each kind, as the options of the top bar's list box."""
    text = request.GET.get("q", "")[: selectors.MAX_QUERY_CHARS]
    groups = [g for g in selectors.search(text, user=request.user, limit=selectors.SUGGEST_LIMIT) if g.hits]
    return render(request, "search/_suggestions.html", {"q": text, "groups": groups})
