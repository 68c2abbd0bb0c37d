"""What statistics add to the torrent page (torrents/page_panels.py): downloads, views and
share-link use of the torrent and of its most used files, below the file table."""

from django.template.loader import render_to_string

from stats.selectors import torrent_usage
from torrents.page_panels import panel


@panel("after_files")
def usage_panel(request, torrent) -> str:
    usage = torrent_usage(torrent=torrent)
    return render_to_string("stats/_torrent_panel.html", {"usage": usage, "torrent": torrent})
