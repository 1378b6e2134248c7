"""manage.py bench_scale --only ingest: times a daily batch and leaves the table as it found it."""

from io import StringIO

import pytest
from django.core.management import call_command

from portal.models import CallDayCount, CallRecord


@pytest.mark.django_db(transaction=True)
def test_bench_scale_only_ingest_times_the_batch_and_deletes_it_again():
    call_command("bench_scale", rows=120, batch=12, only="ingest", stdout=StringIO())
    stored = CallRecord.objects.count()
    calls = sum(CallDayCount.objects.values_list("calls", flat=True))
    out = StringIO()

    call_command("bench_scale", rows=120, batch=12, only="ingest", stdout=out)

    text = out.getvalue()
    assert "| ingest of 12 new rows (postgresql) |" in text
    assert "the batch deleted again" in text
    assert "pages and API lists" not in text and "retention of" not in text
    assert CallRecord.objects.count() == stored
    assert sum(CallDayCount.objects.values_list("calls", flat=True)) == calls
