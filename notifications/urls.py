"""API routes of the notifications app, mounted under /api/."""

from django.urls import path

from notifications.api import views

urlpatterns = [
    path("notifications", views.NotificationListView.as_view(), name="api-notifications"),
    path(
        "notifications/<int:pk>/read",
        views.NotificationReadView.as_view(),
        name="api-notification-read",
    ),
    path(
        "notifications/read-all",
        views.NotificationsReadAllView.as_view(),
        name="api-notifications-read-all",
    ),
    path(
        "notifications/deliveries",
        views.DeliveryListView.as_view(),
        name="api-notification-deliveries",
    ),
    path(
        "notifications/preferences",
        views.PreferencesView.as_view(),
        name="api-notification-preferences",
    ),
]
