"""The statistics API, mounted under /api/."""

from django.urls import path

from stats.api import views

urlpatterns = [
    path("torrents/<int:pk>/stats", views.TorrentStatsView.as_view(), name="api-torrent-stats"),
    path("stats/me", views.MyStatsView.as_view(), name="api-stats-me"),
    path("stats", views.StaffStatsView.as_view(), name="api-stats"),
]
