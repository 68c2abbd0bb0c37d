"""allauth adapter: gives the mail templates what they show besides allauth's own context."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        request = allauth_context.request
        extra = {
            "site_url": request.build_absolute_uri("/").rstrip("/") if request else "",
            "expire_days": settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS,
            "reset_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        }
        super().send_mail(template_prefix, email, {**extra, **context})
