"""OpenAPI post-processing: document the error answers every operation can give."""

ERROR_BODY = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
ERRORS = {
    "400": "Invalid input: field errors keyed by field name (change_reason when a reason is required and missing).",
    "401": "Not authenticated.",
    "403": "Authenticated but not allowed (missing Django permission).",
    "404": "No such record.",
    "409": "Conflict: the record is still used, is the default, or duplicates another.",
}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_BODY
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, description in ERRORS.items():
                operation["responses"].setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
    return result
