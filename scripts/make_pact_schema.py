"""Derive lca/data/pact-3.0.3-productfootprint.schema.json from the PACT Technical Specification's
OpenAPI document (wbcsd/data-exchange-protocol, spec/v3/openapi.yaml, version 3.0.3).

Only the machine-checkable constraints are kept (types, required, enums, patterns, formats, array
rules, $refs); descriptions, examples and x-* annotations are left out. Usage:

    python scripts/make_pact_schema.py PATH/TO/openapi.yaml \
        > lca/data/pact-3.0.3-productfootprint.schema.json
"""

from __future__ import annotations

import json
import sys

import yaml

DROP = {"description", "summary", "example", "examples", "note", "title"}


def strip(node):  # noqa: ANN001, ANN201
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k in DROP or k.startswith("x-"):
                continue
            if k == "$ref":
                v = v.replace("#/components/schemas/", "#/$defs/")
            out[k] = strip(v)
        return out
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def refs(node, acc):  # noqa: ANN001, ANN201
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                acc.add(v.rsplit("/", 1)[-1])
            refs(v, acc)
    elif isinstance(node, list):
        for v in node:
            refs(v, acc)


def main(path: str) -> None:
    doc = yaml.safe_load(open(path, encoding="utf-8"))
    schemas = doc["components"]["schemas"]
    need, todo = set(), ["ProductFootprint"]
    while todo:
        name = todo.pop()
        if name in need:
            continue
        need.add(name)
        found: set[str] = set()
        refs(schemas[name], found)
        todo.extend(found - need)
    out = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$comment": (
            "Derived by scripts/make_pact_schema.py from the PACT Technical Specification "
            f"{doc['info']['version']} OpenAPI document (WBCSD, github.com/wbcsd/"
            "data-exchange-protocol, spec/v3/openapi.yaml): constraints only, no text of the "
            "specification. See pact-3.0.3-NOTICE.md beside this file."
        ),
        "x-pact-version": doc["info"]["version"],
        "$ref": "#/$defs/ProductFootprint",
        "$defs": {name: strip(schemas[name]) for name in sorted(need)},
    }
    json.dump(out, sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
