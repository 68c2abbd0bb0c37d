"""What staff can look at in the Django admin: deliveries (read only, to see why a user was not
told), and the webhooks and push devices users made (read only, deletable; a webhook's secret
and a device's keys are never shown)."""

from django.contrib import admin

from notifications.models import Delivery, PushSubscription, Webhook


class _ReadOnly(admin.ModelAdmin):
    def get_readonly_fields(self, request, obj=None) -> list[str]:
        hidden = set(self.exclude or ())
        return [f.name for f in self.model._meta.fields if f.name not in hidden]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(_ReadOnly):
    list_display = ("id", "user", "channel", "kind", "title", "status", "attempts", "created_at")
    list_filter = ("channel", "status", "kind")
    search_fields = ("user__email", "title")
    exclude = ("payload",)
    list_select_related = ("user",)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Webhook)
class WebhookAdmin(_ReadOnly):
    list_display = ("id", "user", "url", "enabled", "failures", "last_delivery_at")
    list_filter = ("enabled",)
    search_fields = ("user__email", "url")
    exclude = ("secret",)
    list_select_related = ("user",)


@admin.register(PushSubscription)
class PushSubscriptionAdmin(_ReadOnly):
    list_display = ("id", "user", "user_agent", "created_at", "last_used_at", "failures")
    search_fields = ("user__email", "user_agent")
    exclude = ("endpoint", "p256dh", "auth")
    list_select_related = ("user",)
