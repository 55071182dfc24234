"""Panels other apps add to the service instance page, so that services never imports them: tickets registers the
instance's ticket list from its AppConfig.ready() with `register_instance_panel("tickets/ticket_panel.html", fn)`."""

from itsm.panels import PanelRegistry

_registry = PanelRegistry()
register_instance_panel = _registry.register
instance_panels = _registry.render
