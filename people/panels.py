"""Panels other apps add to the person page, so that people never imports them (apps import only downward).

An app registers a template and a function returning its context from its AppConfig.ready():
`register_person_panel("services/person_panel.html", lambda person, request: {...})`.
"""

from itsm.panels import PanelRegistry

_registry = PanelRegistry()
register_person_panel = _registry.register
person_panels = _registry.render
