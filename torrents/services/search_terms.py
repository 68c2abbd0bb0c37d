"""Words other apps know a torrent by (media's title from TMDB or the name's parse), kept on the
torrent so its search finds them: the torrents app never imports those apps, they call this."""

from torrents.models import Torrent


def torrent_search_terms_set(*, torrent_id: int, terms: str) -> None:
    terms = " ".join(terms.split())[:1000]
    Torrent.objects.filter(pk=torrent_id).exclude(search_terms=terms).update(search_terms=terms)
