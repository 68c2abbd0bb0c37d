"""The TMDB client (API v3, https://developer.themoviedb.org/reference): films and series by
title and year, an episode by season and number, and poster images.

Every request goes through seedbox/fetch.py (public addresses only, bounded in time and size).
The key is TMDB's v3 "API key", sent as the `api_key` parameter. Every failure is a TmdbError
saying what went wrong and whether a later try may help (a timeout, a 429, a 5xx)."""

import json
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.conf import settings

from seedbox.fetch import FetchError, fetch

MAX_JSON = 1 << 20
MAX_IMAGE = 5 << 20


class TmdbError(Exception):
    def __init__(self, message: str, *, transient: bool = False):
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class Found:
    tmdb_id: int
    title: str
    year: int | None
    overview: str
    poster_path: str  # TMDB's image path ("/abc.jpg"), '' for none


@dataclass(frozen=True)
class Episode:
    name: str
    overview: str
    still_path: str


def _get(path: str, params: dict) -> dict:
    query = urlencode({"api_key": settings.SEEDBOX_TMDB_API_KEY, **params})
    url = f"{settings.SEEDBOX_TMDB_API_URL}{path}?{query}"
    try:
        answer = fetch(url, max_bytes=MAX_JSON, accept="application/json")
    except FetchError as exc:
        raise TmdbError(f"TMDB: {exc}", transient=exc.transient) from None
    try:
        data = json.loads(answer.body)
    except ValueError:
        raise TmdbError("TMDB answered something that is not JSON", transient=True) from None
    if not isinstance(data, dict):
        raise TmdbError("TMDB answered an unexpected JSON document")
    return data


def _year(date: str | None) -> int | None:
    head = (date or "")[:4]
    return int(head) if head.isdigit() else None


def _first(data: dict, *, title_key: str, date_key: str) -> Found | None:
    results = data.get("results")
    if not isinstance(results, list) or not results or not isinstance(results[0], dict):
        return None
    best = results[0]  # TMDB orders results by relevance
    if not isinstance(best.get("id"), int):
        return None
    return Found(
        tmdb_id=best["id"],
        title=str(best.get(title_key) or "")[:300],
        year=_year(best.get(date_key)),
        overview=str(best.get("overview") or ""),
        poster_path=str(best.get("poster_path") or ""),
    )


def movie_search(*, title: str, year: int | None = None) -> Found | None:
    """GET /search/movie: the best match for a film, or None."""
    params = {"query": title, "include_adult": "false"}
    if year:
        params["year"] = year
    return _first(_get("/search/movie", params), title_key="title", date_key="release_date")


def tv_search(*, title: str, year: int | None = None) -> Found | None:
    """GET /search/tv: the best match for a series, or None."""
    params = {"query": title, "include_adult": "false"}
    if year:
        params["first_air_date_year"] = year
    return _first(_get("/search/tv", params), title_key="name", date_key="first_air_date")


def tv_episode(*, tv_id: int, season: int, episode: int) -> Episode:
    """GET /tv/{id}/season/{s}/episode/{e}: the episode's name and overview."""
    data = _get(f"/tv/{int(tv_id)}/season/{int(season)}/episode/{int(episode)}", {})
    return Episode(
        name=str(data.get("name") or "")[:300],
        overview=str(data.get("overview") or ""),
        still_path=str(data.get("still_path") or ""),
    )


def poster_fetch(poster_path: str) -> bytes:
    """The poster image (a JPEG) at TMDB's `poster_path`."""
    url = f"{settings.SEEDBOX_TMDB_IMAGE_URL}/{quote(poster_path.lstrip('/'))}"
    try:
        answer = fetch(url, max_bytes=MAX_IMAGE, accept="image/jpeg")
    except FetchError as exc:
        raise TmdbError(f"TMDB image: {exc}", transient=exc.transient) from None
    if not answer.body.startswith(b"\xff\xd8"):
        raise TmdbError("TMDB's poster is not a JPEG image")
    return answer.body
