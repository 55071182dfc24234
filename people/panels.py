"""Panels other apps add to the person page, so that people never imports them (apps import only downward).

An app registers a template and a function returning its context from its AppConfig.ready():
`register_person_panel("services/person_panel.html", lambda person, request: {...})`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

ContextFn = Callable[[Any, HttpRequest], dict[str, Any] | None]


@dataclass(frozen=True)
class PersonPanel:
    template_name: str
    context_fn: ContextFn


_panels: list[PersonPanel] = []


def register_person_panel(template_name: str, context_fn: ContextFn) -> None:
    if not any(p.template_name == template_name for p in _panels):
        _panels.append(PersonPanel(template_name, context_fn))


def person_panels(person: Any, request: HttpRequest) -> list[dict[str, Any]]:
    """Each registered panel as {template, context}; a panel whose function returns None is left out."""
    rendered = []
    for panel in _panels:
        context = panel.context_fn(person, request)
        if context is not None:
            rendered.append({"template": panel.template_name, "context": context})
    return rendered
