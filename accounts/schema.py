"""Teaches drf-spectacular how the API token is sent, so /api/docs/ offers an Authorize box."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "`Authorization: Bearer <key>` (or `Token <key>`); get a key from "
            "POST /api/authenticate/login or the account page.",
        }
