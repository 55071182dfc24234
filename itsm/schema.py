"""OpenAPI post-processing: document the error answers every operation can give."""

import re

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


# -- request strings: what the server refuses, the schema says ---------------------------------------------------------
# DRF refuses NUL characters in every string, and trims whitespace before checking a required string is not blank.
NO_NUL = r"^[^\x00]*$"
# Spelled out, not \s: regex engines disagree on \s (Python counts \x1c-\x1f); DRF strips what str.isspace() says.
_SPACE = r"\x00\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NOT_BLANK = rf"^[^\x00]*[^{_SPACE}][^\x00]*$"
REASON_HEADER = "X-Change-Reason"
_FORMATTED = {"format", "enum", "pattern", "const"}


def _harden_string(schema: dict) -> None:
    if not isinstance(schema, dict) or schema.get("type") != "string" or _FORMATTED & set(schema):
        return
    schema["pattern"] = NOT_BLANK if schema.get("minLength", 0) >= 1 else NO_NUL


def _harden_object(schema: dict) -> None:
    for prop in (schema.get("properties") or {}).values():
        if isinstance(prop, dict) and not prop.get("readOnly"):
            _harden_string(prop)
            if prop.get("type") == "array" and isinstance(prop.get("items"), dict):
                _harden_string(prop["items"])


def document_request_rules(result, generator, request, public):
    """Documents what the server enforces on input so that clients (and schemathesis) can rely on the schema:

    - request strings carry a pattern: no NUL characters, and not blank when blank is refused;
    - a string that may be blank or match a format is `anyOf` the two, not drf-spectacular's `oneOf`: when the format
      also matches the empty string (a NUL-free text), `""` would match both branches and fail a `oneOf`;
    - a decimal string needs a digit: drf-spectacular's pattern also matches "", "-" and ".", which DRF refuses;
    - string query parameters carry the NUL rule (PostgreSQL cannot search for NUL);
    - when change reasons are required: the `change_reason` body field is required in partial updates too (DRF
      documents partial bodies without required fields, but the reason is still checked), and the X-Change-Reason
      header is required where it is the only way to give one (DELETE), not blank.
    """
    from itsm.audit import reasons_required

    required = reasons_required()
    schemas = result.get("components", {}).get("schemas", {})
    for schema in schemas.values():
        _blank_or_format(schema)
        _decimal_needs_a_digit(schema)
    for name, schema in schemas.items():
        if not name.endswith("Request") or not isinstance(schema, dict):
            continue
        _harden_object(schema)
        full = schemas.get(name.removeprefix("Patched")) if name.startswith("Patched") else None
        if required and full and "change_reason" in full.get("required", []):
            schema["required"] = sorted({*schema.get("required", []), "change_reason"})
            schema["properties"]["change_reason"].update(minLength=1, pattern=NOT_BLANK)
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            body = operation.get("requestBody")
            if required and body and _needs_reason(body, schemas):
                body["required"] = True  # a PATCH without a body has no reason either
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    _harden_string(parameter.get("schema"))
                elif parameter.get("in") == "header" and parameter.get("name") == REASON_HEADER:
                    parameter["required"] = required
                    parameter["schema"] = {"type": "string", "minLength": 1, "maxLength": 2000, "pattern": NOT_BLANK}
    return result


def _blank_or_format(schema: dict) -> None:
    for prop in (schema.get("properties") or {}).values():
        branches = prop.get("oneOf") if isinstance(prop, dict) else None
        if branches and {"type": "string", "maxLength": 0} in branches:
            prop["anyOf"] = prop.pop("oneOf")


_SPECTACULAR_DECIMAL = re.compile(r"\^-\?\\d\{0,(\d+)\}\(\?:\\\.\\d\{0,(\d+)\}\)\?\$")


def _decimal_needs_a_digit(schema: dict) -> None:
    for prop in (schema.get("properties") or {}).values():
        if not isinstance(prop, dict) or prop.get("format") != "decimal":
            continue
        match = _SPECTACULAR_DECIMAL.fullmatch(prop.get("pattern", ""))
        if match:
            whole, places = (int(g) for g in match.groups())
            digits = rf"\d{{1,{whole}}}(?:\.\d{{0,{places}}})?" if whole else ""
            fraction = rf"\.\d{{1,{places}}}" if places else ""
            sign = "" if prop.pop("x-non-negative", False) else "-?"
            prop["pattern"] = rf"^{sign}(?:{'|'.join(part for part in (digits, fraction) if part) or '0'})$"


def _needs_reason(body: dict, schemas: dict) -> bool:
    for media in (body.get("content") or {}).values():
        ref = (media.get("schema") or {}).get("$ref", "")
        component = schemas.get(ref.rsplit("/", 1)[-1]) if ref else None
        if component and "change_reason" in component.get("required", []):
            return True
    return False
