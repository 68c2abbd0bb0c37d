"""HTML routes of the notifications app, mounted at /notifications/."""

from django.urls import path

from notifications.views import pages, preferences, unsubscribe

urlpatterns = [
    path("", pages.notifications_page, name="notifications"),
    path("bell/", pages.bell, name="notification-bell"),
    path("deliveries/", pages.deliveries_page, name="notification-deliveries"),
    path("<int:pk>/read/", pages.notification_read, name="notification-read"),
    path("read-all/", pages.notifications_read_all, name="notifications-read-all"),
    path("preferences/", preferences.preferences_update, name="notification-preferences"),
    path("unsubscribe/<str:token>/", unsubscribe.unsubscribe_page, name="notification-unsubscribe"),
]
