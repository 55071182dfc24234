from django import template

register = template.Library()


@register.inclusion_tag("vip/badge.html")
def vip_badge(status, always: bool = False):
    """The one VIP badge: name on the status colour with contrasting text; hidden for statuses not shown on tickets."""
    visible = status is not None and (always or status.show_on_tickets)
    return {"status": status, "visible": visible}
