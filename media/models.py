"""What the site knows of the media inside torrents, and the ways to watch and share it.

- MediaFile: what ffprobe and guessit said of one torrent file (one row per probed file).
- MediaTitle: what a torrent is (a film, an episode), parsed from its name or found on TMDB.
- Encode: one HLS rendition of a file, made by ffmpeg under SEEDBOX_HLS_DIR, shared by everyone
  watching that file from that point.
- PlaybackPosition: where a user stopped in a file (resume).
- MediaView: one counted view (once per user, file and SEEDBOX_VIEW_WINDOW).
- DirectLink / ShareLink: URLs that work outside the browser (a signed, expiring key of the
  owner's) and for anyone (public, optionally with a password).
"""

from django.conf import settings
from django.db import models


class MediaKind(models.TextChoices):
    VIDEO = "video"
    AUDIO = "audio"
    SUBTITLE = "subtitle"
    OTHER = "other"


class HlsMode(models.TextChoices):
    REMUX = "remux"  # -c copy: the codecs already play in browsers
    TRANSCODE = "transcode"  # to H.264/AAC


class MediaFile(models.Model):
    file = models.OneToOneField(
        "torrents.TorrentFile", on_delete=models.CASCADE, related_name="media"
    )
    kind = models.CharField(max_length=16, choices=MediaKind.choices, default=MediaKind.OTHER)
    probed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)  # why ffprobe could not read it
    container = models.CharField(max_length=100, blank=True)  # ffprobe's format_name
    duration_seconds = models.FloatField(null=True, blank=True)
    bit_rate = models.BigIntegerField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    video_codec = models.CharField(max_length=50, blank=True)
    audio_codec = models.CharField(max_length=50, blank=True)
    # [{"index": stream index, "codec": ..., "language": ..., "title": ..., "channels": ...}]
    audio_tracks = models.JSONField(default=list, blank=True)
    subtitle_tracks = models.JSONField(default=list, blank=True)
    browser_playable = models.BooleanField(
        default=False, help_text="Container and codecs a browser plays directly (no HLS)."
    )
    hls_mode = models.CharField(max_length=16, choices=HlsMode.choices, blank=True)
    poster = models.CharField(max_length=500, blank=True)  # relative to SEEDBOX_MEDIA_DIR
    # What guessit read in the file's path.
    title = models.CharField(max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    season = models.PositiveSmallIntegerField(null=True, blank=True)
    episode = models.PositiveSmallIntegerField(null=True, blank=True)
    media_type = models.CharField(max_length=16, blank=True)  # movie, episode, or ''

    def __str__(self) -> str:
        return f"{self.kind}: {self.file_id}"


class MediaTitle(models.Model):
    torrent = models.OneToOneField(
        "torrents.Torrent", on_delete=models.CASCADE, related_name="media_title"
    )
    source = models.CharField(max_length=16, default="parsed")  # parsed (guessit) or tmdb
    media_type = models.CharField(max_length=16, blank=True)  # movie, episode, or ''
    title = models.CharField(max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    season = models.PositiveSmallIntegerField(null=True, blank=True)
    episode = models.PositiveSmallIntegerField(null=True, blank=True)
    overview = models.TextField(blank=True)
    poster = models.CharField(max_length=500, blank=True)  # relative to SEEDBOX_MEDIA_DIR
    tmdb_id = models.PositiveIntegerField(null=True, blank=True)
    looked_up_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return self.title or str(self.torrent_id)


class EncodeStatus(models.TextChoices):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Encode(models.Model):
    file = models.ForeignKey("torrents.TorrentFile", on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=16, choices=HlsMode.choices)
    start_seconds = models.PositiveIntegerField(default=0)  # a seek ahead starts a new encode
    directory = models.CharField(max_length=500)  # relative to SEEDBOX_HLS_DIR
    status = models.CharField(
        max_length=16, choices=EncodeStatus.choices, default=EncodeStatus.RUNNING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # the encoder is alive
    finished_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(auto_now_add=True)  # least recently used goes first
    size_bytes = models.BigIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    # ffprobe's index of the audio stream it carries; -1: the file's first (branch hls).
    audio_stream = models.IntegerField(default=-1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["file", "mode", "start_seconds", "audio_stream"],
                name="media_encode_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.mode} of {self.file_id} from {self.start_seconds}s"


class PlaybackPosition(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file = models.ForeignKey("torrents.TorrentFile", on_delete=models.CASCADE, related_name="+")
    position_seconds = models.FloatField(default=0)
    duration_seconds = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "file"], name="media_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} at {self.position_seconds:.0f}s of {self.file_id}"


class ViewVia(models.TextChoices):
    SITE = "site"
    DIRECT = "direct"
    SHARE = "share"


class MediaView(models.Model):
    # None: a share-link visitor (counted per link instead of per user).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.ForeignKey("torrents.TorrentFile", on_delete=models.CASCADE, related_name="+")
    torrent = models.ForeignKey("torrents.Torrent", on_delete=models.CASCADE, related_name="+")
    via = models.CharField(max_length=16, choices=ViewVia.choices, default=ViewVia.SITE)
    share = models.ForeignKey(
        "media.ShareLink", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    viewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["file", "user", "-viewed_at"], name="media_view_recent"),
            models.Index(fields=["torrent"], name="media_view_torrent"),
        ]

    def __str__(self) -> str:
        return f"{self.via} view of {self.file_id}"


class DirectLink(models.Model):
    """A URL that needs no cookie (wget, VLC, Kodi): its key is the secret. Dead when expired,
    revoked, or once the user's password changed (password_stamp no longer matches)."""

    key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    torrent = models.ForeignKey("torrents.Torrent", on_delete=models.CASCADE, related_name="+")
    file = models.ForeignKey(
        "torrents.TorrentFile", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    folder = models.CharField(max_length=4096, blank=True)  # '' and no file: the whole torrent
    password_stamp = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    use_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"direct link {self.pk} of {self.torrent_id}"


class ShareLink(models.Model):
    """A public link to one torrent, folder or file: expiring, revocable, optionally behind a
    password (hashed like account passwords), counted."""

    key = models.CharField(max_length=64, unique=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    torrent = models.ForeignKey("torrents.Torrent", on_delete=models.CASCADE, related_name="+")
    file = models.ForeignKey(
        "torrents.TorrentFile", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    folder = models.CharField(max_length=4096, blank=True)
    password = models.CharField(max_length=200, blank=True)  # make_password(); '' for none
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    visit_count = models.PositiveIntegerField(default=0)
    download_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"share link {self.pk} of {self.torrent_id}"
