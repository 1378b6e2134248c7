"""Deterministic, plausible call records for the demo (see DOMAIN.md, "Call detail records").

``generate_calls`` yields rows as tuples in ``COLUMNS`` order, from one seeded random stream
that it consumes call by call. So the first N rows are the same whatever total is asked for:
``--calls 300`` is a prefix of ``--calls 1000000``, which makes re-runs idempotent (same keys)
and lets a run that already has enough rows stop early.

Speed matters (1,000,000 rows in well under two minutes on PostgreSQL): everything that can be
precomputed per line or per number is, and each row costs a few dozen calls to ``random()``.
"""

from __future__ import annotations

import json
import random
import uuid
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate

from portal.choices import NumberUsage
from portal.demo.catalog import ASSIGNMENTS, CALL_HISTORY_DAYS, TENANTS
from portal.demo.inventory import FIRST, LAST, _released_day
from portal.models import EmergencyLocation, Operator, PhoneNumber, Tenant

COLUMNS = (
    "id", "tenant_id", "operator_id", "call_id", "leg", "correlation_id", "user_object_id",
    "user_upn", "user_display_name", "caller_number", "callee_number", "call_type", "direction",
    "invite_time", "start_time", "end_time", "failure_time", "duration_seconds",
    "duration_source", "success", "final_sip_code", "final_sip_phrase", "microsoft_sub_code",
    "destination_context", "external_country", "tenant_country", "caller_ip", "callee_ip",
    "caller_os", "callee_os", "caller_platform", "callee_platform", "caller_connection_type",
    "callee_connection_type", "jitter_avg_ms", "jitter_max_ms", "packet_loss_avg",
    "packet_loss_max", "rtt_avg_ms", "rtt_max_ms", "mos_avg", "quality", "is_emergency",
    "emergency_location_snapshot",
)  # fmt: skip

UTC_OFFSET = {"GB": 0, "IE": 0, "DE": 1, "AT": 1, "FR": 1, "CH": 1, "US": -8}
EMERGENCY_NUMBER = {"GB": "999", "US": "911"}  # elsewhere 112
CALLING_CODE = {
    "GB": "44", "IE": "353", "DE": "49", "AT": "43", "FR": "33", "CH": "41", "US": "1",
    "NL": "31", "ES": "34", "IT": "39", "PL": "48", "IN": "91", "JP": "81", "BR": "55",
    "AU": "61", "SE": "46",
}  # fmt: skip
INTERNATIONAL = ["US", "DE", "FR", "GB", "NL", "ES", "IT", "PL", "IN", "JP", "BR", "AU", "CH", "SE"]

# Final SIP responses of failed calls (RFC 3261), with Microsoft-style sub-codes and weights.
FAILURES = [
    (486, "Busy Here", 560486, 30),
    (480, "Temporarily Unavailable", 560480, 20),
    (487, "Request Terminated", 540487, 18),
    (603, "Decline", 560603, 7),
    (404, "Not Found", 560404, 8),
    (408, "Request Timeout", 560408, 6),
    (503, "Service Unavailable", 560503, 5),
    (484, "Address Incomplete", 560484, 3),
    (500, "Server Internal Error", 560500, 2),
    (403, "Forbidden", 560403, 1),
]
# Teams-side clients: (OS, platform, weight, connection types with weights).
_DESK = (("wired", 45), ("wifi", 45), ("tunnel", 7), ("unknown", 3))
_MOBILE = (("mobile", 50), ("wifi", 45), ("unknown", 5))
_FIXED = (("wired", 95), ("wifi", 5))
CLIENTS = [
    ("Windows 11", "windows", 36, _DESK), ("Windows 10", "windows", 12, _DESK),
    ("macOS 15", "macOS", 9, _DESK), ("macOS 14", "macOS", 4, _DESK),
    ("iOS 18", "iOS", 9, _MOBILE), ("iOS 17", "iOS", 3, _MOBILE),
    ("Android 15", "android", 6, _MOBILE), ("Android 14", "android", 3, _MOBILE),
    ("Windows 11", "web", 3, _DESK), ("Ubuntu 24.04", "web", 2, _DESK),
    ("ChromeOS 130", "web", 1, _DESK),
    ("Yealink MP56 (Teams 1.0.0.2024)", "ipPhone", 4, _FIXED),
    ("Poly CCX 600 (Teams 9.1)", "ipPhone", 2, _FIXED),
    ("Teams Rooms on Windows 11 IoT", "roomSystem", 3, _FIXED),
    ("Teams Rooms on Android 12", "roomSystem", 1, _FIXED),
]  # fmt: skip
# Call types by number usage: (type, cumulative probability).
USER_TYPES = (
    ("user_out", "user_in", "user_out_transfer", "user_out_forwarding", "emergency_out", "user_in"),
    (0.47, 0.88, 0.915, 0.955, 0.9565, 1.0),
)
APP_TYPES = (("ucap_in", "ucap_out"), (0.9, 1.0))
CONF_TYPES = (("conf_in", "conf_out"), (0.85, 1.0))
UNASSIGNED_TYPES = (("unassigned_in",), (1.0,))
# Relative call volume by hour of the local day (business hours dominate).
HOURS = [0.2] * 7 + [1, 4, 8, 8, 8, 5, 8, 8, 8, 8, 4, 2] + [0.6] * 5
_HOURS_CUM = list(accumulate(HOURS))
DAY = 86400


@dataclass
class Number:
    e164: str
    types: tuple[tuple[str, ...], tuple[float, ...]]  # call types and their cumulative odds
    object_id: str | None
    upn: str
    display: str
    snapshot: str | None  # JSON text of the emergency location


@dataclass
class Line:
    """One operator carrying one tenant's calls in one country, over a span of time."""

    tenant_id: int
    operator_id: int
    tenant_index: int
    country: str
    start: float  # epoch seconds
    end: float
    weight: float
    numbers: list[Number]
    number_cum: list[float]
    fallback_snapshot: str | None
    sbc_ips: tuple[str, str]


def _snapshot(location: EmergencyLocation | None) -> str | None:
    return json.dumps(location.snapshot(), ensure_ascii=False) if location else None


def _number(n: PhoneNumber, index: int, domain: str) -> tuple[Number, float]:
    if n.usage == NumberUsage.VOICE_APP:
        types, weight = APP_TYPES, 2.0
    elif n.usage == NumberUsage.CONFERENCE:
        types, weight = CONF_TYPES, 1.0
    elif n.assigned_upn or n.released_at:
        types, weight = USER_TYPES, 1.0
    else:
        types, weight = UNASSIGNED_TYPES, 0.15
    upn, display = n.assigned_upn, n.assigned_display_name
    object_id = str(n.assigned_object_id) if n.assigned_object_id else None
    if n.released_at and not upn:
        # Before a number was released it belonged to someone: give those calls a caller.
        first, last = FIRST[n.iso_country_code][index % 6], LAST[n.iso_country_code][index % 4]
        display, upn = f"{first} {last}", f"former.user{index}@{domain}"
        object_id = str(uuid.uuid5(uuid.NAMESPACE_URL, upn))
    snapshot = _snapshot(n.emergency_location)
    return Number(n.telephone_number, types, object_id, upn, display, snapshot), weight


def build_lines(anchor: datetime) -> list[Line]:
    """The demo's traffic plan, read back from the numbers that exist."""
    tenants = {t.slug: t for t in Tenant.objects.filter(slug__in=[t.slug for t in TENANTS])}
    domains = {t.slug: t.domain for t in TENANTS}
    operators = {
        o.slug: o for o in Operator.objects.filter(slug__in={a.operator for a in ASSIGNMENTS})
    }
    tenant_index = {t.slug: i for i, t in enumerate(TENANTS)}
    lines = []
    for op_index, spec in enumerate(ASSIGNMENTS):
        tenant, operator = tenants[spec.tenant], operators[spec.operator]
        for country in spec.countries:
            qs = (
                PhoneNumber.objects.for_tenant(tenant)
                .filter(operator=operator, iso_country_code=country)
                .select_related("emergency_location")
                .order_by("telephone_number")
            )
            numbers, weights = [], []
            for i, n in enumerate(qs):
                number, weight = _number(n, i, domains[spec.tenant])
                numbers.append(number)
                weights.append(weight)
            if not numbers:
                continue
            released = _released_day(spec, country)
            start = anchor - timedelta(days=min(CALL_HISTORY_DAYS, spec.assigned_day - 1))
            end = anchor - timedelta(days=released) if released else anchor
            fallback = next((n.snapshot for n in numbers if n.snapshot), None)
            lines.append(
                Line(
                    tenant.pk, operator.pk, tenant_index[spec.tenant], country,
                    start.timestamp(), end.timestamp(), spec.traffic.get(country, 1.0),
                    numbers, list(accumulate(weights)), fallback,
                    (f"203.0.113.{10 + op_index}", f"2001:db8:ffff:{op_index:x}::5"),
                )
            )  # fmt: skip
    return lines


def _pick(cum: list[float], r: float):
    return bisect(cum, r * cum[-1])


def _external(rng: random.Random, country: str) -> str:
    code = CALLING_CODE[country]
    digits = 10 if country == "US" else (11 - len(code) if len(code) > 2 else 9)
    return f"+{code}{rng.randrange(2 * 10 ** (digits - 1), 10**digits)}"


def _client_ip(r, tenant_index: int) -> str:
    v = r()
    if v < 0.35:
        return f"10.{tenant_index}.{int(r() * 255)}.{1 + int(r() * 253)}"
    if v < 0.55:
        return f"192.168.{int(r() * 255)}.{1 + int(r() * 253)}"
    if v < 0.74:
        return f"198.51.100.{1 + int(r() * 253)}"
    return f"2001:db8:{tenant_index:x}{int(r() * 4096):03x}:{int(r() * 65535):x}::{1 + int(r() * 65534):x}"


def _quality(r) -> tuple:
    """(jitter avg, max, loss avg, max, rtt avg, max, mos, class) — ~5% of calls are poor."""
    if r() < 0.03:
        return (None, None, None, None, None, None, None, "unclassified")
    jitter, loss, rtt = 1 + r() * 12, (r() ** 3) * 0.03, 20 + r() * 150
    mos = 3.9 + r() * 0.6
    if r() < 0.052:
        cause = r()
        if cause < 0.4:
            rtt = 520 + r() * 900
        elif cause < 0.7:
            loss = 0.11 + r() * 0.25
        else:
            jitter = 31 + r() * 60
        mos = 1.5 + r() * 1.6
    poor = rtt > 500 or loss > 0.1 or jitter > 30
    return (
        round(jitter, 1), round(jitter * (1.5 + r() * 2), 1),
        round(loss, 4), round(min(1.0, loss * (2 + r() * 3)), 4),
        round(rtt, 1), round(rtt * (1.2 + r()), 1),
        round(mos, 2), "poor" if poor else "good",
    )  # fmt: skip


_NO_QUALITY = (None, None, None, None, None, None, None, "unclassified")


class _Generator:
    def __init__(self, lines: list[Line], seed: int):
        self.lines = lines
        self.line_cum = list(accumulate(line.weight for line in lines))
        self.rng = random.Random(seed)
        self.client_cum = list(accumulate(c[2] for c in CLIENTS))
        self.conn_cum = [list(accumulate(w for _, w in c[3])) for c in CLIENTS]
        self.fail_cum = list(accumulate(f[3] for f in FAILURES))
        self.formula = self._formula_numbers()

    def _formula_numbers(self) -> list[tuple[Line, Number]]:
        from portal.demo.inventory import FORMULA_NAMES

        return [
            (line, n) for line in self.lines for n in line.numbers if n.display in FORMULA_NAMES
        ]

    def _uuid(self) -> str:
        """A random (version 4 shaped) UUID as text; ~4x cheaper than ``str(uuid.UUID(...))``."""
        x = self.rng.getrandbits(128)
        h = f"{x:032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[x & 3]}{h[17:20]}-{h[20:]}"

    def _time(self, line: Line) -> float:
        r = self.rng.random
        span_days = int((line.end - line.start) // DAY) or 1
        day0 = line.start - line.start % DAY
        while True:
            day = day0 + int(r() * span_days + 1) * DAY
            weekday = (int(day // DAY) + 3) % 7  # 1970-01-01 was a Thursday
            if weekday >= 5 and r() < 0.8:
                continue
            hour = _pick(_HOURS_CUM, r())
            t = day + (hour - UTC_OFFSET[line.country]) * 3600 + r() * 3600
            if line.start <= t < line.end:
                return t

    def _client(self) -> tuple[str, str, str]:
        r = self.rng.random
        i = _pick(self.client_cum, r())
        os_name, platform, _, conns = CLIENTS[i]
        return os_name, platform, conns[_pick(self.conn_cum[i], r())][0]

    def calls(self, n: int) -> Iterator[tuple]:
        produced, call_no = 0, 0
        while produced < n:
            for row in self._call(call_no):
                yield row
                produced += 1
                if produced >= n:
                    return
            call_no += 1

    def _call(self, call_no: int) -> list[tuple]:
        r = self.rng.random
        line = self.lines[_pick(self.line_cum, r())]
        number = line.numbers[_pick(line.number_cum, r())]
        names, odds = number.types
        call_type = names[bisect(odds, r())]
        # The first calls always include the formula-like names and an emergency call, so
        # even a tiny demo shows them.
        if call_no < len(self.formula):
            line, number = self.formula[call_no]
            call_type = "user_out"
        elif call_no == len(self.formula) + 1 and self.formula:
            line, number = self.formula[0]
            call_type = "emergency_out"
        invite = self._time(line)
        call_id, correlation = self._uuid(), self._uuid()
        if call_type in ("user_out_transfer", "user_out_forwarding"):
            first = self._leg(line, number, "user_in", invite, call_id, correlation, 0)
            answered = first[14] or datetime.fromtimestamp(invite, UTC)
            second_invite = answered.timestamp() + 5 + r() * 60
            return [
                first,
                self._leg(line, number, call_type, second_invite, call_id, correlation, 1),
            ]
        return [self._leg(line, number, call_type, invite, call_id, correlation, 0)]

    def _leg(self, line, number, call_type, invite, call_id, correlation, leg) -> tuple:
        rng, r = self.rng, self.rng.random
        inbound = call_type.endswith("_in")
        emergency = call_type == "emergency_out"
        if emergency:
            other, context, ext_country = EMERGENCY_NUMBER.get(line.country, "112"), "domestic", ""
        elif r() < 0.15:
            ext_country = INTERNATIONAL[int(r() * len(INTERNATIONAL))]
            if ext_country == line.country:
                ext_country = "US" if line.country != "US" else "GB"
            other, context = _external(rng, ext_country), "international"
        else:
            other, context, ext_country = _external(rng, line.country), "domestic", line.country
        success = emergency or r() < 0.87
        invite_dt = datetime.fromtimestamp(invite, UTC)
        if success:
            start = invite_dt + timedelta(seconds=2 + r() * 16)
            duration = min(14400, int(rng.lognormvariate(4.6, 1.0)))
            if emergency:
                duration = 60 + int(r() * 540)
            end = start + timedelta(seconds=duration)
            failure, code, phrase, sub = None, 200, "OK", 0
            quality = _quality(r)
            if emergency and quality[7] != "good":
                quality = (4.1, 9.0, 0.0, 0.001, 45.0, 70.0, 4.3, "good")
        else:
            code, phrase, sub, _ = FAILURES[_pick(self.fail_cum, r())]
            start = end = None
            duration = 0
            failure = invite_dt + timedelta(seconds=0.5 + r() * 30)
            quality = _NO_QUALITY
        cloud = call_type.startswith(("ucap", "conf"))
        if cloud:  # Teams side is a Microsoft media service, not a person's device
            client = (f"198.51.100.{200 + int(r() * 50)}", "", "", "")
        else:
            os_name, platform, conn = self._client()
            client = (_client_ip(r, line.tenant_index), os_name, platform, conn)
        sbc = (line.sbc_ips[0] if r() < 0.7 else line.sbc_ips[1], "", "pstn", "")
        caller, callee = (sbc, client) if inbound else (client, sbc)
        ours, theirs = number.e164, other
        known_user = call_type != "unassigned_in"
        return (
            self._uuid(), line.tenant_id, line.operator_id, call_id, leg, correlation,
            number.object_id if known_user else None,
            number.upn if known_user else "",
            number.display if known_user else "",
            theirs if inbound else ours, ours if inbound else theirs,
            call_type, "inbound" if inbound else "outbound",
            invite_dt, start, end, failure, duration,
            "operator" if r() < 0.1 else "microsoft",
            success, code, phrase, sub, context, ext_country, line.country,
            caller[0], callee[0], caller[1], callee[1], caller[2], callee[2], caller[3], callee[3],
            *quality,
            emergency,
            (number.snapshot or line.fallback_snapshot) if emergency else None,
        )  # fmt: skip


def generate_calls(lines: list[Line], n: int, *, seed: int = 20261128) -> Iterator[tuple]:
    """Yield ``n`` call-record rows (tuples in ``COLUMNS`` order), deterministically."""
    if not lines or n <= 0:
        return iter(())
    return _Generator(lines, seed).calls(n)
