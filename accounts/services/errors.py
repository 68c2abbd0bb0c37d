"""What account services raise besides Django's ValidationError (400)."""


class RateLimited(Exception):
    """Too many attempts from this address or for this account: answer 429."""


class EmailNotConfirmed(Exception):
    """Right password, but the address is not confirmed yet: answer 403."""


class AccountDisabled(Exception):
    """Right password, but an admin disabled the account: answer 403."""
