"""The Seedbox user (email is the login; each user has a disk quota) and their API tokens."""

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models


def default_quota() -> int:
    return settings.SEEDBOX_DEFAULT_QUOTA


def avatar_path(instance: "User", filename: str) -> str:
    """A fresh random name each time, so a cached old avatar is never served for a new one."""
    return f"avatars/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **fields):
        if not email:
            raise ValueError("An email address is required.")
        # Lower case, as sign-up stores it: allauth finds the account by its exact address.
        user = self.model(email=self.normalize_email(email).strip().lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        if not (fields["is_staff"] and fields["is_superuser"]):
            raise ValueError("A superuser must have is_staff and is_superuser.")
        return self._create_user(email, password, **fields)


class User(AbstractUser):
    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    quota_bytes = models.BigIntegerField(
        default=default_quota, help_text="Disk space this user's torrents may take, in bytes."
    )
    used_bytes = models.BigIntegerField(
        default=0, help_text="Disk space this user's torrents take now, in bytes."
    )
    trusted = models.BooleanField(
        default=False, help_text="Torrents from a trusted user skip moderation."
    )
    # Speed caps (admin-set; torrents/services/throttle.py), 0: none.
    upload_cap_kib = models.PositiveIntegerField(
        "upload cap (KiB/s)", default=0, help_text="All this user's torrents together; 0: none."
    )
    download_cap_kib = models.PositiveIntegerField(
        "download cap (KiB/s)", default=0, help_text="All this user's torrents together; 0: none."
    )
    # Seeding rules by default (the user's own; torrents/services/seeding.py), null: none.
    seed_ratio = models.FloatField(null=True, blank=True, help_text="Stop seeding at this ratio.")
    seed_hours = models.FloatField(
        null=True, blank=True, help_text="Stop after seeding this many hours."
    )
    avatar = models.ImageField(
        upload_to=avatar_path,
        blank=True,
        help_text="PNG or JPEG, re-encoded by the server with its metadata stripped.",
    )
    # The quota level (0, 90 or 100 %) the user was last told about (torrents/services/quota.py):
    # each upward crossing is told once; falling below lowers it again.
    quota_notified_level = models.PositiveSmallIntegerField(default=0, editable=False)
    weekly_summary = models.BooleanField(
        default=False,
        help_text="Send me a summary each Monday: traffic, ratio and what finished last week.",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(used_bytes__gte=0), name="user_used_bytes_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        # Losing the password is a password change too: like set_password(), let save() call the
        # password_changed hooks (accounts.password_hooks ends the API tokens).
        self._password = ""


class ApiToken(models.Model):
    """A key for `Authorization: Token <key>` (or `Bearer`). Only its SHA-256 is stored: the key
    itself is shown once, when it is made."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(
        max_length=12, help_text="The key's first characters, to tell keys apart."
    )
    digest = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    last_ip = models.GenericIPAddressField(
        null=True, blank=True, help_text="Client address of the last use (as allauth sees it)."
    )
    expires = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires.")

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or 'unnamed'})"
