"""What a torrent is (MediaTitle): its name read by guessit, then, with SEEDBOX_TMDB_API_KEY set,
looked up on TMDB (a film by title and year; a series by title, then the episode by season and
number) with TMDB's poster fetched once. Only a torrent with a video is looked up. Without a
key, or when TMDB fails, the parsed name and the main video's poster frame serve; TMDB's
failure is kept on the row (`error`), never raised.

The title (and year) become the torrent's search terms (torrents/services/search_terms.py)."""

from django.conf import settings
from django.utils import timezone

from media.guess import EPISODE, Guess, name_guess
from media.models import MediaFile, MediaKind, MediaTitle
from media.services.posters import poster_exists, poster_image_store, poster_relative
from media.tmdb import Found, TmdbError, movie_search, poster_fetch, tv_episode, tv_search
from torrents.models import Torrent
from torrents.services.search_terms import torrent_search_terms_set

PARSED = "parsed"
TMDB = "tmdb"


def _main_video(torrent: Torrent) -> MediaFile | None:
    return (
        MediaFile.objects.filter(file__torrent=torrent, kind=MediaKind.VIDEO)
        .select_related("file")
        .order_by("-file__size_bytes", "file__index")
        .first()
    )


def _guess(torrent: Torrent, main: MediaFile | None) -> Guess:
    """The torrent's name read; the main video's name fills what the torrent's name lacks (a
    folder named after the series, one episode inside)."""
    guess = name_guess(torrent.name)
    if main is None or not main.title:
        return guess
    if not guess.title:
        return Guess(main.title, main.year, main.season, main.episode, main.media_type)
    if guess.media_type == EPISODE and guess.episode is None and main.media_type == EPISODE:
        only_one = (
            MediaFile.objects.filter(file__torrent=torrent, kind=MediaKind.VIDEO).count() == 1
        )
        if only_one:
            season = guess.season if guess.season is not None else main.season
            return Guess(guess.title, guess.year, season, main.episode, EPISODE)
    return guess


def _tmdb_poster(title: MediaTitle, found: Found) -> None:
    """TMDB's poster into the torrent's posters, unless it is already there."""
    name = f"tmdb-{found.tmdb_id}.jpg"
    relative = poster_relative(torrent_id=title.torrent_id, name=name)
    if not poster_exists(relative):
        data = poster_fetch(found.poster_path)
        relative = poster_image_store(torrent_id=title.torrent_id, name=name, data=data)
    title.poster = relative


def _lookup(title: MediaTitle) -> None:
    """Ask TMDB about `title` (its parsed fields) and keep what it says, or why it could not."""
    title.looked_up_at = timezone.now()
    title.error = ""
    episode = None
    try:
        if title.media_type == EPISODE:
            found = tv_search(title=title.title, year=title.year)
        else:
            found = movie_search(title=title.title, year=title.year)
        if found is None:
            year = f" ({title.year})" if title.year else ""
            title.error = f"TMDB found nothing for {title.title!r}{year}"
            return
        title.source = TMDB
        title.tmdb_id = found.tmdb_id
        title.title = found.title or title.title
        title.year = found.year or title.year
        title.overview = found.overview
        if title.media_type == EPISODE and title.season is not None and title.episode is not None:
            episode = tv_episode(tv_id=found.tmdb_id, season=title.season, episode=title.episode)
            title.overview = episode.overview or found.overview
        if found.poster_path:
            _tmdb_poster(title, found)
    except TmdbError as exc:
        title.error = str(exc)[:500]


def torrent_title_update(*, torrent: Torrent) -> MediaTitle:
    """Write the torrent's MediaTitle (once found on TMDB, it is not asked again) and its search
    terms. Safe to run twice."""
    main = _main_video(torrent)
    title, _ = MediaTitle.objects.get_or_create(torrent=torrent)
    if title.source != TMDB:
        guess = _guess(torrent, main)
        title.source = PARSED
        title.media_type = guess.media_type
        title.title = guess.title
        title.year = guess.year
        title.season = guess.season
        title.episode = guess.episode
        if main is None:
            title.media_type = ""  # no video: music, books... what guessit says is no film
        if settings.SEEDBOX_TMDB_API_KEY and title.title and main is not None:
            _lookup(title)
    if not poster_exists(title.poster):
        title.poster = main.poster if main is not None and poster_exists(main.poster) else ""
    title.save()
    # The list's row shows the title and poster: the row changed (its kept table, the poll).
    Torrent.objects.filter(pk=torrent.pk).update(updated_at=timezone.now())
    if title.title:
        terms = f"{title.title} {title.year}" if title.year else title.title
        torrent_search_terms_set(torrent_id=torrent.pk, terms=terms)
    return title


def media_title_of(*, torrent_id: int) -> MediaTitle | None:
    return MediaTitle.objects.filter(torrent_id=torrent_id).first()


def media_titles_for(*, torrent_ids: list[int]) -> dict[int, MediaTitle]:
    """{torrent id: its MediaTitle} for those that have a title (one query)."""
    rows = MediaTitle.objects.filter(torrent_id__in=torrent_ids).exclude(title="")
    return {row.torrent_id: row for row in rows.only("torrent_id", "title", "year", "poster")}
