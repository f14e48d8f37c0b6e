"""Photos sent by MMS or WhatsApp: downloaded, checked, stripped of metadata, published.

Twilio's media URLs need the account's credentials, so each photo is fetched here (at most
MAX_BYTES, an image type we publish, at most MAX_PHOTOS per message) and re-encoded by
Pillow without its EXIF, XMP or comments; a photo's GPS position is returned to be offered to
the resident, never used silently. Files are named by an HMAC of the message and its
position, so a repeated webhook stores nothing twice and nobody can guess another's name.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
from PIL import Image, ImageOps, UnidentifiedImageError

log = logging.getLogger(__name__)
MAX_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 3
TIMEOUT = 8.0  # seconds for all of a message's photos; Twilio waits 15 s for the answer
TYPES = {"image/jpeg": "jpg", "image/jpg": "jpg", "image/png": "png", "image/gif": "gif",
         "image/heic": "heic", "image/heif": "heic", "image/webp": "webp"}
# what each kind is published as: HEIC is not shown by browsers, so it becomes JPEG
PUBLISHED = {"jpg": ("JPEG", "jpg"), "heic": ("JPEG", "jpg"), "png": ("PNG", "png"),
             "gif": ("GIF", "gif"), "webp": ("WEBP", "webp")}
NAME = re.compile(r"^[A-Za-z0-9_-]{32}\.(jpg|png|gif|webp)$")
GPS_IFD = 0x8825
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif",
                 "webp": "image/webp"}

try:  # HEIC/HEIF (iPhone photos) through the pillow-heif plugin
    from pillow_heif import register_heif_opener

    register_heif_opener()
except ImportError:  # pragma: no cover - a dependency; without it HEIC is refused as unreadable
    pass


@dataclass(frozen=True)
class Photo:
    """A published photo, or why it was refused ("type", "size", "unreachable", "unreadable",
    "too_many"); `lat`/`lon` from its GPS metadata, when it had any."""

    url: str = ""
    refused: str = ""
    lat: float | None = None
    lon: float | None = None


class PhotoStore:
    """Fetch with the account's credentials, strip, publish by unguessable name; where the
    photo is kept (`_publish`) is the disk's or a bucket's business."""

    def __init__(self, secret: str, auth: tuple[str, str] | None = None,
                 http: httpx.Client | None = None, timeout: float = TIMEOUT) -> None:
        self.secret = secret.encode()
        self.auth = auth
        self.http = http or httpx.Client(follow_redirects=True, timeout=timeout)

    def fetch(self, message_sid: str, items: Sequence[tuple[str, str]]) -> list[Photo]:
        """Each item (URL, declared type) published or refused, in order."""
        out = []
        for index, (url, declared) in enumerate(items):
            if index >= MAX_PHOTOS:
                out.append(Photo(refused="too_many"))
                continue
            out.append(self._one(message_sid, index, url, declared))
        return out

    def _publish(self, name: str, body: bytes) -> str:
        """Keep the stripped photo under its name; its public URL."""
        raise NotImplementedError

    def _one(self, message_sid: str, index: int, url: str, declared: str) -> Photo:
        kind = TYPES.get(declared.split(";")[0].strip().lower())
        if kind is None:
            return Photo(refused="type")
        try:
            data = self._download(url)
        except _TooBig:
            return Photo(refused="size")
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("photo %d of a message could not be fetched: %s", index,
                        type(exc).__name__)
            return Photo(refused="unreachable")
        try:
            body, ext, gps = strip(data, kind)
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
            return Photo(refused="unreadable")
        digest = hmac.new(self.secret, f"{message_sid}/{index}".encode(), hashlib.sha256)
        try:
            url_out = self._publish(f"{digest.hexdigest()[:32]}.{ext}", body)
        except NotStored as exc:
            log.warning("photo %d of a message could not be stored: %s", index, exc)
            return Photo(refused="unreachable")
        return Photo(url=url_out, lat=gps[0] if gps else None, lon=gps[1] if gps else None)

    def _download(self, url: str) -> bytes:
        if not url.lower().startswith(("https://", "http://")):
            raise ValueError("not a web address")
        with self.http.stream("GET", url, auth=self.auth) as response:
            response.raise_for_status()
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_BYTES:
                raise _TooBig
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    raise _TooBig
                chunks.append(chunk)
        return b"".join(chunks)


class _TooBig(Exception):
    pass


class MediaStore(PhotoStore):
    """Photos kept on disk, served by this app at /media/<name>."""

    def __init__(self, directory: Path, base_url: Callable[[], str], secret: str,
                 auth: tuple[str, str] | None = None, http: httpx.Client | None = None,
                 timeout: float = TIMEOUT) -> None:
        super().__init__(secret, auth, http, timeout)
        self.directory = directory
        self.base_url = base_url
        directory.mkdir(parents=True, exist_ok=True)

    def path(self, name: str) -> Path | None:
        """The stored file for a published name, or None (a bad or unknown name)."""
        if not NAME.match(name):
            return None
        found = self.directory / name
        return found if found.is_file() else None

    def _publish(self, name: str, body: bytes) -> str:
        target = self.directory / name
        if not target.exists():
            partial = target.with_suffix(".part")
            partial.write_bytes(body)
            partial.replace(target)
        return f"{self.base_url().rstrip('/')}/media/{name}"


class NotStored(Exception):
    """The store (a bucket) refused or could not be reached; the photo is not kept."""



def strip(data: bytes, kind: str) -> tuple[bytes, str, tuple[float, float] | None]:
    """The image re-encoded without metadata, its extension, and its GPS position if any."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        gps = gps_of(image)
        fmt, ext = PUBLISHED[kind]
        actual = (image.format or "").upper()
        if kind != "heic" and PUBLISHED.get(_KINDS.get(actual, ""), ("", ""))[0] != fmt:
            raise ValueError(f"declared {kind}, the file is {actual or 'unknown'}")
        upright = ImageOps.exif_transpose(image) or image
        out = io.BytesIO()
        if fmt == "JPEG":
            upright.convert("RGB").save(out, "JPEG", quality=88)
        elif fmt == "GIF":
            upright.save(out, "GIF")
        else:
            upright.save(out, fmt)
    return out.getvalue(), ext, gps


_KINDS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp",
          "HEIF": "heic"}


def gps_of(image: Image.Image) -> tuple[float, float] | None:
    """Latitude and longitude from a photo's EXIF GPS block, or None."""
    try:
        gps = image.getexif().get_ifd(GPS_IFD)
    except (KeyError, ValueError, TypeError, AttributeError):
        return None
    try:
        lat = _degrees(gps[2]) * (-1 if str(gps.get(1, "N")).upper().startswith("S") else 1)
        lon = _degrees(gps[4]) * (-1 if str(gps.get(3, "E")).upper().startswith("W") else 1)
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat, lon) == (0.0, 0.0):
        return None
    return lat, lon


def _degrees(value: Sequence[float]) -> float:
    d, m, s = (float(v) for v in value)
    return d + m / 60 + s / 3600
