from django import template

from vip.visibility import is_visible

register = template.Library()


@register.inclusion_tag("vip/badge.html", takes_context=True)
def vip_badge(context, status, always: bool = False):
    """The one VIP badge: name on the status colour with contrasting text; hidden for statuses not shown on tickets.

    With always=True (people pages) a status not shown on tickets still appears, as quiet text rather than a badge,
    so that a list of mostly Standard people stays calm and the VIPs stand out; only to those allowed to see
    confidential statuses.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    visible = status is not None and status.show_on_tickets
    quiet = always and status is not None and is_visible(status, user if user is not None else _nobody())
    return {"status": status, "visible": visible, "quiet": quiet}


@register.filter
def vip_visible_to(status, user):
    """The status when `user` may see it, else None: `{% with s=person.vip_status|vip_visible_to:request.user %}`."""
    return status if status is not None and is_visible(status, user) else None


def _nobody():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()
