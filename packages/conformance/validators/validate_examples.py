#!/usr/bin/env python3
"""Validates every contract example with Python's jsonschema (Draft 2020-12).

Services in other languages validate these payloads too, so the examples under
<examples>/<Contract>/{valid,invalid}/*.json must get the same verdict here as from
@workspace-ops/contracts (ajv). `wsops conformance` (the cross-language check) and
test/cross-language/python-parity.test.ts compare them.

Every schema (*.json) under the contracts folder is registered by its $id in a
referencing.Registry, so cross-file $refs resolve locally; nothing is fetched from the network. Formats are checked
(Draft202012Validator.FORMAT_CHECKER); the script refuses to run when a format the contracts
use has no checker installed, because that format would otherwise pass silently.

Prints one JSON document to stdout:
  {"python": "3.x.y", "jsonschema": "4.x.y", "formats": [formats checked],
   "results": [{"contract", "file", "valid", "pointers", "errors"}]}
where "file" is relative to --root, "pointers" are the RFC 6901 pointers of the error locations
("" is the whole payload) and "errors" adds the failing keyword and message to each.

Exit status: 0 when every example was validated, whatever the verdicts (they are data);
2 when jsonschema or a format checker is missing, or a schema or example cannot be read.

Usage: validate_examples.py [--contracts DIR] [--examples DIR] [--root DIR]
(defaults: contracts/ and examples/ under --root, which defaults to the working directory)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any, NoReturn

INSTALL_HINT = "pip install 'jsonschema[format-nongpl]' (workspace-ops pins it in test/python/requirements.txt)"

_parser = argparse.ArgumentParser(description="Validate contract examples with Python's jsonschema.")
_parser.add_argument("--root", default=".", help="paths in the output are relative to it")
_parser.add_argument("--contracts", help="the schemas (default: ROOT/contracts)")
_parser.add_argument("--examples", help="the examples (default: ROOT/examples)")
_args = _parser.parse_args()
ROOT = Path(_args.root).resolve()
CONTRACTS = Path(_args.contracts).resolve() if _args.contracts else ROOT / "contracts"
EXAMPLES = Path(_args.examples).resolve() if _args.examples else ROOT / "examples"


def fail(message: str) -> NoReturn:
    print(f"validate_examples.py: {message}", file=sys.stderr)
    sys.exit(2)


try:
    from importlib.metadata import version

    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012
except ImportError as error:
    fail(f"jsonschema (with referencing) is not installed for {sys.executable} ({error}); run: {INSTALL_HINT}")


def rel(path: Path) -> str:
    return Path(os.path.relpath(path, ROOT)).as_posix()


def reject_constant(name: str) -> NoReturn:
    # JSON has no NaN or Infinity; Python's json module accepts them, JSON.parse does not.
    raise ValueError(f"{name} is not JSON")


def read_json(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle, parse_constant=reject_constant)
    except (OSError, ValueError) as error:
        fail(f"cannot read {rel(path)}: {error}")


def pointer(path: Any) -> str:
    """RFC 6901 pointer of a jsonschema error path; "" for the root."""
    return "".join("/" + str(token).replace("~", "~0").replace("/", "~1") for token in path)


def formats_used(node: Any, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "format" and isinstance(value, str):
                found.add(value)
            else:
                formats_used(value, found)
    elif isinstance(node, list):
        for item in node:
            formats_used(item, found)
    return found


def load_schemas() -> tuple[Registry, dict[str, dict[str, Any]]]:
    paths = sorted(CONTRACTS.glob("**/*.json"))
    if not paths:
        fail(f"no schemas found under {rel(CONTRACTS)}/")
    resources: list[tuple[str, Resource]] = []
    by_title: dict[str, dict[str, Any]] = {}
    for path in paths:
        schema = read_json(path)
        if not isinstance(schema, dict) or not isinstance(schema.get("$id"), str):
            fail(f"{rel(path)} has no $id")
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as error:
            fail(f"{rel(path)} is not a valid Draft 2020-12 schema: {error.message}")
        if any(uri == schema["$id"] for uri, _ in resources):
            fail(f"{rel(path)} repeats $id {schema['$id']}")
        resources.append((schema["$id"], DRAFT202012.create_resource(schema)))
        title = schema.get("title")
        if isinstance(title, str):
            if title in by_title:
                fail(f"{rel(path)} repeats title {title}")
            by_title[title] = schema
    # No retrieve function: a $ref to anything outside contracts/ is an error, never a download.
    registry: Registry = Registry().with_resources(resources).crawl()

    checked = Draft202012Validator.FORMAT_CHECKER.checkers
    unchecked = sorted(f for path in paths for f in formats_used(read_json(path), set()) if f not in checked)
    if unchecked:
        fail(
            f"format(s) {', '.join(sorted(set(unchecked)))} used by the contracts would not be checked "
            f"(a format extra of jsonschema is missing for {sys.executable}); run: {INSTALL_HINT}"
        )
    return registry, by_title


def main() -> None:
    registry, by_title = load_schemas()
    results = []
    for folder in sorted(p for p in EXAMPLES.iterdir() if p.is_dir()):
        contract = folder.name
        files = sorted(folder.glob("valid/*.json")) + sorted(folder.glob("invalid/*.json"))
        if not files:
            continue
        schema = by_title.get(contract)
        if schema is None:
            fail(f"{rel(folder)}/ names no contract: no schema under contracts/ has the title {contract}")
        validator = Draft202012Validator(
            schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        for path in files:
            instance = read_json(path)
            errors = sorted(validator.iter_errors(instance), key=lambda e: (pointer(e.absolute_path), e.json_path))
            details = [
                {
                    "pointer": pointer(e.absolute_path),
                    "keyword": e.validator if isinstance(e.validator, str) else "false schema",
                    "message": e.message,
                    "schemaPath": "#" + pointer(e.absolute_schema_path),
                }
                for e in errors
            ]
            results.append(
                {
                    "contract": contract,
                    "file": rel(path),
                    "valid": not errors,
                    "pointers": sorted({d["pointer"] for d in details}),
                    "errors": details,
                }
            )

    document = {
        "validator": f"jsonschema {version('jsonschema')} (Python {platform.python_version()})",
        "python": platform.python_version(),
        "jsonschema": version("jsonschema"),
        "formats": sorted(Draft202012Validator.FORMAT_CHECKER.checkers),
        "results": results,
    }
    json.dump(document, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
