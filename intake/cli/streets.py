"""`intake streets ...`: import a city's streets into the on-disk index, and try addresses.

Importing parses the sources once (with a progress bar) and caches the index under
--cache-dir, where the app's `load_gazetteer(..., cache_dir=...)` finds it on start-up.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from geocode import FieldMap, load_gazetteer


@click.group("streets")
def streets() -> None:
    """The city's street gazetteer."""


@streets.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--intersections", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Named intersections GeoJSON (\"A St & B St\" with lat/lon).")
@click.option("--field", "fields", multiple=True, metavar="KEY=PROPERTY",
              help="Map a layer property, e.g. --field street=FULLNAME --field l_from=LFROM.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("var/cache"), show_default=True)
@click.option("--city", help="City name, to recognise addresses elsewhere.")
def import_streets(
    path: Path, intersections: Path | None, fields: tuple[str, ...], cache_dir: Path,
    city: str | None,
) -> None:  # fmt: skip
    """Build and cache the index from a centerline GeoJSON or OpenAddresses CSV."""
    try:
        mapping = FieldMap.from_pairs(fields)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--field") from exc
    started = time.perf_counter()
    gaz = load_gazetteer(path, intersections, cache_dir, fields=mapping, city=city, progress=True)
    data = gaz.data
    segments = sum(len(s.segments) for s in data.streets.values())
    points = sum(len(v) for s in data.streets.values() for v in s.points.values())
    click.echo(
        f"{len(data.streets)} streets, {segments} segments, {points} address points, "
        f"{len(data.crossings)} intersections, ZIPs {', '.join(sorted(gaz.zips)) or '-'}"
    )
    click.echo(f"cached in {cache_dir} ({time.perf_counter() - started:.2f} s)")
    started = time.perf_counter()
    load_gazetteer(path, intersections, cache_dir, fields=mapping, city=city)
    click.echo(f"reload from cache: {(time.perf_counter() - started) * 1000:.0f} ms")


@streets.command("locate")
@click.argument("text")
@click.option("--streets", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True, help="Centerline GeoJSON or OpenAddresses CSV.")
@click.option("--intersections", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("var/cache"), show_default=True)
@click.option("--zip", "zip_code", help="ZIP code to narrow by.")
def locate(
    text: str, path: Path, intersections: Path | None, cache_dir: Path, zip_code: str | None
) -> None:
    """Show how TEXT resolves: verdict and candidates with scores."""
    gaz = load_gazetteer(path, intersections, cache_dir)
    result = gaz.resolve(text, zip_code)
    click.echo(result.status)
    for cand in result.candidates:
        click.echo(
            f"  {cand.score:.3f}  {cand.kind:<12} {cand.label:<40} {cand.lat:.6f},{cand.lon:.6f}"
        )
