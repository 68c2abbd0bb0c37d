"""The OpenAPI schema's error answers, added once for every operation.

drf-spectacular documents what a view returns when all goes well. The answers DRF itself gives
(401 for a missing or bad token, 403 from an admin-only permission, 404 for an id that is not yours,
400 for a body or query that does not validate) are the same everywhere, so they are added here
from what the view declares (its permissions, path, body and query), and a fuzzer holding the API
to its schema knows every status it may get. Answers only some views give (409, 429, 503...) are
declared on those views with `extend_schema`.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated


class ErrorDetailSerializer(serializers.Serializer):
    """The body of every refusal: {"detail": "why"}."""

    detail = serializers.CharField()


def detail(description: str) -> OpenApiResponse:
    """A refusal with its reason in "detail", for a view's `extend_schema(responses=...)`."""
    return OpenApiResponse(ErrorDetailSerializer, description=description)


DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# Serializer errors: {"field": ["message", ...], ...} or {"detail": "..."}.
VALIDATION = {"type": "object", "additionalProperties": True}
_DESCRIPTIONS = {
    "400": "The body or the query does not validate; nothing changed.",
    "401": "No valid API token or session.",
    "403": "Not allowed for this account.",
    "404": "Not found, or not yours.",
    "415": "The body's content type is not one this operation takes.",
}


def error_response(status: str) -> dict:
    schema = VALIDATION if status == "400" else DETAIL
    return {
        "description": _DESCRIPTIONS.get(status, ""),
        "content": {"application/json": {"schema": schema}},
    }


class SeedboxAutoSchema(AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        parameters = operation.get("parameters", [])
        for parameter in parameters:
            # Django's <int:...> matches digits only: a negative id never reaches a view.
            if parameter["in"] == "path" and parameter["schema"].get("type") == "integer":
                parameter["schema"].setdefault("minimum", 0)
        statuses = []
        if "requestBody" in operation or any(p["in"] == "query" for p in parameters):
            statuses.append("400")
        permissions = list(getattr(self.view, "permission_classes", []))
        if self.view.authentication_classes:
            statuses.append("401")  # even where anonymous is allowed: a token that is not valid
        if any(not issubclass(p, (AllowAny, IsAuthenticated)) for p in permissions):
            statuses.append("403")
        if any(p["in"] == "path" for p in parameters) or any(
            p["name"] == "page" for p in parameters
        ):
            statuses.append("404")  # not yours, or a page past the last
        if "requestBody" in operation:
            statuses.append("415")  # a body in a content type the view does not parse
        responses = operation["responses"]
        for status in statuses:
            responses.setdefault(status, error_response(status))
        operation["responses"] = dict(sorted(responses.items()))
        return operation
