"""Panels that apps higher up add to a lower app's page (apps import only downward): the page owns a `PanelRegistry`,
other apps register a template and a context function from their AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

ContextFn = Callable[[Any, HttpRequest], dict[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    template_name: str
    context_fn: ContextFn


class PanelRegistry:
    def __init__(self) -> None:
        self._panels: list[Panel] = []

    def register(self, template_name: str, context_fn: ContextFn) -> None:
        if not any(p.template_name == template_name for p in self._panels):
            self._panels.append(Panel(template_name, context_fn))

    def render(self, obj: Any, request: HttpRequest) -> list[dict[str, Any]]:
        """Each registered panel as {template, context}; a panel whose function returns None is left out."""
        rendered = []
        for panel in self._panels:
            context = panel.context_fn(obj, request)
            if context is not None:
                rendered.append({"template": panel.template_name, "context": context})
        return rendered
