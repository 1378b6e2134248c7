"""Enumerations of the domain. Values are stored; labels are shown."""

from django.db import models


class TenantRole(models.TextChoices):
    ADMIN = "admin", "Admin"
    VIEWER = "viewer", "Viewer"


class OperatorRole(models.TextChoices):
    ADMIN = "admin", "Admin"
    ANALYST = "analyst", "Analyst"


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    REMOVED = "removed", "Removed"


class RelationshipStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    AGREEMENT_SIGNED = "agreement_signed", "Agreement signed"
    DECLINED = "declined", "Consent declined"
    TERMINATED = "terminated", "Contract terminated"


class CompanySize(models.TextChoices):
    S1_50 = "1-50", "1–50 employees"
    S51_250 = "51-250", "51–250 employees"
    S251_1000 = "251-1000", "251–1,000 employees"
    S1001_5000 = "1001-5000", "1,001–5,000 employees"
    S5001_PLUS = "5001+", "More than 5,000 employees"


class PeriodEndReason(models.TextChoices):
    SUSPENDED = "suspended", "Suspended"
    REMOVED = "removed", "Removed"
    COUNTRIES_CHANGED = "countries_changed", "Countries changed"
    DECLINED = "declined", "Relationship declined"
    TERMINATED = "terminated", "Contract terminated"


class OperatorService(models.TextChoices):
    CALLING = "calling", "Calling"
    MOBILE = "mobile", "Mobile"
    CONFERENCING = "conferencing", "Conferencing"
    CONTACT_CENTER = "contact_center", "Contact center"
    EMERGENCY = "emergency", "Emergency calling"


class NumberUsage(models.TextChoices):
    USER = "CallingUserAssignment", "User"
    VOICE_APP = "FirstPartyAppAssignment", "Voice application"
    CONFERENCE = "ConferenceAssignment", "Conference"


class PstnAssignmentStatus(models.TextChoices):
    UNASSIGNED = "Unassigned", "Unassigned"
    USER = "UserAssigned", "Assigned to a user"
    CONFERENCE = "ConferenceAssigned", "Assigned to a conference bridge"
    VOICE_APP = "VoiceApplicationAssigned", "Assigned to a voice application"


class ActivationState(models.TextChoices):
    ACTIVATED = "Activated", "Activated"
    ASSIGNMENT_PENDING = "AssignmentPending", "Assignment pending"
    ASSIGNMENT_FAILED = "AssignmentFailed", "Assignment failed"
    UPDATE_PENDING = "UpdatePending", "Update pending"
    UPDATE_FAILED = "UpdateFailed", "Update failed"


class ValidationStatus(models.TextChoices):
    NOT_VALIDATED = "NotValidated", "Not validated"
    VALIDATED = "Validated", "Validated"
    FAILED = "Failed", "Validation failed"


class CallType(models.TextChoices):
    USER_IN = "user_in", "User inbound"
    USER_OUT = "user_out", "User outbound"
    USER_OUT_TRANSFER = "user_out_transfer", "User outbound (transfer)"
    USER_OUT_FORWARDING = "user_out_forwarding", "User outbound (forwarding)"
    CONF_IN = "conf_in", "Conference inbound"
    CONF_OUT = "conf_out", "Conference outbound"
    EMERGENCY_OUT = "emergency_out", "Emergency outbound"
    UNASSIGNED_IN = "unassigned_in", "Unassigned inbound"
    UCAP_IN = "ucap_in", "Voice app inbound"
    UCAP_OUT = "ucap_out", "Voice app outbound"


class Direction(models.TextChoices):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"


class DurationSource(models.TextChoices):
    MICROSOFT = "microsoft", "Microsoft"
    OPERATOR = "operator", "Operator"


class DestinationContext(models.TextChoices):
    DOMESTIC = "domestic", "Domestic"
    INTERNATIONAL = "international", "International"


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
    WIRED = "wired", "Wired"
    WIFI = "wifi", "Wi-Fi"
    MOBILE = "mobile", "Mobile"
    TUNNEL = "tunnel", "Tunnel"
    UNKNOWN = "unknown", "Unknown"


class CallQuality(models.TextChoices):
    GOOD = "good", "Good"
    POOR = "poor", "Poor"
    UNCLASSIFIED = "unclassified", "Unclassified"


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

    READ = "read", "Read only"
    EXPORTS = "exports", "Exports: request, poll, download"
    FULL = "full", "Full: everything you can do"
