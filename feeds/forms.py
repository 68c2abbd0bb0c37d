"""The feeds page's forms: they collect the fields; the services check them (FeedError)."""

from django import forms
from django.conf import settings


class FeedAddForm(forms.Form):
    url = forms.CharField(max_length=2000, label="Feed URL")
    interval = forms.IntegerField(label="Every (minutes)", min_value=1)
    cookie = forms.CharField(
        max_length=4000, required=False, label="Cookie (optional)",
        help_text="Sent to the feed's host only; never shown again.",
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        floor = settings.SEEDBOX_FEED_MIN_INTERVAL
        self.fields["interval"].initial = max(30, floor)
        self.fields["interval"].help_text = f"At least {floor}."


class FeedSettingsForm(forms.Form):
    interval = forms.IntegerField(label="Every (minutes)", min_value=1)
    enabled = forms.BooleanField(required=False, label="Enabled")
    cookie = forms.CharField(
        max_length=4000, required=False, label="New cookie",
        help_text="Leave empty to keep the current one.",
    )  # fmt: skip
    clear_cookie = forms.BooleanField(required=False, label="Remove the cookie")


class RuleForm(forms.Form):
    include = forms.CharField(max_length=500, required=False, label="Must contain")
    exclude = forms.CharField(max_length=500, required=False, label="Must not contain")
    regex = forms.BooleanField(required=False, label="Regular expressions")
    min_size = forms.CharField(
        max_length=30, required=False, label="At least", help_text="e.g. 200MiB"
    )
    max_size = forms.CharField(
        max_length=30, required=False, label="At most", help_text="e.g. 4GiB"
    )
    after_episode = forms.CharField(
        max_length=20, required=False, label="Only after", help_text="e.g. S01E05"
    )
    smart_filter = forms.BooleanField(required=False, label="Each episode once (smart filter)")
    label = forms.CharField(max_length=100, required=False, label="Label")
    paused = forms.BooleanField(required=False, label="Add paused")

    def rule(self) -> dict:
        """The fields as the services take them (empty sizes are none)."""
        data = dict(self.cleaned_data)
        for name in ("min_size", "max_size"):
            data[name] = data[name] or None
        return data
