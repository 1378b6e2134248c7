"""Emergency locations: the civic addresses used by the numbers the operator carries."""

from exports.choices import Dataset
from exports.engine import columns as k
from exports.engine.base import Exporter
from exports.engine.columns import Column
from portal.models import EmergencyLocation


class EmergencyLocationsExporter(Exporter):
    dataset = Dataset.EMERGENCY_LOCATIONS.value
    order_by = ("location_id",)
    columns = (
        Column("location_id", "location_id", k.UUID),
        Column("company_name", "company_name", k.TEXT),
        Column("house_number", "house_number", k.TEXT),
        Column("house_number_suffix", "house_number_suffix", k.TEXT),
        Column("pre_directional", "pre_directional", k.TEXT),
        Column("street_name", "street_name", k.TEXT),
        Column("street_suffix", "street_suffix", k.TEXT),
        Column("post_directional", "post_directional", k.TEXT),
        Column("city", "city", k.TEXT),
        Column("state_or_province", "state_or_province", k.TEXT),
        Column("postal_code", "postal_code", k.TEXT),
        Column("country", "country", k.CODE),
        Column("latitude", "latitude", k.DECIMAL),
        Column("longitude", "longitude", k.DECIMAL),
        Column("elin", "elin", k.TEXT),
        Column("place_name", "place_name", k.TEXT),
        Column("description", "description", k.TEXT),
        Column("validation_status", "validation_status", k.CODE),
    )

    def queryset(self, job):
        return EmergencyLocation.objects.shareable_with(job.operator_id, job.tenant_id)
