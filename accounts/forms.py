"""Small forms of the account page (allauth's forms cover sign-up, login, email, passwords)."""

from django import forms


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, required=False, help_text="What uses it, e.g. “laptop script”."
    )


class AvatarForm(forms.Form):
    avatar = forms.FileField(required=False, help_text="PNG or JPEG.")
    remove = forms.BooleanField(required=False, label="Remove my avatar")

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("remove") and not data.get("avatar"):
            raise forms.ValidationError("Choose an image, or tick “Remove my avatar”.")
        return data
