"""Staff pages, mounted at /staff/ (404 for everyone who is not staff)."""

from django.urls import path

from torrents.views import staff

urlpatterns = [
    path("moderation/", staff.moderation_queue, name="staff-moderation"),
    path("moderation/decide/", staff.moderation_decide, name="staff-moderation-decide"),
    path("server/", staff.server, name="staff-server"),
]
