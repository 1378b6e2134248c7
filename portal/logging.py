"""A logging filter that scrubs personal data from every line (invariant I8).

Our own code never logs phone numbers, SIP URIs, IP addresses or street addresses. This filter is
the safety net for what others log: database errors quote the failing row ("Failing row contains
(…)", "Key (…)=(…)"), tracebacks quote values, libraries log client addresses.
"""

import logging
import re

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # PostgreSQL error details quote whole rows and key values.
    (
        re.compile(r"Failing row contains \(.*?\)\.?(?=\s*$|\n)", re.S | re.M),
        "Failing row contains (…)",
    ),
    (re.compile(r"Key \((.*?)\)=\(.*?\)", re.S), r"Key (\1)=(…)"),
    (re.compile(r"\bsips?:[^\s'\"<>,;]+", re.I), "sip:…"),
    (re.compile(r"(?<![\w.])\+?\d[\d \-().]{6,}\d(?![\w.])"), "<number>"),
    (re.compile(r"(?<![\w.:])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])"), "<ip>"),
    (re.compile(r"(?<![\w:])(?:[0-9a-f]{1,4}:){2,7}(?::|[0-9a-f]{1,4})(?![\w:])", re.I), "<ip>"),
    (re.compile(r"(?<![\w:])(?:[0-9a-f]{1,4}:)*::(?:[0-9a-f]{1,4}:?)*(?![\w:])", re.I), "<ip>"),
]


def redact(text: str) -> str:
    """Return ``text`` with phone numbers, SIP URIs, IP addresses and row dumps removed."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


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
