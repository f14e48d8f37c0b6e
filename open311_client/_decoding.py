"""Turn a response body (JSON, XML, HTML or text) into one neutral tree.

Rules: sniff the body, never trust the Content-Type alone (JSON servers send XML errors);
bytes become text first, by the declared charset (XML declaration, else the HTTP header)
unless the bytes prove it wrong, and ``Decoded.note`` says when they did; XML is parsed with
defusedxml only; namespaces are dropped, repeated elements become lists, empty elements
become None, so JSON and XML documents look alike to ``_parsers``. A body that cannot be
read raises ``UndecodableBody`` (the client turns it into an Open311Error).
"""

from __future__ import annotations

import codecs
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

_HTML_START = re.compile(r"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>])", re.I | re.S)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.I | re.S)
_TAGS = re.compile(r"<[^>]+>")
_PREFIXED_TAG = re.compile(r"<(/?)[A-Za-z_][\w.-]*:(?=[A-Za-z_])")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_DECLARED = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
# When the bytes are not valid in the declared charset (or none is declared and they are
# not UTF-8), the charset Western servers actually write: Windows-1252, a superset of Latin-1.
_FALLBACK = "cp1252"
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
    #: The charset the text was read in, and why it is not the declared one when it is not.
    charset: str = "utf-8"
    note: str | None = None


def decode_body(body: bytes, declared: str | None = None) -> Decoded:
    """Decode a body of any kind; raises UndecodableBody only for broken JSON/XML.

    `declared` is the Content-Type charset; an XML declaration's encoding overrides it.
    """
    whole, charset, note = to_text(body, declared)
    stripped = whole.lstrip("\ufeff \t\r\n")
    found = _text_decoded(stripped)
    return Decoded(found.kind, found.tree, found.root_tag, charset, note)


def _text_decoded(stripped: str) -> Decoded:
    if not stripped:
        return Decoded("empty", None)
    if _HTML_START.match(stripped):
        return Decoded("html", html_message(stripped))
    first = stripped[:1]
    if first in ("{", "["):
        try:
            return Decoded("json", json.loads(stripped))
        except ValueError as exc:
            raise UndecodableBody(f"invalid JSON: {exc}") from exc
    if first != "<":
        # A recorded or proxied body may carry junk (a status line) before the XML.
        start = stripped.find("<?xml")
        if start < 0:
            return Decoded("text", stripped.strip())
        stripped = stripped[start:]
    root = _parse_xml(_XML_DECL.sub("", stripped, count=1).encode("utf-8"))
    if _local(root.tag).lower() == "html":
        return Decoded("html", html_message(stripped))
    return Decoded("xml", element_to_tree(root), _local(root.tag))


def to_text(body: bytes, declared: str | None = None) -> tuple[str, str, str | None]:
    """(text, charset used, note) for a body: the declared charset unless the bytes disagree.

    Bytes that are valid UTF-8 and not plain ASCII are UTF-8 whatever was declared (such
    bytes read as Latin-1 are mojibake, never what a server meant); bytes that are not valid
    in the declared charset are read in Windows-1252. The note says which and why.
    """
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            try:
                return body.decode("utf-8-sig" if name == "utf-8" else name), name, None
            except UnicodeDecodeError:
                break
    in_xml = _DECLARED.match(body[:200])
    said = in_xml.group(1).decode("ascii") if in_xml else declared
    wanted = _codec(said) or "utf-8"
    if body.isascii() and wanted not in ("utf-16", "utf-32"):
        return body.decode("ascii"), wanted, None
    if wanted != "utf-8":
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return body.decode("utf-8"), "utf-8", f"declared {said} but the body is UTF-8"
        try:
            return body.decode(wanted), wanted, None
        except UnicodeDecodeError:
            pass
    else:
        try:
            return body.decode("utf-8"), "utf-8", None
        except UnicodeDecodeError:
            pass
    where = f"declared {said}" if said else "no charset declared"
    note = f"{where} but the body is not valid {said or 'UTF-8'}: read as {_FALLBACK}"
    return body.decode(_FALLBACK, "replace"), _FALLBACK, note


def _codec(name: str | None) -> str | None:
    """The Python codec for a declared charset name, or None when it is unknown."""
    if not name:
        return None
    try:
        found = codecs.lookup(name.strip()).name
    except LookupError:
        return None
    return {"utf-8-sig": "utf-8", "iso8859-1": "latin-1", "latin_1": "latin-1"}.get(found, found)


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
        # prefixes, HTML entities.
        text = _PREFIXED_TAG.sub(r"<\1", body.decode("utf-8"))
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
