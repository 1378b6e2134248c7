"""portal.logging.redact on tricky inputs: personal data goes, ordinary text stays exactly."""

import logging

import pytest

from portal.logging import RedactPersonalData, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # phone numbers
        ("call +4930123456789 now", "call <number> now"),
        ("from +44 20 7946 0000.", "from <number>."),
        ("+49 (0)30 1234567", "<number>"),
        ("national 030 12345678", "national <number>"),
        ("intl 00493012345678", "intl <number>"),
        ("US (206) 555-0123 or 206.555.0123", "US <number> or <number>"),
        ("caller=+4930123456789,callee=+442079460000", "caller=<number>,callee=<number>"),
        ("'+4930123456789'", "'<number>'"),
        ("number: 2065550123", "number: <number>"),
        # SIP and tel URIs
        ("sip:+4930123456789@contoso.example;user=phone", "sip:…;user=phone"),
        ("<SIPS:alice@contoso.example>", "<sips:…>"),
        ("uri tel:+4930123456789.", "uri tel:…"),
        # IPv4
        ("from 192.0.2.1.", "from <ip>."),
        ("peer 192.0.2.1:5060", "peer <ip>:5060"),
        ("caller_ip:198.51.100.23 ok", "caller_ip:<ip> ok"),
        ("(10.0.0.1)", "(<ip>)"),
        # IPv6
        ("v6 2001:db8::7.", "v6 <ip>."),
        ("[2001:db8::1]:5060", "[<ip>]:5060"),
        ("fe80::1%eth0", "<ip>%eth0"),
        ("::1", "<ip>"),
        ("mapped ::ffff:192.0.2.1 here", "mapped <ip> here"),
        ("2001:0db8:0000:0000:0000:ff00:0042:8329", "<ip>"),
        ("2001:DB8:85A3::8A2E:370:7334", "<ip>"),
        # PostgreSQL row dumps and keys
        (
            'violates check constraint "x"\nDETAIL:  Failing row contains (1, +4930123456789, GB).',
            'violates check constraint "x"\nDETAIL:  Failing row contains (…)',
        ),
        (
            "DETAIL:  Failing row contains (7, 12 Kanarienweg (rear)\nBerlin, DE).\n\nThe above "
            "exception was the direct cause",
            "DETAIL:  Failing row contains (…)\n\nThe above exception was the direct cause",
        ),
        (
            "Failing row contains (7, Kanarienweg).\nTraceback (most recent call last):",
            "Failing row contains (…)\nTraceback (most recent call last):",
        ),
        ("Key (telephone_number)=(+4930123456789) already exists.",
         "Key (telephone_number)=(…) already exists."),
        ("Key (tenant_id, call_id, leg)=(5, a)b, 0) already exists.",
         "Key (tenant_id, call_id, leg)=(…) already exists."),
        ('Key (operator_id, country)=(3, ES) is not present in table "portal_operatorcountry".',
         'Key (operator_id, country)=(…) is not present in table "portal_operatorcountry".'),
        ("Key (id)=(5) is still referenced from table x.",
         "Key (id)=(…) is still referenced from table x."),
        ("Key (x)=(Kanarienweg 12", "Key (x)=(…)"),
    ],
)  # fmt: skip
def test_personal_data_is_replaced(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-28 14:30:48,123 INFO portal export finished",
        "at 2026-11-28T14:30:48.123456+00:00 and 2026-11-28T14:30:48Z",
        "took 12:34:56 (00:00:01.250)",
        "job 3f2b8c1e-1234-5678-9abc-def012345678 queued",
        "ingested 1234567 rows in 12.5 s",
        "1,000,000 calls at 52000 per second; 99999999 rows",
        "jitter 0.30000000000000004 ms, MOS 4.2, loss 0.01",
        "Django 5.2.19, psycopg 3.3.9, celery 5.7.0",
        "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "id 1234567890abcdef and 0x7ff1be3ba5c0",
        "HTTP 500 for GET /api/v1/exports/42/ in 1503 ms",
        "final SIP: 486 Busy Here; sip code 503",
        "key :: value, std::vector, Class::method, aa:bb:cc:dd:ee:ff",
        "range 100-200, ratio 3/4, 50% done, -5 days",
        "Operator O for DE, GB (added FR; removed DE)",
        "https://portal.example.com/notice/contoso/v/3/",
        "gossip: nothing; hotel: none",
        "",
    ],
)
def test_ordinary_text_timestamps_uuids_and_counts_are_left_alone(text):
    assert redact(text) == text


def _record(msg, args=(), exc_info=None):
    return logging.LogRecord("portal", logging.ERROR, __file__, 1, msg, args, exc_info)


def test_the_filter_renders_the_message_once_and_drops_the_arguments():
    record = _record("call %s from %s", ("+4930123456789", "192.0.2.1"))
    assert RedactPersonalData().filter(record) is True
    assert (record.msg, record.args, record.getMessage()) == (
        "call <number> from <ip>",
        None,
        record.msg,
    )


def test_the_filter_redacts_the_traceback_and_keeps_its_shape():
    try:
        raise ValueError("bad number +4930123456789")
    except ValueError:
        import sys

        record = _record("failed", exc_info=sys.exc_info())
    RedactPersonalData().filter(record)
    assert record.exc_info is None
    assert record.exc_text.startswith("Traceback (most recent call last):")
    assert record.exc_text.endswith("ValueError: bad number <number>")
    formatted = logging.Formatter("%(message)s").format(record)
    assert formatted.splitlines()[0] == "failed"
    assert "+4930123456789" not in formatted


def test_a_broken_format_string_still_logs_its_redacted_text():
    record = _record("call %s %s", ("+4930123456789",))
    RedactPersonalData().filter(record)
    assert record.msg == "call %s %s"
    record = _record("from 192.0.2.1 %d", ("x",))
    RedactPersonalData().filter(record)
    assert record.msg == "from <ip> %d"
