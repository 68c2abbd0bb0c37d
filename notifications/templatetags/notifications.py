"""`{% notification_bell %}` in the header of every page, and `{% notification_preferences %}`
on the account page, so neither the base template's views nor the accounts app need to know
about notifications."""

from django import template

from notifications.channels import Channel
from notifications.selectors import preferences_table
from notifications.views.pages import bell_context
from notifications.views.preferences import box_name

register = template.Library()


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def notification_bell(context) -> dict:
    return bell_context(context["user"])


@register.inclusion_tag("notifications/_preferences.html", takes_context=True)
def notification_preferences(context) -> dict:
    rows = preferences_table(context["user"])
    for row in rows:
        row["cells"] = [
            {"name": box_name(c.kind, c.channel), "wanted": c.wanted, "channel": c.channel}
            for c in row["cells"]
        ]
    return {
        "rows": rows,
        "channels": Channel.choices,
        "csrf_token": context.get("csrf_token"),
    }
