"""A search box's text made ready for an engine: release-name separators turned into spaces and
the last word picked out to match as a prefix (as you type). Plain Python, no database: the
user's text is only ever sent as a parameter, never spliced into tsquery syntax."""

import re
from dataclasses import dataclass

# What release names and file paths separate words with: dots, underscores, slashes; and a dash
# inside a word ("x264-GRP"). A dash that starts a word is websearch's "not" and is kept.
_SEPARATORS = re.compile(r"[._/\\]+|(?<=[^\W_])-")
# The characters the stored vectors turn into spaces (the same list, for SQL's translate()).
INDEX_SEPARATORS = "._-/\\"
# A last word shorter than this is matched whole: "a:*" would read half the index.
PREFIX_MIN = 2
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class SearchText:
    """`text`: websearch syntax (quotes, -word, or), separators made spaces. `prefix`: whether
    its last word is matched as a prefix too (a plain word, not in an open quote, not negated,
    not "or", at least PREFIX_MIN long)."""

    text: str
    prefix: bool

    @property
    def has_words(self) -> bool:
        return bool(_WORD.search(self.text))


def normalized(text: str) -> str:
    """`text` with the separators release names use made spaces ("Big.Buck.Bunny" -> "Big
    Buck Bunny"), and runs of blanks collapsed."""
    return " ".join(_SEPARATORS.sub(" ", text).split())


def query_words(text: str) -> list[str]:
    """The words of `text` as the index has them (lowercase, separators split)."""
    return _WORD.findall(normalized(text).lower())


def plain_words(text: str) -> list[str] | None:
    """The words of `text`, lowercase, when it is nothing but plain words (letters and digits
    between blanks, once separators are made spaces: what Postgres' parser reads as one lexeme
    each, as this module does); None when it holds anything else (quotes, -word, signs)."""
    words = normalized(text).lower().split()
    return words if all(_WORD.fullmatch(word) for word in words) else None


def search_text(q: str) -> SearchText:
    text = normalized(q)
    last = text.rpartition(" ")[2]
    prefix = (
        text.count('"') % 2 == 0
        and _WORD.fullmatch(last) is not None
        and last.lower() != "or"
        and len(last) >= PREFIX_MIN
    )
    return SearchText(text=text, prefix=prefix)
