"""API routes of the feeds app, mounted under /api/."""

from django.urls import path

from feeds.api import views

urlpatterns = [
    path("feeds", views.FeedListView.as_view(), name="api-feeds"),
    path("feeds/<int:pk>", views.FeedDetailView.as_view(), name="api-feed"),
    path("feeds/<int:pk>/history", views.FeedHistoryView.as_view(), name="api-feed-history"),
    path("feeds/<int:pk>/preview", views.FeedPreviewView.as_view(), name="api-feed-preview"),
]
