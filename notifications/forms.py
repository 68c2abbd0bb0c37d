from django import forms

from notifications.services.webhooks import MAX_URL_LENGTH


class WebhookForm(forms.Form):
    url = forms.CharField(
        max_length=MAX_URL_LENGTH,
        label="URL",
        help_text="http:// or https://, on a public address; events are POSTed to it as JSON.",
    )
