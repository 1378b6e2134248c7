import hashlib
import secrets
import uuid
from typing import ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

from portal.choices import OperatorRole, TenantRole, TokenScope
from portal.models.constraints import one_of


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address. Platform staff have ``is_staff``."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    date_joined = models.DateTimeField(default=timezone.now)
    optional_emails = models.BooleanField(
        default=True,
        help_text="Optional e-mails (docs/operator.md): essential ones are always sent.",
    )
    # Part of every session's auth hash: a new value signs out every session ("sign out
    # everywhere", portal.services.accounts.sign_out_everywhere).
    session_salt = models.CharField(max_length=32, blank=True, default="")

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email

    def _get_session_auth_hash(self, secret=None):
        """Django's session hash over the password hash, plus ``session_salt``."""
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        return salted_hmac(
            key_salt, self.password + self.session_salt, secret=secret, algorithm="sha256"
        ).hexdigest()


class Membership(models.Model):
    """A user's role in a tenant."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    tenant = models.ForeignKey(
        "portal.Tenant", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=TenantRole.choices, default=TenantRole.VIEWER)
    public_id = models.UUIDField(
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="How the API names this membership: not guessable, unlike the row id.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "tenant"], name="membership_unique"),
            one_of("role", TenantRole, "membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.tenant} ({self.role})"


class OperatorMembership(models.Model):
    """A user's role in an operator (carrier staff)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="operator_memberships")
    operator = models.ForeignKey(
        "portal.Operator", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        max_length=16, choices=OperatorRole.choices, default=OperatorRole.ANALYST
    )
    public_id = models.UUIDField(
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="How the API names this membership: not guessable, unlike the row id.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "operator"], name="operator_membership_unique"),
            one_of("role", OperatorRole, "operator_membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.operator} ({self.role})"


class ApiTokenQuerySet(models.QuerySet):
    def usable(self) -> "ApiTokenQuerySet":
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the secret is shown once."""

    PREFIX = "ocp_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    key_hint = models.CharField(max_length=12, help_text="First characters, to recognise it.")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # What it may do, and optionally the one tenant or operator it may reach (docs/security.md).
    scope = models.CharField(max_length=16, choices=TokenScope.choices, default=TokenScope.READ)
    tenant = models.ForeignKey(
        "portal.Tenant", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    operator = models.ForeignKey(
        "portal.Operator", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_from = models.GenericIPAddressField(null=True, blank=True)
    last_used_from = models.GenericIPAddressField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            one_of("scope", TokenScope, "api_token_scope_valid"),
            models.CheckConstraint(
                condition=models.Q(tenant__isnull=True) | models.Q(operator__isnull=True),
                name="api_token_one_limit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_hint}…)"

    @property
    def limited_to(self) -> str:
        if self.tenant_id:
            return f"organization {self.tenant}"
        if self.operator_id:
            return f"operator {self.operator}"
        return ""

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def new_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)
