"""The API's exception handler: DRF's, with every refusal a JSON object.

A `ValidationError` raised with a message rather than per field (DRF's search filter refusing a
NUL, for one) is a bare JSON list in DRF; clients and the OpenAPI schema expect an object, so it
becomes {"detail": "..."} like every other refusal.
"""

from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        response.data = {"detail": " ".join(str(message) for message in response.data)}
    return response
