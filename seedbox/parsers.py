"""The API's JSON parser: a body must be a JSON object.

DRF's JSONParser returns any JSON value, so a view that reads `request.data` as a mapping got a
list, a string, a number or null and crashed with a 500. Refusing them here, once, answers every
JSON endpoint with the same clear 400 before any view code runs.
"""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class JSONObjectParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            raise ParseError(
                f"JSON parse error - the body must be a JSON object ({{...}}), "
                f"not {type(data).__name__ if data is not None else 'null'}"
            )
        return data
