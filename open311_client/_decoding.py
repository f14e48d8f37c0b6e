"""Turn a response body (JSON, XML, HTML or text) into one neutral tree.

Rules: sniff the body, never trust the Content-Type alone (JSON servers send XML errors);
XML is parsed with defusedxml only; namespaces are dropped, repeated elements become lists,
empty elements become None, so JSON and XML documents look alike to ``_parsers``. A body
that cannot be read raises ``UndecodableBody`` (the client turns it into an Open311Error).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import Any, Literal
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

__all__ = ["Decoded", "UndecodableBody", "decode_body"]

Kind = Literal["json", "xml", "html", "text", "empty"]

_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>])", re.I | re.S)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.I | re.S)
_TAGS = re.compile(r"<[^>]+>")
_PREFIXED_TAG = re.compile(r"<(/?)[A-Za-z_][\w.-]*:(?=[A-Za-z_])")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_NAMED_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})


class UndecodableBody(ValueError):
    """The body is not JSON or XML we can read."""


@dataclass(frozen=True)
class Decoded:
    """A decoded body: its kind, the XML root's local name, and the neutral tree.

    The tree is built from dicts, lists, strings and None only (numbers and booleans too
    when the body was JSON). For HTML and text bodies ``tree`` is the readable message.
    """

    kind: Kind
    tree: Any
    root_tag: str | None = None


def decode_body(body: bytes) -> Decoded:
    """Decode a body of any kind; raises UndecodableBody only for broken JSON/XML."""
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        return Decoded("empty", None)
    if _HTML_START.match(stripped):
        return Decoded("html", html_message(stripped.decode("utf-8", "replace")))
    first = stripped[:1]
    if first in (b"{", b"["):
        try:
            return Decoded("json", json.loads(stripped.decode("utf-8-sig", "replace")))
        except ValueError as exc:
            raise UndecodableBody(f"invalid JSON: {exc}") from exc
    if first != b"<":
        # A recorded or proxied body may carry junk (a status line) before the XML.
        start = stripped.find(b"<?xml")
        if start < 0:
            text = stripped.decode("utf-8", "replace").strip()
            return Decoded("text", text)
        stripped = stripped[start:]
    root = _parse_xml(stripped)
    if _local(root.tag).lower() == "html":
        return Decoded("html", html_message(stripped.decode("utf-8", "replace")))
    return Decoded("xml", element_to_tree(root), _local(root.tag))


def html_message(page: str) -> str:
    """The readable gist of an HTML error page: its title, else its first heading."""
    for pattern in (_TITLE, _H1):
        found = pattern.search(page)
        if found:
            text = " ".join(html.unescape(_TAGS.sub(" ", found.group(1))).split())
            if text:
                return text
    return " ".join(html.unescape(_TAGS.sub(" ", page)).split())[:200]


def _parse_xml(body: bytes) -> Element:
    try:
        return SafeET.fromstring(body)
    except DefusedXmlException as exc:
        raise UndecodableBody(f"XML refused by defusedxml: {exc}") from exc
    except ParseError as first_error:
        # Second chance for quirks that break a strict parser: undeclared namespace
        # prefixes, HTML entities, a declared encoding the bytes do not match.
        text = _XML_DECL.sub("", body.decode("utf-8", "replace"), count=1)
        text = _PREFIXED_TAG.sub(r"<\1", text)
        text = _NAMED_ENTITY.sub(_replace_entity, text)
        try:
            return SafeET.fromstring(text)
        except (ParseError, DefusedXmlException) as exc:
            raise UndecodableBody(f"invalid XML: {first_error}") from exc


def _replace_entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name in _XML_ENTITIES:
        return match.group(0)
    resolved = html.unescape(match.group(0))
    return html.escape(resolved) if resolved != match.group(0) else "&amp;" + name + ";"


def _local(tag: object) -> str:
    """A tag without its namespace: '{urn:x}service' and 'm:service' both give 'service'."""
    name = tag if isinstance(tag, str) else ""
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def element_to_tree(element: Element) -> Any:
    """Element -> dict of children (repeats as lists), or stripped text, or None."""
    children = [c for c in element if isinstance(c.tag, str)]
    if not children:
        text = (element.text or "").strip()
        return text or None
    if (element.text or "").strip():
        # Mixed content (markup inside a description): keep the words, not the structure.
        return " ".join("".join(element.itertext()).split())
    out: dict[str, Any] = {}
    for child in children:
        name = _local(child.tag)
        value = element_to_tree(child)
        if name not in out:
            out[name] = value
        elif isinstance(out[name], _Repeated):
            out[name].append(value)
        else:
            out[name] = _Repeated([out[name], value])
    return out


class _Repeated(list[Any]):
    """A list made from repeated XML elements (a marker type; it behaves as a list)."""
