"""Ends every API token of a user whose password changes, whatever path changed it.

Django calls `password_changed()` on each entry of AUTH_PASSWORD_VALIDATORS from
`AbstractBaseUser.save()` after `set_password()`: allauth's change and reset (pages and API),
the admin's password form, `manage.py changepassword` and our services all end there, and a
hash upgrade at login does not. It is the one choke point they share. Other browser sessions
end by themselves: Django's session auth hash no longer matches the new password.
"""

from accounts.services.tokens import api_tokens_revoke_all


class EndApiTokensOnPasswordChange:
    """Listed in AUTH_PASSWORD_VALIDATORS for its hook only: it accepts every password."""

    def validate(self, password: str, user=None) -> None:
        return None

    def password_changed(self, password: str, user=None) -> None:
        if user is not None and user.pk is not None:
            api_tokens_revoke_all(user=user)

    def get_help_text(self) -> str:
        return "Changing your password ends your API tokens and your other sessions."
