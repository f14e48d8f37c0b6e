"""Benchmark shared locations: the nearest-address lookup and the map-link parser.

    .venv/bin/python -m bench.locations [--points 20000] [--streets PATH --intersections PATH]

Random points over the city's extent (and a margin outside it) are placed on the nearest
address; then a round trip: the point of a mid-block address (from `resolve`; numbers 20-80
within their hundred, as corners are equally near two streets) must read back as that
address. Reported: lookups per second, p50/p99 microseconds per lookup, the share of
addresses read back as themselves, links parsed per second.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from geocode import load_gazetteer
from intake import democity
from sms.locations import find_location


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=20_000)
    parser.add_argument("--streets", type=Path, default=democity.HERE / "centerlines.geojson")
    parser.add_argument("--intersections", type=Path,
                        default=democity.HERE / "intersections.geojson")
    args = parser.parse_args()
    gaz = load_gazetteer(args.streets, args.intersections)
    rng = random.Random(14)
    coords = [c for s in gaz.data.streets.values() for seg in s.segments for c in seg.coords]
    lons, lats = [c[0] for c in coords], [c[1] for c in coords]
    box = (min(lats), max(lats), min(lons), max(lons))
    points = [(rng.uniform(box[0] - 0.01, box[1] + 0.01),
               rng.uniform(box[2] - 0.01, box[3] + 0.01)) for _ in range(args.points)]
    gaz.nearest(points[0][0], points[0][1])  # the grid is built on the first lookup
    took = []
    for lat, lon in points:
        start = time.perf_counter()
        gaz.nearest(lat, lon)
        took.append((time.perf_counter() - start) * 1e6)
    # round trip: addresses' own points read back as themselves
    names = sorted(gaz.data.streets)
    trips = same = 0
    for name in names:
        low_high = gaz.number_range(name)
        if low_high is None:
            continue
        mid_block = [n for n in range(low_high[0], low_high[1] + 1) if 20 <= n % 100 <= 80]
        for number in mid_block[::max(1, len(mid_block) // 8)]:
            best = gaz.resolve(f"{number} {name}").best
            if best is None or best.kind != "address":
                continue
            back = gaz.nearest(best.lat, best.lon)
            trips += 1
            same += back is not None and back.label == best.label
    links = [f"pothole https://maps.google.com/?q={lat:.6f},{lon:.6f}"
             for lat, lon in points[:2000]]
    start = time.perf_counter()
    for link in links:
        find_location(link)
    parse_s = time.perf_counter() - start
    total_s = sum(took) / 1e6
    print(f"{len(points)} lookups in {total_s:.2f} s; {trips} address round trips, {same} same")
    print(f"lookups_per_s={len(points) / total_s:.0f} "
          f"p50_us={statistics.median(took):.0f} "
          f"p99_us={statistics.quantiles(took, n=100)[98]:.0f} "
          f"round_trip_same={same / max(1, trips):.3f} "
          f"links_per_s={len(links) / parse_s:.0f}")


if __name__ == "__main__":
    main()
