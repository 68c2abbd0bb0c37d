"""HTML routes of the webhooks page, mounted at /notifications/webhooks/."""

from django.urls import path

from notifications.views import webhooks

urlpatterns = [
    path("", webhooks.webhooks, name="webhooks"),
    path("<int:pk>/remove/", webhooks.webhook_remove, name="webhook-remove"),
    path("<int:pk>/enable/", webhooks.webhook_turn_on, name="webhook-enable"),
    path("<int:pk>/disable/", webhooks.webhook_turn_off, name="webhook-disable"),
    path("<int:pk>/secret/", webhooks.webhook_new_secret, name="webhook-secret"),
    path("<int:pk>/test/", webhooks.webhook_test, name="webhook-test"),
]
