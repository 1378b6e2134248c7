"""Numbers: each phone number the operator carries for the tenant, with its SIP URI."""

from exports.choices import Dataset
from exports.engine import columns as k
from exports.engine.base import Exporter
from exports.engine.columns import Column
from portal.models import PhoneNumber


class NumbersExporter(Exporter):
    dataset = Dataset.NUMBERS.value
    order_by = ("telephone_number",)
    subject_columns = (("number", "telephone_number", None), ("upn", "assigned_upn", None))
    columns = (
        Column("telephone_number", "telephone_number", k.NUMBER),
        Column("sip_uri", "sip_uri", k.TEXT),
        Column("number_type", "number_type", k.TEXT),
        Column("usage", "usage", k.CODE),
        Column("capabilities", "capabilities", k.JSON),
        Column("pstn_assignment_status", "pstn_assignment_status", k.CODE),
        Column("activation_state", "activation_state", k.CODE),
        Column("assigned_upn", "assigned_upn", k.TEXT),
        Column("assigned_display_name", "assigned_display_name", k.TEXT),
        Column("assigned_object_id", "assigned_object_id", k.UUID),
        Column("iso_country_code", "iso_country_code", k.CODE),
        Column("city", "city", k.TEXT),
        Column("emergency_location_id", "emergency_location__location_id", k.UUID),
        Column("allow_tenant_address_update", "allow_tenant_address_update", k.BOOL),
        Column("acquired_at", "acquired_at", k.TIME),
    )

    def queryset(self, job):
        return PhoneNumber.objects.shareable_with(job.operator_id, job.tenant_id)
