"""JSON shapes of the accounts API. Validation of rights lives in accounts.services.users."""

from allauth.usersessions.models import UserSession
from django.urls import reverse
from rest_framework import serializers

from accounts.models import ApiToken, User
from accounts.selectors import user_email_confirmed, user_email_pending


class UserSerializer(serializers.ModelSerializer):
    email_confirmed = serializers.SerializerMethodField()
    email_pending = serializers.SerializerMethodField(
        help_text="A new address waiting for its confirmation link to be opened."
    )
    avatar = serializers.SerializerMethodField(help_text="URL of the avatar image, or null.")

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "email_confirmed",
            "email_pending",
            "avatar",
            "quota_bytes",
            "used_bytes",
            "upload_cap_kib",
            "download_cap_kib",
            "seed_ratio",
            "seed_hours",
            "weekly_summary",
            "trusted",
            "is_staff",
            "is_active",
            "date_joined",
            "last_login",
        ]
        read_only_fields = fields

    def get_email_confirmed(self, user: User) -> bool:
        annotated = getattr(user, "email_confirmed", None)
        return annotated if annotated is not None else user_email_confirmed(user)

    def get_email_pending(self, user: User) -> str | None:
        if hasattr(user, "email_pending"):  # annotated by users_visible_to
            return user.email_pending
        return user_email_pending(user)

    def get_avatar(self, user: User) -> str | None:
        if not user.avatar:
            return None
        url = reverse("api-user-avatar", args=[user.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class UserUpdateSerializer(serializers.Serializer):
    """Self: email and password (each with current_password; a new email is confirmed by
    mail), avatar, the default seeding rule, the weekly summary. Admin also: is_staff,
    quota_bytes, trusted, is_active, the speed caps."""

    email = serializers.EmailField(required=False)
    password = serializers.CharField(required=False, write_only=True, trim_whitespace=False)
    current_password = serializers.CharField(
        required=False,
        write_only=True,
        trim_whitespace=False,
        help_text="Needed with `email` or `password`; a wrong one counts as a failed login.",
    )
    avatar = serializers.FileField(
        required=False, allow_null=True, help_text="PNG or JPEG (multipart); null removes it."
    )
    is_staff = serializers.BooleanField(required=False)
    quota_bytes = serializers.IntegerField(required=False, min_value=0)
    trusted = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)
    upload_cap_kib = serializers.IntegerField(
        required=False, min_value=0, max_value=250_000, help_text="Admins only; KiB/s, 0: none."
    )
    download_cap_kib = serializers.IntegerField(
        required=False, min_value=0, max_value=250_000, help_text="Admins only; KiB/s, 0: none."
    )
    seed_ratio = serializers.FloatField(
        required=False,
        allow_null=True,
        min_value=0.01,
        max_value=1_000_000,
        help_text="Your default: stop seeding at this ratio (uploaded / size); null: never.",
    )
    seed_hours = serializers.FloatField(
        required=False,
        allow_null=True,
        min_value=0.01,
        max_value=1_000_000,
        help_text="Your default: stop after seeding this many hours; null: never.",
    )
    weekly_summary = serializers.BooleanField(
        required=False,
        help_text="Your choice: a summary each Monday (traffic, ratio, what finished).",
    )

    def validate(self, attrs: dict) -> dict:
        if "password" in attrs and not attrs.get("current_password"):
            raise serializers.ValidationError(
                {"current_password": ["Give your current password to change it."]}
            )
        return attrs


class CredentialsSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class LoginCredentialsSerializer(CredentialsSerializer):
    code = serializers.CharField(
        required=False,
        max_length=64,
        help_text="For an account with two-factor login: a code from the authenticator app or "
        "a recovery code. Without it such an account gets 401 with a ticket.",
    )


class SecondFactorSerializer(serializers.Serializer):
    ticket = serializers.CharField(max_length=100, help_text="From the 401 answer of the login.")
    code = serializers.CharField(
        max_length=64, help_text="A code from the authenticator app, or a recovery code."
    )


class MfaRequiredSerializer(serializers.Serializer):
    detail = serializers.CharField()
    mfa_required = serializers.BooleanField()
    ticket = serializers.CharField(help_text="Send it to /api/authenticate/2fa with a code.")
    methods = serializers.ListField(child=serializers.CharField())


class EmailSerializer(serializers.Serializer):
    email = serializers.EmailField()


class TokenQuerySerializer(serializers.Serializer):
    token = serializers.CharField()


class PasswordResetSerializer(serializers.Serializer):
    token = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class SubscribedSerializer(serializers.Serializer):
    user = serializers.DictField(help_text="`{email, email_confirmed}`: the same for any address.")
    detail = serializers.CharField()


class LoginSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")
    user = UserSerializer()


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created", "last_used", "last_ip", "expires"]
        read_only_fields = ["id", "prefix", "created", "last_used", "last_ip", "expires"]


class NewApiTokenSerializer(ApiTokenSerializer):
    key = serializers.CharField(read_only=True, help_text="Shown once; store it now.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]


class UserSessionSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(help_text="Whether this request comes from it.")

    class Meta:
        model = UserSession
        fields = ["id", "ip", "user_agent", "created_at", "last_seen_at", "current"]
        read_only_fields = fields

    def get_current(self, session: UserSession) -> bool:
        request = self.context.get("request")
        key = request.session.session_key if request and hasattr(request, "session") else None
        return bool(key) and session.session_key == key


class EndedCountSerializer(serializers.Serializer):
    ended = serializers.IntegerField(help_text="How many sessions or tokens were ended.")
