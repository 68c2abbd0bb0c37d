"""Forms of the torrent pages that are not the add page."""

from django import forms

from torrents.services.throttle import MAX_KIB


class TorrentSettingsForm(forms.Form):
    """An owner's own speed limits (within their caps: the service checks) and seeding rule
    for one torrent; empty: none, or the owner's defaults for the rule."""

    upload_limit_kib = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_KIB, label="Upload limit (KiB/s)"
    )
    download_limit_kib = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_KIB, label="Download limit (KiB/s)"
    )
    seed_ratio = forms.FloatField(
        required=False, min_value=0.01, max_value=1_000_000, label="Stop at ratio"
    )
    seed_hours = forms.FloatField(
        required=False, min_value=0.01, max_value=1_000_000, label="Stop after hours seeding"
    )
