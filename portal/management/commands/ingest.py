"""manage.py ingest {numbers,call-records,emergency-locations} PATH|- [--format csv|ndjson]"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.ingest import ENGINES, KINDS, IngestInputError, ingest

EXTENSIONS = {".csv": "csv", ".ndjson": "ndjson", ".jsonl": "ndjson"}


class Command(BaseCommand):
    help = "Ingest numbers, call records or emergency locations from a CSV or NDJSON file."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("path", help="a file, or - for standard input")
        parser.add_argument("--format", choices=["csv", "ndjson"], dest="fmt")
        parser.add_argument("--engine", choices=ENGINES, default="auto")

    def handle(self, *args, kind: str, path: str, fmt: str | None, engine: str, **options):
        if fmt is None:
            if path == "-":
                raise CommandError("--format is required when reading standard input.")
            fmt = EXTENSIONS.get(Path(path).suffix.lower())
            if fmt is None:
                raise CommandError("Cannot tell the format from the file name; pass --format.")
        try:
            if path == "-":
                report = ingest(kind, sys.stdin.buffer, fmt, source="stdin", engine=engine)
            else:
                try:
                    stream = open(path, "rb")  # noqa: SIM115 - closed below
                except OSError as exc:
                    raise CommandError(f"Cannot open the file: {exc.strerror}.") from None
                with stream:
                    report = ingest(kind, stream, fmt, source=Path(path).name, engine=engine)
        except IngestInputError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(report.summary())
        if not report.ok:
            for reject in report.rejects:
                self.stderr.write(str(reject))
            hidden = report.rejects_total - len(report.rejects)
            if hidden:
                self.stderr.write(f"… and {hidden} more rejects")
            raise CommandError(f"{report.rejects_total} rejected; nothing was written.")
