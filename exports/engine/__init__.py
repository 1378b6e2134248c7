"""The export engine: one exporter per dataset, a SQL path (PostgreSQL COPY) and a portable path.

Both paths produce byte-identical files: the column rules live in ``columns.py`` twice — once as
SQL (so PostgreSQL formats, neutralises and masks while it streams) and once as Python (SQLite).
``tests/exports/test_engine.py`` runs both on the same rows and compares the bytes.
"""

from exports.engine.call_records import CallRecordsExporter
from exports.engine.emergency_locations import EmergencyLocationsExporter
from exports.engine.numbers import NumbersExporter

EXPORTERS = {
    exporter.dataset: exporter
    for exporter in (NumbersExporter(), CallRecordsExporter(), EmergencyLocationsExporter())
}

__all__ = ["EXPORTERS"]
