"""Already reported? Open requests of the same service near a place, before filing.

Two sources: the city's `GET requests` (open, of the service, recent; `lat`/`long`/`radius`
sent for servers that take them, the distance checked here for those that do not) and our
own delivered reports whose request is not known to be closed. The city's answer is awaited
at most `timeout` seconds; any failure finds nothing, so a report is never blocked.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from conversation import DuplicatesFound, Existing, Place
from geocode._geometry import haversine_m
from open311_client import Open311Client, Status

from .db import utcnow
from .lifecycle import ReportState
from .storage import Report, StatusWatch

log = logging.getLogger(__name__)
RADIUS_M = 50.0
DAYS = 30  # requests older than this are not offered
TIMEOUT = 3.0  # seconds the resident waits for the city's list at most
OFFERED = 3
DEGREE_M = 111_000.0  # metres in one degree of latitude, near enough for a box


Near = list[tuple[str, float, datetime | None]]  # (request id, metres away, when reported)


class DuplicateFinder:
    """`city(...)` outside any transaction, then `find(session, ..., city)`, nearest first."""

    def __init__(self, client: Open311Client | None, radius_m: float = RADIUS_M,
                 days: int = DAYS, timeout: float = TIMEOUT) -> None:
        self.client = client
        self.radius_m = radius_m
        self.days = days
        self.timeout = timeout
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="duplicates")

    def find(self, session: Session, service_code: str, lat: float, lon: float, city: Near
             ) -> DuplicatesFound:
        """The city's matches (from `city`) and our own, nearest first, at most OFFERED."""
        now = utcnow()
        found: dict[str, tuple[float, datetime | None]] = {}
        for request_id, distance, when in city:
            found[request_id] = (distance, when)
        for request_id, distance, when in self._ours(session, service_code, lat, lon, now):
            found.setdefault(request_id, (distance, when))
        ranked = sorted(found.items(), key=lambda item: item[1][0])[:OFFERED]
        return DuplicatesFound(tuple(Existing(request_id, _days(when, now))
                                     for request_id, (_, when) in ranked))

    def city(self, service_code: str, lat: float, lon: float) -> Near:
        """Open requests of the service within the radius, by the city's server (slow: call
        it outside a transaction); an empty list when the server fails or is slow."""
        if self.client is None:
            return []
        client, now = self.client, utcnow()
        try:
            records = self._pool.submit(
                lambda: client.get_requests(service_code=service_code, status=Status.OPEN,
                                            start_date=now - timedelta(days=self.days),
                                            near=(lat, lon, self.radius_m))
            ).result(timeout=self.timeout)
        except Exception as exc:  # a slow or failing city server: file as usual
            log.warning("already-reported lookup at the city failed (%s); filing as usual",
                        type(exc).__name__)
            return []
        out: Near = []
        for record in records:
            still_open = (record.status or Status.OPEN) == Status.OPEN
            if record.lat is None or record.long is None or not still_open:
                continue
            if record.service_code and record.service_code != service_code:
                continue
            distance = haversine_m(lat, lon, record.lat, record.long)
            if distance <= self.radius_m:
                out.append((record.service_request_id, distance, record.requested_datetime))
        return out

    def _ours(self, session: Session, service_code: str, lat: float, lon: float,
              now: datetime) -> Near:
        """Our own delivered reports nearby whose request is not known to be closed."""
        dlat = self.radius_m / DEGREE_M
        rows = session.execute(
            select(Report.service_request_id, Report.lat, Report.lon, Report.created_at)
            .outerjoin(StatusWatch, StatusWatch.report_id == Report.id)
            .where(Report.service_code == service_code,
                   Report.lat.between(lat - dlat, lat + dlat),
                   Report.status == ReportState.DELIVERED, Report.service_request_id.is_not(None),
                   Report.created_at >= now - timedelta(days=self.days),
                   or_(StatusWatch.report_id.is_(None), StatusWatch.is_open.is_(True)))
            .limit(200)
        ).all()
        out: Near = []
        for request_id, rlat, rlon, created in rows:
            if rlat is None or rlon is None or request_id is None:
                continue
            distance = haversine_m(lat, lon, rlat, rlon)
            if distance <= self.radius_m:
                out.append((request_id, distance, created))
        return out


def follow(session: Session, reference: str, *, phone: str | None, channel: str,
           conversation_id: int, request_id: str, service_code: str, place: Place | None,
           lang: str) -> None:
    """The resident follows an existing request: its status texts come to them as to ours."""
    session.add(Report(
        reference=reference, conversation_id=conversation_id, channel=channel, phone=phone,
        lang=lang, service_code=service_code, follows=True, wants_texts=True,
        lat=place.lat if place else None, lon=place.lon if place else None,
        address=(place.label if place else "")[:255], status=ReportState.DELIVERED,
        service_request_id=request_id, delivered_at=utcnow(),
    ))


def _days(when: datetime | None, now: datetime) -> int:
    if when is None:
        return 0
    if when.tzinfo is None:
        when = when.replace(tzinfo=now.tzinfo)
    return max(0, (now.date() - when.astimezone(now.tzinfo).date()).days)
