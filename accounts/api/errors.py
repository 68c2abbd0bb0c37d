"""Service errors as API answers: 400 with field messages, 403, 429."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import PermissionDenied, Throttled, ValidationError
from rest_framework.serializers import as_serializer_error

from accounts.services.errors import (
    AccountDisabled,
    EmailNotConfirmed,
    MfaSetupRequired,
    RateLimited,
)


@contextmanager
def service_errors() -> Iterator[None]:
    try:
        yield
    except DjangoValidationError as exc:
        raise ValidationError(as_serializer_error(exc)) from None
    except RateLimited:
        raise Throttled(detail="Too many attempts; try again in a few minutes.") from None
    except AccountDisabled:
        raise PermissionDenied("This account is disabled.") from None
    except MfaSetupRequired:
        raise PermissionDenied(MfaSetupRequired.message) from None
    except EmailNotConfirmed:
        raise PermissionDenied(
            "Confirm your email address first: the link was mailed to you (again)."
        ) from None
