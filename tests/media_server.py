"""A local stand-in for Twilio's media URLs: real small images behind HTTP basic auth."""

from __future__ import annotations

import base64
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image
from PIL.TiffImagePlugin import IFDRational

SID, TOKEN = "AC" + "1" * 32, "media-token"
# where the GPS photo was taken: 123 Main St in the demo city
GPS = (41.254247, -98.749675)


def _dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    s = round(((value - d) * 60 - m) * 60 * 10000)
    return IFDRational(d), IFDRational(m), IFDRational(s, 10000)


def photo(fmt: str = "JPEG", gps: bool = False, size: tuple[int, int] = (64, 48)) -> bytes:
    """A real image; with `gps`, EXIF carrying a camera name and the GPS position."""
    image = Image.new("RGB", size, (180, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "TestPhone"
    if gps:
        exif[0x8825] = {1: "N", 2: _dms(GPS[0]), 3: "W", 4: _dms(GPS[1])}
    out = io.BytesIO()
    image.save(out, fmt, exif=exif)
    return out.getvalue()


FILES: dict[str, tuple[str, bytes]] = {  # by the last part of the URL
    "gps.jpg": ("image/jpeg", photo(gps=True)),
    "plain.png": ("image/png", photo("PNG")),
    "doc.pdf": ("application/pdf", b"%PDF-1.4 not a photo"),
    "huge.jpg": ("image/jpeg", b"\xff\xd8" + b"0" * (5 * 1024 * 1024 + 10)),
    "fake.jpg": ("image/jpeg", b"this is not a jpeg"),
}
# the recorded fixtures' media SIDs (fixtures/media/*.json)
FILES.update({"ME0a1b2c3d4e5f60718293a4b5c6d7e8f9": FILES["gps.jpg"],
              "ME1a1b2c3d4e5f60718293a4b5c6d7e8f9": FILES["doc.pdf"],
              "ME2a1b2c3d4e5f60718293a4b5c6d7e8f9": FILES["huge.jpg"],
              "ME3a1b2c3d4e5f60718293a4b5c6d7e8f9": FILES["plain.png"]})


class _Handler(BaseHTTPRequestHandler):
    credentials = (SID, TOKEN)

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        sid, token = self.credentials
        expected = "Basic " + base64.b64encode(f"{sid}:{token}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            self.send_response(401)
            self.end_headers()
            return
        found = FILES.get(self.path.rsplit("/", 1)[-1])
        if found is None:
            self.send_response(404)
            self.end_headers()
            return
        kind, body = found
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


@contextmanager
def media_server(sid: str = SID, token: str = TOKEN) -> Iterator[str]:
    """The base URL of a server on loopback; `<base>/.../<name>` serves FILES[name] to a
    client that gives the account SID and auth token."""
    handler = type("Handler", (_Handler,), {"credentials": (sid, token)})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
