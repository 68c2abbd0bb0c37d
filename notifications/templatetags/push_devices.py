"""`{% push_devices %}`: the account page's web push card (this device's button, the list of
subscribed devices), without the accounts view having to know about pushes."""

from django import template

from notifications.push_selectors import push_subscriptions_of
from notifications.vapid import vapid_keys

register = template.Library()


@register.inclusion_tag("notifications/_push_devices.html", takes_context=True)
def push_devices(context) -> dict:
    user = context["request"].user
    return {
        "subscriptions": push_subscriptions_of(user),
        "vapid_public_key": vapid_keys().public_key,
        "csrf_token": context.get("csrf_token"),
    }
