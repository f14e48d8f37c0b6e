"""`python -m intake.democity` regenerates the demo city's GeoJSON files."""

from intake.democity import write

if __name__ == "__main__":
    for path in write():
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
