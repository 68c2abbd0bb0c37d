"""The player page, mounted under /media/."""

from django.urls import path

from media.views.player import media_player

urlpatterns = [
    path("<int:torrent_id>/<int:file_id>/", media_player, name="media-player"),
]
