from django import template

register = template.Library()


@register.inclusion_tag("vip/badge.html")
def vip_badge(status, always: bool = False):
    """The one VIP badge: name on the status colour with contrasting text; hidden for statuses not shown on tickets.

    With always=True (people pages) a status not shown on tickets still appears, as quiet text rather than a badge,
    so that a list of mostly Standard people stays calm and the VIPs stand out.
    """
    visible = status is not None and status.show_on_tickets
    return {"status": status, "visible": visible, "quiet": always}
