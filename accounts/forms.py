"""Small forms of the account page, and allauth's forms where the site adds a rule."""

from allauth.account import forms as allauth_forms
from allauth.core import context as allauth_context
from django import forms
from django.core.exceptions import ValidationError

from accounts.services.errors import RateLimited
from accounts.services.passwords import user_check_password
from accounts.services.signup import signup_taken_address_work

TOO_MANY_GUESSES = "Too many wrong passwords; try again in a few minutes."


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


def check_current_password(user, password: str) -> str:
    """A form field's check of the current password, counted like a failed login."""
    try:
        user_check_password(request=allauth_context.request, user=user, password=password)
    except ValidationError as exc:
        raise forms.ValidationError(exc.message_dict["current_password"]) from None
    except RateLimited:
        raise forms.ValidationError(TOO_MANY_GUESSES) from None
    return password


class ChangePasswordForm(allauth_forms.ChangePasswordForm):
    """allauth's, with wrong old passwords counted in the login failure limits."""

    def clean_oldpassword(self) -> str:
        return check_current_password(self.user, self.cleaned_data.get("oldpassword", ""))


class AddEmailForm(allauth_forms.AddEmailForm):
    """allauth's change of address, which also asks for the current password."""

    current_password = forms.CharField(
        label="Current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean_current_password(self) -> str:
        return check_current_password(self.user, self.cleaned_data.get("current_password", ""))


class SignupForm(allauth_forms.SignupForm):
    """allauth's sign-up, as slow for an address that has an account as for a new one."""

    def try_save(self, request):
        if self.account_already_exists:
            signup_taken_address_work(password=self.cleaned_data.get("password1", ""))
        return super().try_save(request)


class SeedingDefaultsForm(forms.Form):
    """The user's own default seeding rule. Caps are not here: only an admin sets them."""

    seed_ratio = forms.FloatField(
        required=False, min_value=0.01, max_value=1_000_000, label="Stop at ratio"
    )
    seed_hours = forms.FloatField(
        required=False, min_value=0.01, max_value=1_000_000, label="Stop after hours seeding"
    )


class WeeklySummaryForm(forms.Form):
    weekly_summary = forms.BooleanField(
        required=False, label="Send me a summary each Monday: traffic, ratio and what finished"
    )
