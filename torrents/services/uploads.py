"""Uploads that bring data: a .torrent with its data (seeded at once after rTorrent's hash check)
and data alone (the site makes the .torrent). Files arrive as temporary files on disk and are moved
into the torrent's own directory; every target path is checked to stay inside it.
"""

import shutil
import tempfile
from pathlib import Path

import torf
from django.conf import settings
from django.core.files.move import file_move_safe
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from seedbox.sizes import human_sizes
from torrents.creation import create_torrent
from torrents.metainfo import (
    Metainfo,
    parse_metainfo,
)
from torrents.models import Torrent
from torrents.services.capacity import node_room_check
from torrents.services.intake import torrent_take
from torrents.services.intake_checks import (
    IntakeError,
    data_layout,
    data_name_check,
    data_trackers_check,
    metainfo_checks,
    relative_paths_check,
    require_trackers,
)
from torrents.services.push import push_after_commit
from torrents.services.rollback import on_rollback
from torrents.storage import torrent_directory


def _relative_paths(files: list[UploadedFile], paths: list[str]) -> list[str]:
    """Each upload's relative path: from `paths` (one per file, in order) or its file name."""
    if paths and len(paths) != len(files):
        raise IntakeError(
            f"{len(files)} files but {len(paths)} paths: send one path per file", field="paths"
        )
    return relative_paths_check(paths or [f.name for f in files])


def _inside(directory: Path, relative: str) -> Path:
    target = (directory / relative).resolve()
    if not target.is_relative_to(directory.resolve()):
        raise IntakeError(f"{relative!r} would land outside the torrent's directory", field="files")
    return target


def _store(upload: UploadedFile, target: Path) -> None:
    """Move a temporary upload into place (a rename on the same file system), or copy it; taken
    away again if the item or the request fails later."""
    target.parent.mkdir(parents=True, exist_ok=True)
    on_rollback(lambda: target.unlink(missing_ok=True))
    if hasattr(upload, "temporary_file_path"):
        file_move_safe(upload.temporary_file_path(), str(target), allow_overwrite=True)
        return
    with open(target, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _match(meta: Metainfo, files: list[UploadedFile], paths: list[str]) -> list[tuple[str, object]]:
    """(path inside the torrent's directory, upload) for each upload, sizes checked."""
    relative = _relative_paths(files, paths)
    by_path = {f.path: f for f in meta.files}
    matched = []
    for upload, path in zip(files, relative, strict=True):
        if not meta.multi_file:
            entry = meta.files[0] if len(files) == 1 else by_path.get(path)
        else:
            inner = path.removeprefix(meta.name + "/") if path not in by_path else path
            entry = by_path.get(inner)
            if entry is None and "/" not in path:
                same_name = [f for f in meta.files if f.path.rsplit("/", 1)[-1] == path]
                entry = same_name[0] if len(same_name) == 1 else None
        if entry is None:
            raise IntakeError(
                f"{path!r} is not a file of this torrent (give its path inside the torrent in "
                "'paths', one per file)",
                field="files",
            )
        if upload.size != entry.size:
            sent, wanted = human_sizes(upload.size, entry.size)
            raise IntakeError(
                f"{path!r} is {sent} but the torrent's file is {wanted}: "
                "this is not the torrent's data",
                field="files",
            )
        inside = entry.path if not meta.multi_file else f"{meta.name}/{entry.path}"
        matched.append((inside, upload))
    if len({inside for inside, _ in matched}) != len(matched):
        raise IntakeError("the same file of the torrent was sent twice", field="files")
    return matched


def torrent_add_with_data(
    *, user, meta: Metainfo, files: list[UploadedFile], paths: list[str], paused: bool = False
) -> Torrent:
    """Way 3: a .torrent with (some or all of) its data. The data is put where rTorrent looks,
    so after its hash check it seeds at once; files not sent are downloaded from peers."""
    metainfo_checks(user=user, meta=meta)
    matched = _match(meta, files, paths)
    with transaction.atomic():
        torrent, fresh = torrent_take(
            user=user, info_hash=meta.info_hash, name=meta.name, meta=meta, paused=paused
        )
        if fresh:  # a co-owner's upload adds nothing: the data is already stored once
            # What was sent is on the disk already (in the temp dir): only the rest is to come.
            sent = sum(upload.size for _, upload in matched)
            node_room_check(node=torrent.node, nbytes=meta.size - sent, exclude_pk=torrent.pk)
            directory = torrent_directory(torrent)
            for inside, upload in matched:
                _store(upload, _inside(directory, inside))
            push_after_commit(torrent, verify_data=True)
    return torrent


def torrent_add_from_data(
    *,
    user,
    files: list[UploadedFile],
    paths: list[str],
    name: str = "",
    trackers: list[str] = (),
    private: bool = False,
    comment: str = "",
    paused: bool = False,
) -> Torrent:
    """Way 4: data alone. The site makes a v1 .torrent (piece size from the total size; trackers
    from the request or SEEDBOX_DEFAULT_TRACKERS) and seeds it."""
    trackers = data_trackers_check(trackers=list(trackers), user=user)
    name = data_name_check(name)
    torrent_name, inner = data_layout(_relative_paths(files, paths), name)
    staging = Path(tempfile.mkdtemp(prefix="create-", dir=settings.FILE_UPLOAD_TEMP_DIR))
    try:
        root = staging / torrent_name
        if inner:
            for upload, path in zip(files, inner, strict=True):
                _store(upload, _inside(root, path))
        else:
            _store(files[0], _inside(staging, torrent_name))
        try:
            data = create_torrent(
                root, trackers=trackers, name=torrent_name, private=private, comment=comment
            )
        except torf.TorfError as exc:
            raise IntakeError(f"cannot make a torrent of this data: {exc}", field="files") from None
        meta = parse_metainfo(
            data,
            max_size=settings.SEEDBOX_METAINFO_MAX_SIZE,
            max_files=settings.SEEDBOX_METAINFO_MAX_FILES,
        )
        require_trackers(meta.trackers)
        with transaction.atomic():
            torrent, fresh = torrent_take(
                user=user, info_hash=meta.info_hash, name=meta.name, meta=meta, paused=paused
            )
            if fresh:
                target = _inside(torrent_directory(torrent), meta.name)
                target.parent.mkdir(parents=True, exist_ok=True)
                if target.is_dir():
                    shutil.rmtree(target)
                on_rollback(lambda: _remove(target))
                shutil.move(str(root), str(target))
                push_after_commit(torrent, verify_data=True)
        return torrent
    finally:
        shutil.rmtree(staging, ignore_errors=True)
