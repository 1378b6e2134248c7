"""Invariant I8 for ingest: no log line carries a phone number, SIP URI, IP address or street."""

import logging
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from portal.ingest import IngestInputError
from tests.ingest.conftest import call_row, csv_bytes, encode, location_row, number_row, run

PHONE = "+4930555012345"
SIP = "sip:canary.person@contoso.example"
UPN = "canary.person@contoso.example"
IPV4 = "198.51.100.77"
IPV6 = "2001:db8:cafe::77"
STREET = "Kanarienvogelweg"
CANARIES = [PHONE, SIP, UPN, IPV4, IPV6, STREET, "4930555012345", "cafe::77"]


def _assert_clean(text: str) -> None:
    for canary in CANARIES:
        assert canary not in text


@pytest.mark.parametrize("fmt", ["csv", "ndjson"])
def test_ingest_logs_no_personal_data(world, engine, fmt, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    number = number_row(telephone_number=PHONE, sip_uri=SIP, assigned_upn=UPN)
    call = call_row(caller_number=PHONE, caller_ip=IPV4, callee_ip=IPV6, user_upn=UPN)
    place = location_row(street_name=STREET)

    # accepted files, on the bulk path and the row-by-row path
    assert run("numbers", encode([number], fmt), fmt, engine).ok
    assert run("call-records", encode([call], fmt), fmt, engine).ok
    assert run("emergency-locations", encode([place], fmt), fmt, engine).ok
    # refused files: a bad value next to the canaries, a duplicate, a database-level refusal
    refused = [
        run("numbers", encode([number_row(telephone_number=PHONE + "999999")], fmt), fmt, engine),
        run("call-records", encode([call_row(caller_ip=IPV4 + "9", callee_ip=IPV6)], fmt), fmt, engine),
        run("call-records", encode([call, call], fmt), fmt, engine),
        run("emergency-locations", encode([location_row(street_name=STREET * 20)], fmt), fmt, engine),
    ]  # fmt: skip
    assert not any(report.ok for report in refused)
    for report in refused:
        _assert_clean(" ".join(str(r) for r in report.rejects))
    with pytest.raises(IngestInputError) as binary:
        run("numbers", encode([number], fmt) + b"\x00", fmt, engine)
    _assert_clean(binary.value.message)
    # the command's own output
    path = tmp_path / f"numbers.{fmt}"
    path.write_bytes(encode([number_row(telephone_number=PHONE, tenant=IPV4)], fmt))
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("ingest", "numbers", str(path), stdout=out, stderr=err)

    assert caplog.records  # the ingest did log (counts), so there was something to check
    for record in caplog.records:
        _assert_clean(record.getMessage())
        _assert_clean(record.exc_text or "")
    _assert_clean(caplog.text)
    _assert_clean(out.getvalue() + err.getvalue())


def test_rejects_never_quote_the_value(world, engine):
    report = run(
        "numbers", csv_bytes([number_row(telephone_number="+0" + "5" * 20)]), "csv", engine
    )

    assert [r.reason for r in report.rejects] == ["not a valid E.164 number"]
