"""Reads CloudEvents from stdin and says, for each, whether the official CloudEvents Python SDK accepts it.

Input: one JSON document {"structured": [TEXT, ...], "http": [{"headers": {...}, "body": TEXT}, ...]}:
structured-mode JSON events (as a file sink writes them, one per string), and HTTP messages as an HTTP
receiver got them (structured or binary content mode, told apart by the SDK from the ce-* headers).
Output: {"sdk": VERSION, "results": [{"index", "form", "ok", "error"?, "attributes"?, "data"?}]} — the
attributes and data as the SDK read them, so the caller can compare them with what was sent.
Run by test/events/cloudevents.test.ts with the interpreter of tools/setup/python.mjs.
"""

import json
import sys
from importlib.metadata import version

from cloudevents.core.bindings.http import HTTPMessage, from_http_event
from cloudevents.core.formats.json import JSONFormat


def describe(event):
    attributes = {}
    for name, value in event.get_attributes().items():
        attributes[name] = value.isoformat() if hasattr(value, "isoformat") else value
    data = event.get_data()
    if isinstance(data, (bytes, bytearray)):
        data = json.loads(data)
    return {"attributes": attributes, "data": data}


def check(index, form, read):
    try:
        return {"index": index, "form": form, "ok": True, **describe(read())}
    except Exception as error:  # the SDK's validation errors and anything it raises while parsing
        return {"index": index, "form": form, "ok": False, "error": f"{type(error).__name__}: {error}"}


def main():
    given = json.load(sys.stdin)
    results = []
    for index, text in enumerate(given.get("structured", [])):
        results.append(check(index, "structured", lambda text=text: JSONFormat().read(None, text.encode())))
    for index, message in enumerate(given.get("http", [])):
        headers = {str(k).lower(): str(v) for k, v in message["headers"].items()}
        body = message["body"].encode()
        results.append(
            check(index, "http", lambda headers=headers, body=body: from_http_event(HTTPMessage(headers, body)))
        )
    json.dump({"sdk": version("cloudevents"), "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
