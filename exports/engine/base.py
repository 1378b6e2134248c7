"""What every exporter is: a dataset name, its columns, its scoped queryset, its order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import F

from exports.engine.columns import Column

if TYPE_CHECKING:
    from exports.models import ExportJob


class Exporter:
    """One dataset of an export. Subclasses set the class attributes and ``queryset``."""

    dataset: str = ""
    columns: tuple[Column, ...] = ()
    order_by: tuple[str, ...] = ()
    # The column whose value decides which phone number is the external party (masking).
    direction_source: str | None = None
    # The columns that identify one of the tenant's users, as (kind, column name, the row's
    # direction in which the column is the user's own side, or None for every row): what the
    # data-subject access report records for each file (``exports/engine/subjects.py``).
    subject_columns: tuple[tuple[str, str, str | None], ...] = ()

    def queryset(self, job: ExportJob) -> models.QuerySet:
        """Exactly the rows the operator may receive (I2) — a foundation scoping method."""
        raise NotImplementedError

    def file_name(self, fmt: str) -> str:
        return f"{self.dataset}.{fmt}"

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]

    def ordered(self, job: ExportJob) -> models.QuerySet:
        return self.queryset(job).order_by(*self.order_by)

    def _sql_fields(self) -> dict[str, F]:
        fields = {c.alias: F(c.source) for c in self.columns}
        if self.direction_source:
            fields["c__direction"] = F(self.direction_source)
        return fields

    def sql_source(self, job: ExportJob) -> models.QuerySet:
        """The rows with every source field under a stable alias, for the SQL path."""
        return self.ordered(job).values(**self._sql_fields())

    def sql_source_without_rows(self, job: ExportJob) -> models.QuerySet:
        """The same columns as ``sql_source`` over no rows (a primary key is never NULL)."""
        model = self.queryset(job).model
        return model._default_manager.filter(pk__isnull=True).values(**self._sql_fields())

    def value_fields(self) -> list[str]:
        """Source fields for the portable path, the direction (if any) last."""
        fields = [c.source for c in self.columns]
        if self.direction_source:
            fields.append(self.direction_source)
        return fields
