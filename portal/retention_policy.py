"""How long call records are kept, per tenant country (docs/notice.md "Retention").

Microsoft keeps call records 150 to 730 days depending on the country; our defaults stay inside
that range, shorter where regulators expect call-detail data to be kept briefly. This is the one
table of defaults: the notice states the period, and the retention purge (when it runs) deletes
on it. A per-tenant override, where present (``Tenant.call_record_retention_days``), wins within
the same limits.
"""

from __future__ import annotations

MIN_DAYS = 150
MAX_DAYS = 730
DEFAULT_DAYS = 365

# Countries whose regulators ask for short retention of traffic and call-detail data.
_DEFAULTS: dict[str, int] = {
    **dict.fromkeys(["AT", "BE", "CH", "DE", "DK", "FI", "FR", "LU", "NL", "NO", "SE"], 150),
    **dict.fromkeys(["ES", "GR", "IT", "PL", "PT"], 180),
    **dict.fromkeys(["GB", "IE"], 365),
}


def default_retention_days(country: str | None) -> int:
    """The default number of days call records of a tenant in ``country`` are kept."""
    return _DEFAULTS.get(str(country or "").upper(), DEFAULT_DAYS)


def call_record_retention_days(tenant) -> int:
    """The tenant's call-record retention: its override if it has one, else the default."""
    override = getattr(tenant, "call_record_retention_days", None)
    if override:
        return max(MIN_DAYS, min(MAX_DAYS, int(override)))
    return default_retention_days(tenant.country)
