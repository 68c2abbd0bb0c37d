"""API routes of the notifications app, mounted under /api/."""

from django.urls import path

from notifications.api import webhooks

urlpatterns = [
    path("webhooks", webhooks.WebhookListView.as_view(), name="api-webhooks"),
    path("webhooks/<int:pk>", webhooks.WebhookDetailView.as_view(), name="api-webhook"),
    path("webhooks/<int:pk>/test", webhooks.WebhookTestView.as_view(), name="api-webhook-test"),
    path(
        "webhooks/<int:pk>/deliveries",
        webhooks.WebhookDeliveriesView.as_view(),
        name="api-webhook-deliveries",
    ),
]
