"""What account services raise besides Django's ValidationError (400)."""


class RateLimited(Exception):
    """Too many attempts from this address or for this account: answer 429."""


class EmailNotConfirmed(Exception):
    """Right password, but the address is not confirmed yet: answer 403."""


class AccountDisabled(Exception):
    """Right password, but an admin disabled the account: answer 403."""


class MfaRequired(Exception):
    """Right password, and the account has a second factor: the client sends a code with this
    ticket (answer 401 with the ticket)."""

    def __init__(self, ticket: str):
        super().__init__("A second factor is needed.")
        self.ticket = ticket


class MfaSetupRequired(Exception):
    """A staff member without a second factor while the site requires one: answer 403."""

    message = "Staff must set up two-factor login first: open /accounts/2fa/ in a browser."
