"""Ingestion of numbers, call records and emergency locations from CSV or NDJSON.

``ingest()`` is the service; see ``docs/ingest.md`` for the columns of each kind.
"""

from portal.ingest.report import IngestInputError, IngestReport, Reject
from portal.ingest.service import ENGINES, ingest
from portal.ingest.specs import KINDS

__all__ = ["ENGINES", "KINDS", "IngestInputError", "IngestReport", "Reject", "ingest"]
