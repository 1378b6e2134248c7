"""A logging filter that scrubs personal data from every line (invariant I8).

Our own code never logs phone numbers, SIP URIs, IP addresses or street addresses. This filter is
the safety net for what others log: database errors quote the failing row ("Failing row contains
(…)", "Key (…)=(…)"), tracebacks quote values, libraries log client addresses.

Street addresses cannot be recognised by a pattern; the row-dump scrubbers remove them from
database errors, and nothing else of ours logs them. Phone numbers are told apart from the
numbers a log line needs (timestamps, UUIDs, counts, durations) by shape: a leading ``+`` or
``0``, or at least ten digits; dates, times and UUIDs are matched first and kept.
"""

import logging
import re

# PostgreSQL's DETAIL quotes a whole row. A value may contain anything, even ")" and newlines, so
# everything up to the end of the error (a blank line, the next section of a traceback, or the
# end of the text) goes.
_ROW_DUMP = re.compile(
    r"Failing row contains \(.*?"
    r"(?=\n[ \t]*\n|\n(?:HINT|CONTEXT|Traceback|The above exception|During handling)|\Z)",
    re.S,
)
# "Key (a, b)=(1, x) already exists." — also "is not present …", "is still referenced …",
# "conflicts with existing key (…)=(…)".
_KEY_VALUE = re.compile(
    r"(Key \([^)\n]*\))=\(.*?\)"
    r"(?=\s+(?:already exists|is not present|is still referenced|conflicts with)|\.?[ \t]*$)",
    re.I | re.M,
)
_KEY_VALUE_REST = re.compile(r"(Key \([^)\n]*\))=\((?!…\))[^\n]*", re.I)
_URI = re.compile(r"\b(?:sips?|tel):[^\s'\"<>,;]+", re.I)
# IPv6 candidates (also with an IPv4 tail, ::ffff:192.0.2.1); kept unless compressed ("::") or
# eight groups long, so "12:34:56" stays a time.
_IPV6 = re.compile(
    r"(?<![\w:.])(?:[0-9a-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9a-f]{1,4})?(?![\w:])",
    re.I,
)
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?!\w|\.\d)")
# Numbers: the safe shapes first (kept as they are), then anything that may be a phone number.
_NUMBERS = re.compile(
    r"(?P<safe>"
    r"(?<![\w-])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![\w-])"
    r"|(?<![\w.])\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
    r"(?:Z|[+-]\d{2}(?::?\d{2})?)?)?(?!\d)"
    r"|(?<![\w.])\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:[+-]\d{2}:?\d{2})?(?![\w:])"
    r")"
    r"|(?P<phone>(?<![\w.+])\+?\(?\d[\d ().\-]*\d(?!\w))",
    re.I,
)
_DECIMAL = re.compile(r"\d+\.\d+")


def _scrub_ipv6(match: re.Match) -> str:
    text = match.group(0)
    has_digits = any(c.isalnum() for c in text)
    if has_digits and ("::" in text or text.count(":") >= 7 or ("." in text and ":" in text)):
        return "<ip>"
    return text


def _scrub_number(match: re.Match) -> str:
    text = match.group("phone")
    if text is None:
        return match.group(0)  # a date, a time or a UUID
    digits = sum(c.isdigit() for c in text)
    if text.startswith("+"):
        phone = digits >= 6
    elif _DECIMAL.fullmatch(text):
        phone = False  # 0.25, 1234.5678: a measurement, not a number to dial
    elif text.lstrip("(").startswith("0"):
        phone = digits >= 7  # a national (0…) or international (00…) prefix
    else:
        phone = digits >= 10
    return "<number>" if phone else text


def redact(text: str) -> str:
    """Return ``text`` with phone numbers, SIP URIs, IP addresses and row dumps removed."""
    text = _ROW_DUMP.sub("Failing row contains (…)", text)
    text = _KEY_VALUE.sub(r"\1=(…)", text)
    text = _KEY_VALUE_REST.sub(r"\1=(…)", text)
    text = _URI.sub(lambda m: m.group(0).split(":", 1)[0].lower() + ":…", text)
    text = _IPV6.sub(_scrub_ipv6, text)
    text = _IPV4.sub("<ip>", text)
    return _NUMBERS.sub(_scrub_number, text)


class RedactPersonalData(logging.Filter):
    """Render the message (and any traceback) once, scrubbed, so no handler sees the original."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not hide the line
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(text)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
