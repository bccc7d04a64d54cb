"""Schema post-processing: document the one error shape on every operation that can return it."""

from __future__ import annotations

from typing import Any

from cases.api.filters import MAX_ID, id_parameters

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The shape of every 4xx response.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "status": {"type": "integer"},
                "code": {
                    "type": "string",
                    "description": "invalid, unknown_parameters, ambiguous_region, stale_revision, not_found…",
                },
                "message": {"type": "string", "description": "what is wrong, in words"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    "description": "messages per query parameter or body field",
                },
                "candidates": {
                    "type": "array",
                    "items": {"type": "object", "additionalProperties": True},
                    "description": "for an ambiguous region: the places it could mean",
                },
            },
            "required": ["status", "code", "message"],
        }
    },
    "required": ["error"],
}

ERROR_DESCRIPTIONS = {
    "400": "Unknown query parameter or invalid value",
    "401": "Not authenticated",
    "403": "Not allowed",
    "404": "Not found (or not published); for lists, no such page or cursor",
    "405": "Method not allowed",
    "406": "Format not available",
    "409": "Stale revision: the case was changed since you read it; reload it and try again",
    "429": "Too many requests",
}


def document_error_responses(result: dict[str, Any], generator, request, public: bool) -> dict[str, Any]:
    """Add the Error component and reference it from each operation's possible 4xx responses."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/") or path.startswith(("/api/v1/schema", "/api/v1/docs", "/api/v1/redoc")):
            continue
        for method, operation in operations.items():
            # A list answers 404 for a page or cursor past the end, a detail for an unknown object.
            codes = ["400", "404", "405", "406", "429"]
            if method in {"post", "put", "patch", "delete"}:
                codes += ["401", "403"]
            # Writes that carry a ``revision`` refuse a stale one.
            if method == "patch" or path.endswith("/transition/"):
                codes.append("409")
            for code in codes:
                operation["responses"].setdefault(code, {"description": ERROR_DESCRIPTIONS[code], "content": reference})
    return result


def declare_bounds(result: dict[str, Any], generator, request, public: bool) -> dict[str, Any]:
    """State the limits the API enforces, so a client (or a fuzzer) built from the schema sends
    only requests that can succeed: pages, page sizes and ids from 1 (page sizes over 200 are
    capped, not refused), ``q`` up to its length."""
    from cases.search.query import MAX_QUERY_LENGTH

    ids = id_parameters()
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                name, schema = parameter["name"], parameter.setdefault("schema", {})
                if name in {"page", "page_size"}:
                    schema.update(type="integer", minimum=1)
                elif (parameter.get("in") == "path" or name in ids) and schema.get("type") in {"integer", "number"}:
                    # A detail path's id, or a filter naming a row by its id: the filters refuse anything else.
                    schema.update(type="integer", minimum=1, maximum=MAX_ID)
                elif name in {"value_min", "value_max"}:
                    # django-filter's NumberFilter refuses magnitudes past 1e50.
                    schema.update(type="number", minimum=-1e50, maximum=1e50)
                if name == "q":
                    # At least one letter or digit: punctuation alone has no word to search for.
                    schema.update(maxLength=MAX_QUERY_LENGTH, pattern=r"[^\W_]")
    return result
