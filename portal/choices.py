"""Enumerations of the domain. Values are stored; labels are shown."""

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


def english(choice: models.Choices) -> str:
    """A choice's label in English, whatever language the request is in: for audit records,
    which every reader sees in the words they were written in."""
    with translation.override("en"):
        return str(choice.label)


class TenantRole(models.TextChoices):
    ADMIN = "admin", _("Admin")
    VIEWER = "viewer", _("Viewer")


class OperatorRole(models.TextChoices):
    ADMIN = "admin", _("Admin")
    ANALYST = "analyst", _("Analyst")


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    REMOVED = "removed", _("Removed")


class RelationshipStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    AGREEMENT_SIGNED = "agreement_signed", _("Agreement signed")
    DECLINED = "declined", _("Consent declined")
    TERMINATED = "terminated", _("Contract terminated")


class CompanySize(models.TextChoices):
    S1_50 = "1-50", _("1–50 employees")
    S51_250 = "51-250", _("51–250 employees")
    S251_1000 = "251-1000", _("251–1,000 employees")
    S1001_5000 = "1001-5000", _("1,001–5,000 employees")
    S5001_PLUS = "5001+", _("More than 5,000 employees")


class PeriodEndReason(models.TextChoices):
    SUSPENDED = "suspended", _("Suspended")
    REMOVED = "removed", _("Removed")
    COUNTRIES_CHANGED = "countries_changed", _("Countries changed")
    DECLINED = "declined", _("Relationship declined")
    TERMINATED = "terminated", _("Contract terminated")


class OperatorService(models.TextChoices):
    CALLING = "calling", _("Calling")
    MOBILE = "mobile", _("Mobile")
    CONFERENCING = "conferencing", _("Conferencing")
    CONTACT_CENTER = "contact_center", _("Contact center")
    EMERGENCY = "emergency", _("Emergency calling")


class NumberUsage(models.TextChoices):
    USER = "CallingUserAssignment", _("User")
    VOICE_APP = "FirstPartyAppAssignment", _("Voice application")
    CONFERENCE = "ConferenceAssignment", _("Conference")


class PstnAssignmentStatus(models.TextChoices):
    UNASSIGNED = "Unassigned", _("Unassigned")
    USER = "UserAssigned", _("Assigned to a user")
    CONFERENCE = "ConferenceAssigned", _("Assigned to a conference bridge")
    VOICE_APP = "VoiceApplicationAssigned", _("Assigned to a voice application")


class ActivationState(models.TextChoices):
    ACTIVATED = "Activated", _("Activated")
    ASSIGNMENT_PENDING = "AssignmentPending", _("Assignment pending")
    ASSIGNMENT_FAILED = "AssignmentFailed", _("Assignment failed")
    UPDATE_PENDING = "UpdatePending", _("Update pending")
    UPDATE_FAILED = "UpdateFailed", _("Update failed")


class ValidationStatus(models.TextChoices):
    NOT_VALIDATED = "NotValidated", _("Not validated")
    VALIDATED = "Validated", _("Validated")
    FAILED = "Failed", _("Validation failed")


class CallType(models.TextChoices):
    USER_IN = "user_in", _("User inbound")
    USER_OUT = "user_out", _("User outbound")
    USER_OUT_TRANSFER = "user_out_transfer", _("User outbound (transfer)")
    USER_OUT_FORWARDING = "user_out_forwarding", _("User outbound (forwarding)")
    CONF_IN = "conf_in", _("Conference inbound")
    CONF_OUT = "conf_out", _("Conference outbound")
    EMERGENCY_OUT = "emergency_out", _("Emergency outbound")
    UNASSIGNED_IN = "unassigned_in", _("Unassigned inbound")
    UCAP_IN = "ucap_in", _("Voice app inbound")
    UCAP_OUT = "ucap_out", _("Voice app outbound")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class DurationSource(models.TextChoices):
    MICROSOFT = "microsoft", "Microsoft"
    OPERATOR = "operator", "Operator"


class DestinationContext(models.TextChoices):
    DOMESTIC = "domestic", _("Domestic")
    INTERNATIONAL = "international", _("International")


class Platform(models.TextChoices):
    WINDOWS = "windows", "Windows"
    MACOS = "macOS", "macOS"
    IOS = "iOS", "iOS"
    ANDROID = "android", "Android"
    WEB = "web", "Web"
    IP_PHONE = "ipPhone", "IP phone"
    ROOM_SYSTEM = "roomSystem", "Room system"
    PSTN = "pstn", "PSTN"


class ConnectionType(models.TextChoices):
    WIRED = "wired", _("Wired")
    WIFI = "wifi", _("Wi-Fi")
    MOBILE = "mobile", _("Mobile")
    TUNNEL = "tunnel", _("Tunnel")
    UNKNOWN = "unknown", _("Unknown")


class CallQuality(models.TextChoices):
    GOOD = "good", _("Good")
    POOR = "poor", _("Poor")
    UNCLASSIFIED = "unclassified", _("Unclassified")


class AuditAction(models.TextChoices):
    OC_ENABLED = "operator_connect.enabled", "enabled Operator Connect"
    OC_DISABLED = "operator_connect.disabled", "disabled Operator Connect"
    ASSIGNMENT_ADDED = "assignment.added", "added operator"
    ASSIGNMENT_COUNTRIES = "assignment.countries_changed", "changed countries of"
    ASSIGNMENT_CONTACT = "assignment.contact_changed", "changed contact details for"
    ASSIGNMENT_SUSPENDED = "assignment.suspended", "suspended"
    ASSIGNMENT_RESUMED = "assignment.resumed", "resumed"
    ASSIGNMENT_REMOVED = "assignment.removed", "removed"
    RELATIONSHIP_CHANGED = "assignment.relationship_changed", "set the relationship status of"
    MEMBER_ADDED = "member.added", "added member"
    MEMBER_ROLE_CHANGED = "member.role_changed", "changed the role of"
    MEMBER_REMOVED = "member.removed", "removed member"
    OPERATOR_MEMBER_ADDED = "operator_member.added", "added operator member"
    OPERATOR_MEMBER_REMOVED = "operator_member.removed", "removed operator member"
    OPERATOR_MEMBER_ROLE_CHANGED = "operator_member.role_changed", "changed the operator role of"
    OPERATOR_CREATED = "operator.created", "created operator"
    OPERATOR_UPDATED = "operator.updated", "updated operator"
    TENANT_CREATED = "tenant.created", "created tenant"
    TENANT_UPDATED = "tenant.updated", "updated tenant"
    INGESTED = "data.ingested", "ingested data"
    NOTICE_PUBLISHED = "notice.published", "published the privacy notice"
    EXPORT_REQUESTED = "export.requested", "requested an export"
    EXPORT_SUCCEEDED = "export.succeeded", "export finished"
    EXPORT_FAILED = "export.failed", "export failed"
    EXPORT_CANCELLED = "export.cancelled", "cancelled an export"
    EXPORT_EXPIRED = "export.expired", "export expired"
    EXPORT_DOWNLOADED = "export.downloaded", "downloaded an export"
    TOKEN_CREATED = "token.created", "created an API token"
    TOKEN_REVOKED = "token.revoked", "revoked an API token"
    LOGIN_FAILED = "auth.login_failed", "failed to sign in"
    SSO_CONFIGURED = "sso.configured", "configured single sign-on"
    SSO_DOMAIN_ADDED = "sso.domain_added", "claimed the e-mail domain"
    SSO_DOMAIN_REMOVED = "sso.domain_removed", "removed the e-mail domain"
    SSO_DOMAIN_VERIFIED = "sso.domain_verified", "verified the e-mail domain"
    SSO_SIGNED_IN = "sso.signed_in", "signed in with SSO"
    SSO_MEMBER_JOINED = "sso.member_joined", "joined through SSO as"
    SSO_REFUSED = "sso.refused", "refused an SSO sign-in of"
    SSO_PASSWORD_REFUSED = "sso.password_refused", "was refused password sign-in (SSO required)"
    MFA_DEVICE_ADDED = "mfa.device_added", "added a second factor"
    MFA_DEVICE_REMOVED = "mfa.device_removed", "removed a second factor"
    MFA_RECOVERY_CODES = "mfa.recovery_codes", "generated recovery codes"
    MFA_POLICY_CHANGED = "mfa.policy_changed", "changed the second-factor policy of"
    NOTIFICATION_SENT = "notification.sent", "e-mailed"
    SIGNED_OUT_EVERYWHERE = "auth.signed_out_everywhere", "signed out of every other session"
    SCHEDULE_CREATED = "schedule.created", "created the export schedule"
    SCHEDULE_PAUSED = "schedule.paused", "paused the export schedule"
    SCHEDULE_RESUMED = "schedule.resumed", "resumed the export schedule"
    SCHEDULE_DELETED = "schedule.deleted", "deleted the export schedule"
    SCHEDULE_RUN_SKIPPED = "schedule.run_skipped", "skipped a run of the export schedule"
    WEBHOOK_CREATED = "webhook.created", "registered the webhook endpoint"
    WEBHOOK_UPDATED = "webhook.updated", "changed the webhook endpoint"
    WEBHOOK_DELETED = "webhook.deleted", "deleted the webhook endpoint"
    WEBHOOK_SECRET_ROTATED = "webhook.secret_rotated", "rotated the secret of the webhook endpoint"
    WEBHOOK_DISABLED = "webhook.disabled", "disabled the webhook endpoint"
    WEBHOOK_ENABLED = "webhook.enabled", "re-enabled the webhook endpoint"
    PRIVACY_ACCESS_REPORT = "privacy.access_report", "looked up what was shared about"
    PRIVACY_RETENTION_CHANGED = "privacy.retention_changed", "changed the call-record retention"
    PRIVACY_RETENTION_PURGED = "privacy.retention_purged", "deleted expired call records"
    PRIVACY_ERASED = "privacy.erased", "erased the data of"


class TransferMechanism(models.TextChoices):
    """The safeguard for an operator's processing outside the EEA (GDPR Art. 44–49)."""

    NONE = "", "none (no processing outside the EEA)"
    ADEQUACY = "adequacy", "adequacy decision"
    SCC = "scc", "standard contractual clauses"
    BCR = "bcr", "binding corporate rules"
    DPF = "dpf", "EU-US Data Privacy Framework"


class TokenScope(models.TextChoices):
    """What an API token may do (docs/security.md, "API tokens"); never more than its user."""

    READ = "read", _("Read only")
    EXPORTS = "exports", _("Exports: request, poll, download")
    FULL = "full", _("Full: everything you can do")


class WebhookEvent(models.TextChoices):
    """Events an operator's webhook endpoint can subscribe to (docs/operator.md "Webhooks")."""

    EXPORT_SUCCEEDED = "export.succeeded", _("An export for us is ready")
    EXPORT_FAILED = "export.failed", _("An export for us failed")
    ASSIGNMENT_CHANGED = (
        "assignment.changed",
        _("A tenant assigned, suspended, resumed or removed us, or turned Operator Connect off"),
    )
    RELATIONSHIP_CHANGED = "relationship.changed", _("Our relationship with a tenant changed")
    NOTICE_PUBLISHED = "notice.published", _("A tenant's notice names us anew or stops naming us")
    SUBJECT_ERASED = "subject.erased", _("A data subject's data was erased at a tenant")


class WebhookDeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed")
