"""allauth adapter: gives the mail templates what they show besides allauth's own context."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.urls import reverse

from accounts.services.email_undo import email_change_undo_token


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        request = allauth_context.request
        extra = {
            "site_url": request.build_absolute_uri("/").rstrip("/") if request else "",
            "expire_days": settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS,
            "reset_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        }
        super().send_mail(template_prefix, email, {**extra, **context})

    def send_notification_mail(self, template_prefix, user, context=None, email=None) -> None:
        """The notice of an email change, sent to the old address, carries the undo link."""
        if template_prefix == "account/email/email_changed" and context:
            token = email_change_undo_token(
                user=user, old_email=context["from_email"], new_email=context["to_email"]
            )
            url = reverse("account-email-undo", args=[token])
            request = allauth_context.request
            context = {
                **context,
                "undo_url": request.build_absolute_uri(url) if request else url,
                "undo_days": settings.SEEDBOX_EMAIL_UNDO_DAYS,
            }
        super().send_notification_mail(template_prefix, user, context, email)
