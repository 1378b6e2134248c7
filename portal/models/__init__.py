"""Domain model of the portal. One module per feature; import from ``portal.models``."""

from portal.models.assignments import AssignmentCountry, AssignmentPeriod, OperatorAssignment
from portal.models.audit import AuditEvent
from portal.models.calls import CallDayCount, CallRecord
from portal.models.numbers import EmergencyLocation, PhoneNumber, PhoneNumberPeriod
from portal.models.operators import Operator, OperatorCountry
from portal.models.sso import TenantDomain, TenantSSO
from portal.models.tenants import Acknowledgement, EnablementPeriod, Tenant
from portal.models.users import ApiToken, Membership, OperatorMembership, User
from portal.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "Acknowledgement",
    "ApiToken",
    "AssignmentCountry",
    "AssignmentPeriod",
    "AuditEvent",
    "CallDayCount",
    "CallRecord",
    "EmergencyLocation",
    "EnablementPeriod",
    "Membership",
    "Operator",
    "OperatorAssignment",
    "OperatorCountry",
    "OperatorMembership",
    "PhoneNumber",
    "PhoneNumberPeriod",
    "Tenant",
    "TenantDomain",
    "TenantSSO",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
