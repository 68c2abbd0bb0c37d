"""Release names read as what they are (guessit): `Big.Buck.Bunny.2008.1080p.BluRay.x264.mkv` is
the film "Big Buck Bunny" of 2008, `Show.Name.S01E05.720p.HDTV.mkv` episode 5 of season 1.

guessit answers lists for multi-episode names (S01E01E02): the first one is kept. It calls
anything without an episode number a movie: the caller knows better (an album is no film)."""

from dataclasses import dataclass

from guessit import guessit

MOVIE = "movie"
EPISODE = "episode"


@dataclass(frozen=True)
class Guess:
    title: str = ""
    year: int | None = None
    season: int | None = None
    episode: int | None = None
    media_type: str = ""  # movie, episode, or '' when guessit could not tell


def _first(value) -> int | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, int) and 0 <= value < 32768 else None


def name_guess(name: str) -> Guess:
    """What `name` (a torrent's name or a file's path) says it is; an empty Guess when nothing."""
    try:
        found = guessit(name)
    except Exception:  # guessit's rules raise odd errors on odd names; a name is only a hint
        return Guess()
    title = found.get("title")
    if isinstance(title, list):
        title = title[0] if title else ""
    if not title:
        return Guess()
    media_type = found.get("type", "")
    return Guess(
        title=str(title or "")[:300],
        year=_first(found.get("year")),
        season=_first(found.get("season")),
        episode=_first(found.get("episode")),
        media_type=media_type if media_type in (MOVIE, EPISODE) else "",
    )
