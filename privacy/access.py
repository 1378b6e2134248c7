"""The data-subject access report (GDPR Art. 15(1)(c)): which operators received a person's data.

Answered from ``ExportSubject``, written when each file was published (``exports/engine/
subjects.py``): what the file actually held, never a recomputation that could drift after later
ingests. One index range (tenant, kind, hash) finds the files; their downloads come from the
audit trail (every download writes ``export.downloaded``, I5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from exports.choices import Dataset, ExportStatus
from exports.models import ExportJob, ExportSubject
from portal.choices import AuditAction
from portal.models import AuditEvent, Operator, OperatorMembership, Tenant, User
from portal.services.audit import record_event
from privacy.subjects import Subject, counted


@dataclass
class Download:
    who: str
    at: datetime
    ip: str | None
    operator_staff: bool

    def as_dict(self) -> dict:
        return {
            "who": self.who,
            "at": self.at.isoformat(),
            "ip": self.ip,
            "operator_staff": self.operator_staff,
        }


@dataclass
class ExportEntry:
    job: ExportJob
    rows: dict[str, int]
    downloads: list[Download] = field(default_factory=list)

    @property
    def operator(self) -> Operator:
        return self.job.operator

    @property
    def dataset_rows(self) -> list[tuple[str, int]]:
        return [(Dataset(d).label, n) for d, n in self.rows.items()]

    @property
    def file_available(self) -> bool:
        return self.job.status == ExportStatus.SUCCEEDED

    def as_dict(self) -> dict:
        job = self.job
        return {
            "export": str(job.id),
            "operator": {"name": job.operator.name, "slug": job.operator.slug},
            "produced_at": job.finished_at.isoformat() if job.finished_at else None,
            "requested_via": job.requested_via,
            "time_range": (
                {"start": job.start.isoformat(), "end": job.end.isoformat()} if job.start else None
            ),
            "datasets": job.datasets,
            "rows": self.rows,
            "notice_version": job.notice_version,
            "file_status": job.status,
            "expires_at": job.expires_at.isoformat() if job.expires_at else None,
            "downloads": [d.as_dict() for d in self.downloads],
        }


@dataclass
class AccessReport:
    tenant: Tenant
    subject: Subject
    generated_at: datetime
    exports: list[ExportEntry]

    @property
    def operators(self) -> list[Operator]:
        seen: dict[int, Operator] = {}
        for entry in self.exports:
            seen.setdefault(entry.operator.pk, entry.operator)
        return sorted(seen.values(), key=lambda o: o.name)

    @property
    def downloaded_by_operator(self) -> list[Operator]:
        ids = {e.operator.pk for e in self.exports if any(d.operator_staff for d in e.downloads)}
        return [o for o in self.operators if o.pk in ids]

    def as_dict(self) -> dict:
        return {
            "tenant": self.tenant.slug,
            "subject": {"kind": self.subject.kind, "value": self.subject.value},
            "generated_at": self.generated_at.isoformat(),
            "operators": [{"name": o.name, "slug": o.slug} for o in self.operators],
            "exports": [e.as_dict() for e in self.exports],
        }


def find_exports(tenant: Tenant, subject: Subject) -> list[ExportEntry]:
    """Every published export of ``tenant`` that held ``subject``, newest first, with downloads."""
    found = (
        ExportSubject.objects.filter(tenant=tenant, kind=subject.kind, value_hash=subject.hash)
        .select_related("export__operator")
        .order_by("-export__finished_at")
    )
    entries = [ExportEntry(job=s.export, rows=s.rows) for s in found]
    if not entries:
        return []
    by_id = {str(e.job.pk): e for e in entries}
    staff_of = {
        (m.user_id, m.operator_id)
        for m in OperatorMembership.objects.filter(
            operator_id__in={e.job.operator_id for e in entries}
        )
    }
    events = AuditEvent.objects.filter(
        tenant=tenant,
        action=AuditAction.EXPORT_DOWNLOADED,
        target_type=ExportJob._meta.model_name,
        target_id__in=list(by_id),
    ).order_by("occurred_at", "id")
    for event in events:
        entry = by_id[event.target_id]
        entry.downloads.append(
            Download(
                who=event.actor_label or "—",
                at=event.occurred_at,
                ip=event.ip_address,
                operator_staff=(event.actor_id, entry.job.operator_id) in staff_of,
            )
        )
    return entries


def access_report(tenant: Tenant, subject: Subject, *, by: User, ip: str | None) -> AccessReport:
    """The report for one person, and an audit event saying who looked them up."""
    with transaction.atomic():
        entries = find_exports(tenant, subject)
        report = AccessReport(tenant, subject, timezone.now(), entries)
        record_event(
            AuditAction.PRIVACY_ACCESS_REPORT,
            actor=by,
            tenant=tenant,
            ip=ip,
            target_label=subject.masked,
            summary=(
                f"{counted(len(entries), 'export')}, {counted(len(report.operators), 'operator')}"
            ),
            kind=subject.kind,
            exports=len(entries),
        )
    return report
