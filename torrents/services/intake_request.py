"""One add request, every way in at once (.torrent files, magnet links, URLs, a .torrent with
its data, data to make a torrent from): each item in its own savepoint of the request's one
transaction. The API, the add page and the drop zone call `intake_submit`.

Above both intake.py (a torrent taken in) and uploads.py (one that comes with its data, which
takes it in through intake.py): imports go one way, request -> uploads -> intake.
"""

from dataclasses import dataclass, field

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from torrents.models import Torrent, TorrentFetch
from torrents.services.fetch_requests import torrent_fetch_request
from torrents.services.intake import metainfo_read, torrent_add_magnet, torrent_add_metainfo
from torrents.services.intake_checks import (
    ITEM_ERRORS,
    IntakeRequestError,
    request_count_check,
    torrent_url_check,
)
from torrents.services.labels import LabelError, labels_parse, torrents_label_add
from torrents.services.rollback import rollback_scope
from torrents.services.uploads import torrent_add_from_data, torrent_add_with_data


@dataclass
class Rejection:
    name: str
    reason: str
    field: str | None = None  # the request field it is about, when not the item itself


@dataclass
class IntakeResult:
    added: list[Torrent] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    fetches: list[TorrentFetch] = field(default_factory=list)  # URLs a worker fetches


def _lines(values: list[str]) -> list[str]:
    return [line.strip() for value in values for line in value.splitlines() if line.strip()]


def intake_submit(
    *,
    user,
    torrents: list[UploadedFile] = (),
    magnets: list[str] = (),
    urls: list[str] = (),
    torrent: UploadedFile | None = None,
    files: list[UploadedFile] = (),
    paths: list[str] = (),
    name: str = "",
    trackers: list[str] = (),
    private: bool = False,
    comment: str = "",
    paused: bool = False,
    skip_files: list[int] | None = None,
    labels: list[str] = (),
) -> IntakeResult:
    """Every way in at once; per item, the torrent or the reason it was refused (URLs: the
    fetch queued, in `fetches`). `paused`: every torrent added is loaded without starting.
    `skip_files` (file indexes not to download) applies to a single `.torrent` sent in
    `torrents`. `labels` (names, or comma-separated names, as forms send them) go on every
    torrent added, for `user`. The request is one transaction: either the answer says what was
    added, or nothing was."""
    try:
        label_names = labels_parse(",".join(labels))
    except LabelError as exc:
        raise IntakeRequestError(f"labels: {exc}") from None
    magnet_list = _lines(list(magnets))
    url_list = _lines(list(urls))
    request_count_check(
        len(torrents) + len(magnet_list) + len(url_list) + (1 if torrent or files else 0)
    )
    if skip_files is not None and len(torrents) != 1:
        raise IntakeRequestError(
            "skip_files chooses files of one .torrent: send exactly one in `torrents` with it"
        )
    with transaction.atomic(), rollback_scope():
        result = _submit_items(
            user=user,
            torrents=torrents,
            magnet_list=magnet_list,
            url_list=url_list,
            label_names=label_names,
            torrent=torrent,
            files=files,
            paths=paths,
            name=name,
            trackers=trackers,
            private=private,
            comment=comment,
            paused=paused,
            skip_files=skip_files,
        )
        if label_names and result.added:
            try:
                torrents_label_add(user=user, torrents=result.added, names=label_names)
            except LabelError as exc:  # too many labels of theirs: the request is refused whole
                raise IntakeRequestError(f"labels: {exc}") from None
        return result


def _submit_items(
    *,
    user,
    torrents,
    magnet_list,
    url_list,
    label_names,
    torrent,
    files,
    paths,
    name,
    trackers,
    private,
    comment,
    paused,
    skip_files=None,
) -> IntakeResult:
    """The items of one request, each in a savepoint: a refused item leaves nothing, and an
    unexpected error takes the whole request back (the client is told nothing was added)."""
    result = IntakeResult()

    def attempt(label: str, add, into: list | None = None) -> None:
        try:
            with transaction.atomic(), rollback_scope():
                added = add()
        except ITEM_ERRORS as exc:
            field_name = getattr(exc, "field", None)
            result.rejected.append(Rejection(name=label, reason=str(exc), field=field_name))
        else:
            (result.added if into is None else into).append(added)

    for upload in torrents:
        attempt(
            upload.name,
            lambda u=upload: torrent_add_metainfo(
                user=user, meta=metainfo_read(u), paused=paused, skip_files=skip_files
            ),
        )
    for uri in magnet_list:
        attempt(uri[:200], lambda u=uri: torrent_add_magnet(user=user, uri=u, paused=paused))
    for url in url_list:
        attempt(
            url[:200],
            lambda u=url: torrent_fetch_request(
                user=user, url=torrent_url_check(u), paused=paused, labels=label_names
            ),
            into=result.fetches,
        )
    if torrent is not None:
        attempt(
            torrent.name,
            lambda: torrent_add_with_data(
                user=user,
                meta=metainfo_read(torrent),
                files=list(files),
                paths=list(paths),
                paused=paused,
            ),
        )
    elif files:
        attempt(
            name or files[0].name,
            lambda: torrent_add_from_data(
                user=user,
                files=list(files),
                paths=list(paths),
                name=name,
                trackers=_lines(list(trackers)),
                private=private,
                comment=comment,
                paused=paused,
            ),
        )
    return result
