"""Generated rows for search_bench.py: release-like names and file paths, written with COPY.

Words come from a made-up vocabulary whose use follows Zipf's law (a few words in many names,
most in few), so searches range from rare to common words as real libraries do.
"""

import datetime as dt
import io
import itertools
import json
import random

from django.db import connection
from django.db.models import Model

SYLLABLES = [a + b for a in "bcdfghklmnprstvz" for b in ("a", "e", "i", "o", "u", "ar", "en")]
RESOLUTIONS = ["720p", "1080p", "2160p"]
SOURCES = ["BluRay", "WEB-DL", "HDTV", "WEBRip"]
CODECS = ["x264", "x265", "HEVC"]


def vocabulary(size: int, rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize())
    return sorted(words, key=lambda w: rng.random())


class Names:
    """Words drawn by a Zipf-like law over the vocabulary (rank 1 the most used)."""

    def __init__(self, words: list[str], rng: random.Random):
        self.words = words
        self.rng = rng
        # Zipf-Mandelbrot (1 / (rank + 10)): the commonest word is in about a fifth of the
        # names, as "the" might be; with 1 / rank it was in 83% of them.
        weights = (1 / (rank + 10) for rank in range(len(words)))
        self.cum_weights = list(itertools.accumulate(weights))

    def pick(self, k: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum_weights, k=k)

    def release(self, number: int) -> str:
        rng = self.rng
        title = ".".join(self.pick(rng.randint(2, 4)))
        return (
            f"{title}.{rng.randint(1950, 2025)}.{rng.choice(RESOLUTIONS)}."
            f"{rng.choice(SOURCES)}.{rng.choice(CODECS)}-{self.words[number % 300].upper()}"
        )

    def files(self, name: str, count: int) -> list[str]:
        paths = [f"{name}.mkv", "Sample/sample.mkv", f"Subs/{self.pick(1)[0]}.srt"]
        for episode in range(1, count - len(paths) + 1):
            words = ".".join(self.pick(2))
            paths.append(f"Season.01/{words}.S01E{episode:02d}.mkv")
        return paths[:count]


def _text(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, list | dict):
        value = json.dumps(value)
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def copy_rows(model: type[Model], rows, **fixed) -> None:
    """COPY `rows` (dicts of field name to value) into `model`'s table; every other concrete
    column gets `fixed`'s value or the field's default (auto_now ones: now)."""
    now = dt.datetime.now(dt.UTC)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {}
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.attname] = now
        else:
            defaults[field.attname] = field.get_default()  # "" for a text column, else None
    defaults.update(fixed)
    buffer = io.StringIO()
    for row in rows:
        values = {**defaults, **row}
        buffer.write("\t".join(_text(values[f.attname]) for f in fields))
        buffer.write("\n")
    buffer.seek(0)
    columns = ", ".join(f'"{f.column}"' for f in fields)
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {model._meta.db_table} ({columns}) FROM STDIN", buffer)
