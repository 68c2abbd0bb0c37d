"""The player's resume positions, mounted under /api/ (the player page saves them)."""

from django.urls import path

from media.api.positions import FilePositionView

urlpatterns = [
    path(
        "torrents/<int:pk>/files/<int:file_id>/position",
        FilePositionView.as_view(),
        name="api-media-position",
    ),
]
