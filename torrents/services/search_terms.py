"""Words other apps know a torrent by (media's title from TMDB or the name's parse), kept on the
torrent so its search finds them: the torrents app never imports those apps, they call this."""

from django.utils import timezone

from torrents.models import Torrent


def torrent_search_terms_set(*, torrent_id: int, terms: str) -> None:
    """`updated_at` too: a search's page shows the torrent or not by them (its rendered table is
    kept under the list's version)."""
    terms = " ".join(terms.split())[:1000]
    changed = Torrent.objects.filter(pk=torrent_id).exclude(search_terms=terms)
    changed.update(search_terms=terms, updated_at=timezone.now())
