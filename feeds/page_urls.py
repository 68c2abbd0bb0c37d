"""HTML routes of the feeds pages, mounted at /feeds/."""

from django.urls import path

from feeds.views import pages

urlpatterns = [
    path("", pages.feeds_page, name="feeds"),
    path("<int:pk>/", pages.feed_page, name="feed"),
    path("<int:pk>/rules/", pages.feed_rule, name="feed-rule-add"),
    path("<int:pk>/rules/<int:index>/", pages.feed_rule, name="feed-rule"),
    path("<int:pk>/preview/", pages.feed_rule_preview, name="feed-preview"),
    path(
        "<int:pk>/rules/<int:index>/preview/", pages.feed_rule_preview, name="feed-rule-preview"
    ),
    path("<int:pk>/check/", pages.feed_check, name="feed-check"),
    path("<int:pk>/remove/", pages.feed_remove, name="feed-remove"),
]
