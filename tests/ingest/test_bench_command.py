"""manage.py bench_ingest runs end to end (tiny size) and reports both rates and the ratio."""

import csv
from io import StringIO

from django.core.management import call_command

from portal.models import CallRecord


def test_bench_ingest_generates_ingests_and_compares_with_bare_copy(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    out = StringIO()

    call_command("bench_ingest", rows=40, stdout=out)

    text = out.getvalue()
    assert "ingest (insert):" in text and "bare COPY:" in text
    assert "ratio ingest / bare COPY:" in text
    assert "call-records: 40 rows, 40 inserted" in text
    assert "call-records: 40 rows, 0 inserted, 0 updated, 40 unchanged" in text
    assert CallRecord.objects.filter(tenant__slug="bench-tenant").count() == 40
    with (tmp_path / "bench" / "call-records-40.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 40
    assert rows[0]["user_display_name"].startswith("=HYPERLINK(")  # formula-looking names too
