"""The media a message carries (`NumMedia`, `MediaUrl0..9`, `MediaContentType0..9`), pure."""

from __future__ import annotations

from collections.abc import Mapping

MAX_MEDIA = 10  # Twilio sends at most ten


def media_items(form: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """(URL, declared content type) of each item, in order; a bad NumMedia counts the URLs."""
    count = form.get("NumMedia", "0").strip()
    total = min(int(count), MAX_MEDIA) if count.isdigit() else MAX_MEDIA
    items = []
    for i in range(total):
        url = form.get(f"MediaUrl{i}", "").strip()
        if url:
            items.append((url, form.get(f"MediaContentType{i}", "").strip()))
    return tuple(items)
