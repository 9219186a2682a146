"""The simplest value a JSON schema allows, for the fake model's structured replies."""

from __future__ import annotations

import math
from typing import Any

_MAX_DEPTH = 20
"""Guards against schemas that refer to themselves without end."""


def example_for_schema(schema: dict[str, Any]) -> Any:
    """Build a deterministic value valid against ``schema``.

    Covers what pydantic emits: objects, arrays, strings, numbers, booleans, null,
    ``enum``, ``const``, ``default``, ``$ref`` into ``$defs``, ``anyOf``/``oneOf``/
    ``allOf``, and the length and range bounds. Strings are the property's name.

    Args:
        schema: A JSON schema, for example from ``Model.model_json_schema()``.

    Returns:
        A JSON-serialisable value.
    """
    return _example(schema, schema, "text", 0)


def _example(node: dict[str, Any], root: dict[str, Any], name: str, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        raise ValueError("schema nests deeper than the fake model follows")
    if "$ref" in node:
        return _example(_resolve(root, node["$ref"]), root, name, depth + 1)
    if "const" in node:
        return node["const"]
    if node.get("enum"):
        return node["enum"][0]
    if "default" in node:
        return node["default"]
    for combinator in ("anyOf", "oneOf", "allOf"):
        if options := node.get(combinator):
            non_null = [option for option in options if option.get("type") != "null"]
            return _example((non_null or options)[0], root, name, depth + 1)
    kind = node.get("type", "object")
    if isinstance(kind, list):
        kind = next((item for item in kind if item != "null"), "null")
    if kind == "object":
        properties: dict[str, Any] = node.get("properties", {})
        return {key: _example(value, root, key, depth + 1) for key, value in properties.items()}
    if kind == "array":
        count = max(node.get("minItems", 1), 1)
        count = min(count, node.get("maxItems", count))
        return [_example(node.get("items", {}), root, name, depth + 1) for _ in range(count)]
    if kind == "string":
        return _string(name, node.get("minLength", 0), node.get("maxLength"))
    if kind in ("integer", "number"):
        return _number(node, integer=kind == "integer")
    if kind == "boolean":
        return False
    return None


def _resolve(root: dict[str, Any], ref: str) -> dict[str, Any]:
    if not ref.startswith("#/"):
        raise ValueError(f"the fake model follows only local references, not {ref!r}")
    target: Any = root
    for part in ref[2:].split("/"):
        target = target[part]
    resolved: dict[str, Any] = target
    return resolved


def _string(name: str, min_length: int, max_length: int | None) -> str:
    text = name
    while len(text) < min_length:
        text += " " + name
    return text[:max_length] if max_length is not None else text


def _number(node: dict[str, Any], *, integer: bool) -> int | float:
    step = 1 if integer else 0.5
    if "minimum" in node:
        value = node["minimum"]
    elif "exclusiveMinimum" in node:
        value = node["exclusiveMinimum"] + step
    elif "maximum" in node:
        value = min(0, node["maximum"])
    elif "exclusiveMaximum" in node:
        value = min(0, node["exclusiveMaximum"] - step)
    else:
        value = 0
    return math.ceil(value) if integer else float(value)
