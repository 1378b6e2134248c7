"""OpenAPI: one documented error shape, attached to every operation that can answer with it.

Rather than repeat ``@extend_schema(responses=…)`` for each refusal on every view, the AutoSchema
adds the error responses an operation can actually produce, decided from what the view does:
everyone can meet 400 (an unknown query parameter, a bad filter), 401, 403 and 429; a path with
parameters or a paginated list can answer 404; writes can answer 409 and 415; views declare
anything else (410, 413) in ``extra_error_statuses``.
"""

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from rest_framework import serializers

ERROR_DESCRIPTIONS = {
    "400": "The request is not valid; `fields` names the inputs at fault.",
    "401": "Not signed in: send `Authorization: Bearer <token>` or a session cookie.",
    "403": "Signed in, but not allowed (wrong role, or a missing CSRF token on a session write).",
    "404": "No such object, or it is outside your scope: both answer the same (in the path or "
    "named in the body; `fields` then names the input).",
    "409": "The object is not in a state that allows this (e.g. already suspended, still running).",
    "410": "Gone: expired, failed, cancelled or revoked.",
    "413": "The request body is larger than the limit.",
    "415": "Unsupported content type.",
    "429": "Too many requests; retry after the number of seconds in `Retry-After`.",
}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, machine-readable code, e.g. `not_found`.")
    message = serializers.CharField(help_text="A sentence that is safe to show to a person.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Input name → its problems. Empty when the error is not about one input.",
    )


class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    error = ErrorDetailSerializer()


class AutoSchema(BaseAutoSchema):
    def error_statuses(self) -> set[str]:
        # 400 for everyone: an unknown query parameter is refused on every operation.
        codes = {"400", "401", "403", "429"}
        if "{" in self.path or self._is_list_view() and self._get_paginator() is not None:
            codes.add("404")
        if self.method in WRITE_METHODS:
            codes.add("409")
            if self.method != "DELETE":
                codes.add("415")
        codes |= {str(c) for c in getattr(self.view, "extra_error_statuses", ())}
        codes -= {str(c) for c in getattr(self.view, "no_error_statuses", ())}
        return codes

    def _get_parameters(self):
        # ``ApiViewMixin.check_query_params`` refuses a NUL in any query parameter: say so.
        parameters = super()._get_parameters()
        for parameter in parameters:
            schema = parameter.get("schema", {})
            plain = not {"enum", "format", "pattern"} & set(schema)
            if parameter["in"] == "query" and schema.get("type") == "string" and plain:
                schema["pattern"] = r"^[^\x00]*$"
        return parameters

    def _get_request_body(self, direction="request"):
        # A body drf-spectacular can't tell is required (a raw schema, a oneOf) is when the view
        # says so.
        body = super()._get_request_body(direction)
        if body is not None and getattr(self.view, "request_body_required", False):
            body["required"] = True
        return body

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        """A field may state more than its type says (``openapi_schema``: a pattern, an enum);
        ``None`` drops a keyword."""
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        extra = getattr(field, "openapi_schema", None)
        if extra is not None:
            for key, value in extra().items():
                if value is None:
                    schema.pop(key, None)
                else:
                    schema[key] = value
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in sorted(self.error_statuses()):
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code)
                response["description"] = ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return responses
