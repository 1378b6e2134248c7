"""The API's JSON parser, with a size and a depth limit (docs/security.md, "Input").

API writes take JSON (form bodies are still parsed, by Django under ``DATA_UPLOAD_*``, and
``api.errors`` answers their refusals in the error shape; ingest reads its own CSV/NDJSON
bodies with its own limit). A body
larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` answers 413 before it is read whole; a document nested
deeper than ``API_JSON_MAX_DEPTH`` — or so deep that the decoder itself gives up — answers 400.
Both in the API's error shape, never 500. DRF hands a JSON parser ``request.body``, where Django
enforces the size limit (``api.errors`` turns its ``RequestDataTooBig`` into the 413); the
parser checks the size again so a body read as a stream is bounded too.
"""

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils import json

from portal.errors import DomainError


class BodyTooLarge(DomainError):
    code = "too_large"
    status = 413


def too_large(limit: int) -> BodyTooLarge:
    return BodyTooLarge(f"The body is larger than the limit of {limit:,} bytes.")


def depth(value) -> int:
    """How deeply ``value`` nests lists and objects (a scalar: 0). Iterative: no recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = parser_context.get("request")
        declared = request.META.get("CONTENT_LENGTH", "") if request is not None else ""
        if limit is not None and declared.isdigit() and int(declared) > limit:
            raise too_large(limit)
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise too_large(limit)
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(raw.decode(encoding))
        except RecursionError:
            raise self._too_deep() from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if depth(data) > settings.API_JSON_MAX_DEPTH:
            raise self._too_deep()
        return data

    @staticmethod
    def _too_deep() -> ParseError:
        return ParseError(
            f"The JSON document nests deeper than {settings.API_JSON_MAX_DEPTH} levels."
        )
