"""The record of processing per operator (GDPR Art. 30), as of any date (docs/notice.md).

Everything is read from history that is never rewritten, so the record "as of D" is the same
whenever it is produced: the notice versions in force by D (what was told: categories, purposes,
retention, transfers — the operator facts are snapshotted in each version), the share windows
of the sharing gate up to D (what was actually shared), and the audit trail up to D (exports
produced, who downloaded them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from django.utils import timezone, translation

from notices.content import CATEGORIES, PURPOSE
from portal import sharing
from portal.choices import AuditAction, TransferMechanism
from portal.models import AuditEvent, Operator, OperatorMembership, Tenant
from portal.privacy_law import outside_eea
from portal.retention_policy import call_record_retention_days


@dataclass
class OperatorRecord:
    operator: Operator
    categories: list[dict]
    purposes: list[str]
    countries: list[str]  # tenant-side countries whose data it received, as of D
    processing_countries: list[str]
    outside_eea: list[str]
    transfer_mechanism: str
    retention_days: dict
    recipients: list[str]
    downloaded_by: list[str]
    exports_produced: int
    downloads: int
    notice_versions: list[dict] = field(default_factory=list)
    shared: list[dict] = field(default_factory=list)

    @property
    def transfer_mechanism_label(self) -> str:
        if not self.transfer_mechanism:
            return ""
        return str(TransferMechanism(self.transfer_mechanism).label)


@dataclass
class ProcessingRecord:
    tenant: Tenant
    as_of: datetime
    generated_at: datetime
    controller: dict
    operators: list[OperatorRecord]

    def as_dict(self) -> dict:
        return {
            "record": "record of processing activities (GDPR Art. 30)",
            "controller": self.controller,
            "as_of": self.as_of.isoformat(),
            "generated_at": self.generated_at.isoformat(),
            "operators": [
                {
                    "operator": {"name": r.operator.name, "slug": r.operator.slug},
                    "categories": r.categories,
                    "purposes": r.purposes,
                    "countries": r.countries,
                    "processing_countries": r.processing_countries,
                    "outside_eea": r.outside_eea,
                    "transfer_mechanism": r.transfer_mechanism,
                    "retention_days": r.retention_days,
                    "recipients": r.recipients,
                    "downloaded_by": r.downloaded_by,
                    "exports_produced": r.exports_produced,
                    "downloads": r.downloads,
                    "notice_versions": r.notice_versions,
                    "shared": r.shared,
                }
                for r in self.operators
            ],
        }


def end_of_day(day: date) -> datetime:
    """The last instant of ``day`` (UTC): "as of D" includes everything that happened on D."""
    return datetime.combine(day, time.max, tzinfo=UTC)


def _named(config: dict, operator_id: int) -> dict | None:
    if not config.get("enabled"):
        return None
    return next((op for op in config.get("operators", []) if op.get("id") == operator_id), None)


def _merged(windows: list[sharing.ShareWindow]) -> list[sharing.ShareWindow]:
    """Touching windows with the same countries as one range (a new notice naming it again)."""
    out: list[sharing.ShareWindow] = []
    for w in sorted(windows, key=lambda w: w.start):
        last = out[-1] if out else None
        if last is not None and last.end == w.start and last.countries == w.countries:
            out[-1] = sharing.ShareWindow(last.start, w.end, w.countries, w.ended_because)
        else:
            out.append(w)
    return out


def processing_record(tenant: Tenant, as_of: datetime | None = None) -> ProcessingRecord:
    """The tenant's record of processing, one entry per operator that received or was told of."""
    now = timezone.now()
    as_of = min(as_of or now, now)
    history = sharing.History(tenant)
    versions = [v for v in history.versions if v.effective_at <= as_of]
    in_force = history.notice_in_force(as_of)
    privacy = (in_force.configuration.get("privacy") if in_force else None) or {}
    retention = privacy.get("retention_days") or {
        "call_details": call_record_retention_days(tenant)
    }
    with translation.override("en"):
        categories = [{"key": c["key"], "title": str(c["title"])} for c in CATEGORIES]
        purposes = [str(PURPOSE)]

    events = list(
        AuditEvent.objects.for_tenant(tenant).filter(
            occurred_at__lte=as_of,
            action__in=[AuditAction.EXPORT_SUCCEEDED, AuditAction.EXPORT_DOWNLOADED],
        )
    )
    operator_ids = set(history.assignments) | {
        op.get("id") for v in versions for op in v.configuration.get("operators", [])
    }
    operators = Operator.objects.filter(pk__in=operator_ids).order_by("name")
    staff = {
        (m.operator_id, m.user_id)
        for m in OperatorMembership.objects.filter(operator_id__in=operator_ids)
    }
    entries = []
    for operator in operators:
        told = [(v, _named(v.configuration, operator.pk)) for v in versions]
        told = [(v, named) for v, named in told if named is not None]
        windows = _merged(
            [
                w
                for w in (w.clip(None, as_of) for w in history.windows(operator))
                if w is not None and w.start <= as_of
            ]
        )
        assignment = history.assignments.get(operator.pk)
        if not told and not windows and (assignment is None or assignment.created_at > as_of):
            continue
        latest = told[-1][1] if told else {}
        processing = latest.get("processing_countries", operator.processing_codes)
        mechanism = latest.get("transfer_mechanism", operator.transfer_mechanism)
        mine = [e for e in events if e.operator_id == operator.pk]
        downloads = [e for e in mine if e.action == AuditAction.EXPORT_DOWNLOADED]
        entries.append(
            OperatorRecord(
                operator=operator,
                categories=categories,
                purposes=purposes,
                countries=sorted({c for w in windows for c in w.countries}),
                processing_countries=list(processing),
                outside_eea=outside_eea(processing),
                transfer_mechanism=mechanism or "",
                retention_days=retention,
                recipients=[operator.name],
                downloaded_by=sorted(
                    {e.actor_label for e in downloads if (operator.pk, e.actor_id) in staff}
                ),
                exports_produced=sum(e.action == AuditAction.EXPORT_SUCCEEDED for e in mine),
                downloads=len(downloads),
                notice_versions=[
                    {
                        "number": v.number,
                        "effective_at": v.effective_at.isoformat(),
                        "countries": named.get("countries", []),
                    }
                    for v, named in told
                ],
                shared=[
                    {
                        "start": w.start.isoformat(),
                        "end": w.end.isoformat() if w.end and w.end < as_of else None,
                        "countries": sorted(w.countries),
                    }
                    for w in windows
                ],
            )
        )
    contact = (in_force.configuration.get("contact") if in_force else None) or {
        "name": tenant.privacy_contact_name,
        "email": tenant.privacy_contact_email,
    }
    return ProcessingRecord(
        tenant=tenant,
        as_of=as_of,
        generated_at=now,
        controller={
            "name": tenant.name,
            "country": str(tenant.country),
            "contact": {k: v for k, v in contact.items() if v},
        },
        operators=entries,
    )


CSV_HEADER = [
    "as_of",
    "operator",
    "categories",
    "purposes",
    "countries",
    "processing_countries",
    "outside_eea",
    "transfer_mechanism",
    "retention_days",
    "recipients",
    "downloaded_by",
    "exports_produced",
    "downloads",
    "notice_versions",
    "shared",
]


def csv_rows(record: ProcessingRecord) -> list[list[str]]:
    """One row per operator; lists joined with "; " (the header is ``CSV_HEADER``)."""
    rows = []
    for r in record.operators:
        rows.append(
            [
                record.as_of.isoformat(),
                r.operator.name,
                "; ".join(c["title"] for c in r.categories),
                "; ".join(r.purposes),
                "; ".join(r.countries),
                "; ".join(r.processing_countries),
                "; ".join(r.outside_eea),
                r.transfer_mechanism_label,
                "; ".join(f"{k}={v}" for k, v in sorted(r.retention_days.items())),
                "; ".join(r.recipients),
                "; ".join(r.downloaded_by),
                str(r.exports_produced),
                str(r.downloads),
                "; ".join(
                    f"v{v['number']} from {v['effective_at']} ({', '.join(v['countries'])})"
                    for v in r.notice_versions
                ),
                "; ".join(
                    f"{w['start']}/{w['end'] or 'open'} ({', '.join(w['countries'])})"
                    for w in r.shared
                ),
            ]
        )
    return rows
