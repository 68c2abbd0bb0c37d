"""HTML routes of the torrents app, mounted at the site's root (the list is the home page)."""

from django.urls import path

from torrents.views import add, bulk, detail, file_priorities, labels
from torrents.views import list as torrent_list

urlpatterns = [
    path("", torrent_list.home, name="home"),
    path("torrents/rows/", torrent_list.rows, name="torrent-rows"),
    path("torrents/add/", add.add, name="torrent-add"),
    path("torrents/bulk/", bulk.bulk, name="torrent-bulk"),
    path("torrents/<int:pk>/", detail.torrent_page, name="torrent-page"),
    path("torrents/<int:pk>/summary/", detail.torrent_summary, name="torrent-summary"),
    path("torrents/<int:pk>/trackers/", detail.torrent_trackers_panel, name="torrent-trackers"),
    path("torrents/<int:pk>/action/", detail.torrent_action, name="torrent-action"),
    path("torrents/<int:pk>/delete/", detail.torrent_delete, name="torrent-delete"),
    path("torrents/<int:pk>/settings/", detail.torrent_settings, name="torrent-settings"),
    path("torrents/<int:pk>/files/", file_priorities.torrent_files_card, name="torrent-files"),
    path(
        "torrents/<int:pk>/files/priority/",
        file_priorities.torrent_file_priorities,
        name="torrent-file-priorities",
    ),
    path("torrents/<int:pk>/labels/", labels.torrent_labels, name="torrent-labels"),
    path("labels/", labels.labels_page, name="labels"),
]
