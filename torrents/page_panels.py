"""What other apps add to the torrent pages without torrents importing them (media's poster,
player and links; statistics): an app registers functions in its AppConfig.ready(), the pages
call them and place the HTML they return.

- `panel(slot)`: `func(request, torrent) -> str | None`, HTML (rendered from the app's own
  template) for a slot of the torrent page: "header" (under the title), "before_files" (above
  the file table) or "after_files" (below it).
- `file_actions`: `func(request, torrent, files) -> {file id: HTML}`, placed in each file's
  actions cell (one call per page, not per file).
- `row_extras`: `func(user, torrents) -> {torrent id: HTML}`, placed in the list's name cell
  (one call for the page's rows, not per row: the list's time budget is tight).
"""

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

SLOTS = ("header", "before_files", "after_files")

_PANELS: dict[str, list[Callable]] = {slot: [] for slot in SLOTS}
_FILE_ACTIONS: list[Callable] = []
_ROW_EXTRAS: list[Callable] = []


def panel(slot: str) -> Callable[[Callable], Callable]:
    if slot not in SLOTS:
        raise ValueError(f"no slot {slot!r} on the torrent page; slots: {', '.join(SLOTS)}")

    def register(func: Callable) -> Callable:
        if func not in _PANELS[slot]:
            _PANELS[slot].append(func)
        return func

    return register


def file_actions(func: Callable) -> Callable:
    if func not in _FILE_ACTIONS:
        _FILE_ACTIONS.append(func)
    return func


def row_extras(func: Callable) -> Callable:
    if func not in _ROW_EXTRAS:
        _ROW_EXTRAS.append(func)
    return func


def panels_for(request, torrent) -> dict[str, SafeString]:
    """{slot: the HTML every registered panel gave for it}."""
    found = {}
    for slot, funcs in _PANELS.items():
        parts = [html for func in funcs if (html := func(request, torrent))]
        found[slot] = mark_safe("".join(parts))
    return found


def _joined(funcs: list[Callable], *args) -> dict[int, SafeString]:
    merged: dict[int, list[str]] = {}
    for func in funcs:
        for key, html in (func(*args) or {}).items():
            if html:
                merged.setdefault(key, []).append(html)
    return {key: mark_safe("".join(parts)) for key, parts in merged.items()}


def file_actions_for(request, torrent, files) -> dict[int, SafeString]:
    return _joined(_FILE_ACTIONS, request, torrent, files)


def row_extras_for(user, torrents) -> dict[int, SafeString]:
    return _joined(_ROW_EXTRAS, user, torrents)
