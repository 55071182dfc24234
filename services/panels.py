"""Panels other apps add to the service instance page, so that services never imports them (apps import only
downward): tickets registers the instance's ticket list from its AppConfig.ready() with
`register_instance_panel("tickets/ticket_panel.html", lambda instance, request: {...})`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

ContextFn = Callable[[Any, HttpRequest], dict[str, Any] | None]


@dataclass(frozen=True)
class InstancePanel:
    template_name: str
    context_fn: ContextFn


_panels: list[InstancePanel] = []


def register_instance_panel(template_name: str, context_fn: ContextFn) -> None:
    if not any(p.template_name == template_name for p in _panels):
        _panels.append(InstancePanel(template_name, context_fn))


def instance_panels(instance: Any, request: HttpRequest) -> list[dict[str, Any]]:
    """Each registered panel as {template, context}; a panel whose function returns None is left out."""
    rendered = []
    for panel in _panels:
        context = panel.context_fn(instance, request)
        if context is not None:
            rendered.append({"template": panel.template_name, "context": context})
    return rendered
