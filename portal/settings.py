"""Settings: one module, configured only from environment variables (see ``.env.example``).

Development defaults are safe to run on a laptop (SQLite and Celery's ``filesystem://`` broker
under ``var/``). With ``DEBUG`` off the module refuses unsafe values instead of guessing.
"""

import base64
import hashlib
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; real environment variables win

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET = "dev-only-secret-key-never-use-in-production-0123456789abcdef"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET if DEBUG else "")
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

if not DEBUG:
    if not SECRET_KEY or SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be set to a random value of 50+ characters.")
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must list this site's host names (no '*').")

# --- applications -------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_countries",
    "phonenumber_field",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "portal",
    "notices",
    "exports",
    "privacy",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.RetryAfterMiddleware",
    "portal.outage.DatabaseOutageMiddleware",
    "portal.outage.WebStatementTimeoutMiddleware",
    "public.middleware.PublicCacheMiddleware",  # outside SessionMiddleware: see its docstring
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.PrivateByDefaultMiddleware",  # outside SessionMiddleware: its docstring
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "control.middleware.QueryLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): see docs/mfa.md
    # Before the timeout check: it tells the signed-out user why, through messages.
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.SessionTimeoutMiddleware",
    "control.middleware.UserTimeZoneMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "portal.mfa.middleware.SecondFactorMiddleware",  # after the login check: docs/mfa.md
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "control.context_processors.navigation",
            ],
        },
    },
]

# --- data -----------------------------------------------------------------------------------

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: web, worker and beat share one file, so wait for locks instead of
    # failing, and take the write lock up front so two writers never deadlock on upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Longest statement a web request may run (ms; 0: no limit). Workers are not limited.
WEB_STATEMENT_TIMEOUT_MS = env.int("WEB_STATEMENT_TIMEOUT_MS", default=10_000)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "portal.User"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache behind a circuit breaker: an outage is a cache miss, never a
            # 500, and a dead Redis is not waited on by every request (docs/reliability.md).
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="ocp"),
            "OPTIONS": {
                "socket_connect_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=0.5),
                "socket_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=0.5),
                "BREAKER_SECONDS": env.float("CACHE_BREAKER_SECONDS", default=5),
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- files ----------------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]

# Export files are private: never under a public URL. S3-compatible storage when configured.
EXPORT_STORAGE_BUCKET = env.str("EXPORT_STORAGE_BUCKET", default="")
if EXPORT_STORAGE_BUCKET:
    _exports_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": EXPORT_STORAGE_BUCKET,
            "endpoint_url": env.str("EXPORT_STORAGE_ENDPOINT_URL", default="") or None,
            "region_name": env.str("EXPORT_STORAGE_REGION", default="") or None,
            "access_key": env.str("EXPORT_STORAGE_ACCESS_KEY", default="") or None,
            "secret_key": env.str("EXPORT_STORAGE_SECRET_KEY", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
        },
    }
else:
    _exports_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(Path(env.str("EXPORT_ROOT", default=str(VAR_DIR / "exports")))),
            "base_url": None,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "private"), "base_url": None},
    },
    "exports": _exports_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
EXPORT_TTL = timedelta(days=env.int("EXPORT_TTL_DAYS", default=7))
EXPORT_MAX_SPAN_DAYS = env.int("EXPORT_MAX_SPAN_DAYS", default=366)
EXPORT_RATE_PER_HOUR = env.int("EXPORT_RATE_PER_HOUR", default=20)
EXPORT_MAX_CONCURRENT = env.int("EXPORT_MAX_CONCURRENT", default=3)
# A running export renews its lease every quarter of this; the sweeper re-queues it after.
EXPORT_LEASE_SECONDS = env.int("EXPORT_LEASE_SECONDS", default=120)
EXPORT_MAX_ATTEMPTS = env.int("EXPORT_MAX_ATTEMPTS", default=5)
EXPORT_REQUEUE_AFTER_SECONDS = env.int("EXPORT_REQUEUE_AFTER_SECONDS", default=600)
# A queued job whose message the (Redis) broker no longer holds is re-sent after this; the
# sweeper runs every EXPORT_SWEEP_SECONDS (docs/reliability.md).
EXPORT_LOST_AFTER_SECONDS = env.int("EXPORT_LOST_AFTER_SECONDS", default=30)
EXPORT_SWEEP_SECONDS = env.int("EXPORT_SWEEP_SECONDS", default=10)
# Scheduled exports end their window this long before now, so that ingest transactions still
# open when a run starts have committed what they stored before it (docs/operator.md).
SCHEDULE_SAFETY_LAG_SECONDS = env.int("SCHEDULE_SAFETY_LAG_SECONDS", default=300)
INGEST_MAX_BYTES = env.int("INGEST_MAX_BYTES", default=512 * 1024 * 1024)
API_INGEST_MAX_BYTES = env.int("API_INGEST_MAX_BYTES", default=50 * 1024 * 1024)
# An ingest report lists at most this many rejected rows (the total is always counted).
INGEST_MAX_REJECTS = env.int("INGEST_MAX_REJECTS", default=100)
# A batch of at least this many new call records (and a quarter of the table) is inserted with
# the table's indexes and foreign keys dropped and rebuilt, if it can lock the table within
# INGEST_REBUILD_LOCK_TIMEOUT seconds. See portal/ingest/rebuild.py.
INGEST_REBUILD_MIN_ROWS = env.int("INGEST_REBUILD_MIN_ROWS", default=100_000)
INGEST_REBUILD_LOCK_TIMEOUT = env.float("INGEST_REBUILD_LOCK_TIMEOUT", default=5.0)
CSRF_FAILURE_VIEW = "api.errors.csrf_failure"
# Request bodies (docs/security.md, "Input"): the largest form or JSON body (413 in the API), the
# most form fields, the most files in one upload, and how deep an API JSON document may nest.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=1000)
DATA_UPLOAD_MAX_NUMBER_FILES = env.int("DATA_UPLOAD_MAX_NUMBER_FILES", default=10)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
API_JSON_MAX_DEPTH = env.int("API_JSON_MAX_DEPTH", default=20)

# --- authentication and sessions ---------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    # Axes first: a locked-out user is refused before the password hasher runs.
    "axes.backends.AxesStandaloneBackend",
    # Refuses passwords of members whose organization requires SSO (docs/sso.md).
    "control.account.backends.SSORequiredBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
LOGIN_URL_PATH = "/accounts/login/"

# Reverse proxies in front of the app that each append to X-Forwarded-For (0: none, the client
# is REMOTE_ADDR). Only the right-most entries they wrote are believed (portal.permissions.client_ip).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")

# Lock-out (portal/lockout.py, docs/security.md): per (account, address) and per account, never
# per address alone; the cool-off doubles with each failure past a limit.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
LOGIN_ACCOUNT_FAILURE_LIMIT = env.int("LOGIN_ACCOUNT_FAILURE_LIMIT", default=20)
AXES_COOLOFF_BASE = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
LOGIN_COOLOFF_MAX = timedelta(minutes=env.int("LOGIN_COOLOFF_MAX_MINUTES", default=24 * 60))
AXES_COOLOFF_TIME = "portal.lockout.cool_off"
AXES_USE_ATTEMPT_EXPIRATION = True  # each attempt expires on its own back-off
AXES_LOCKOUT_PARAMETERS = "portal.lockout.lockout_parameters"
AXES_USERNAME_CALLABLE = "portal.lockout.account_name"
AXES_CLIENT_IP_CALLABLE = "portal.permissions.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False  # its log lines carry IP addresses (I8)

# Tenant SSO (OpenID Connect, docs/sso.md). Client secrets are encrypted with Fernet: the first
# key of SSO_ENCRYPTION_KEY encrypts, every key decrypts (rotation). Unset: derived from SECRET_KEY.
SSO_ENCRYPTION_KEYS = env.list("SSO_ENCRYPTION_KEY", default=[]) or [
    base64.urlsafe_b64encode(hashlib.sha256(f"sso:{SECRET_KEY}".encode()).digest()).decode()
]
# Data-subject pseudonyms (docs/privacy.md): the key of the HMAC-SHA256 that stands for a phone
# number or UPN in the access report's index and in erased call records. Set it in production
# and never change it: a new key makes earlier pseudonyms unmatchable. Unset: derived from
# SECRET_KEY.
PRIVACY_HASH_KEY = (
    env.str("PRIVACY_HASH_KEY", default="")
    or hashlib.sha256(f"privacy:{SECRET_KEY}".encode()).hexdigest()
)
# The retention purge deletes call records in batches of this many rows, each its own short
# transaction (docs/privacy.md "Retention").
RETENTION_BATCH_ROWS = env.int("RETENTION_BATCH_ROWS", default=5000)
# Call records are partitioned by UTC month on PostgreSQL (docs/scaling.md): beat creates the
# current month and this many months ahead every 6 hours (ingest also creates a missing one).
CALL_RECORD_PARTITIONS_AHEAD = env.int("CALL_RECORD_PARTITIONS_AHEAD", default=3)
if CALL_RECORD_PARTITIONS_AHEAD < 0:
    raise ImproperlyConfigured("CALL_RECORD_PARTITIONS_AHEAD must be 0 or more.")

# http:// issuers on a loopback address (the test provider, `make oidc-demo`); https otherwise.
SSO_ALLOW_LOOPBACK_HTTP = env.bool("SSO_ALLOW_LOOPBACK_HTTP", default=DEBUG)
SSO_HTTP_TIMEOUT = env.float("SSO_HTTP_TIMEOUT", default=10.0)

SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=30 * 60)
SESSION_ABSOLUTE_LIFETIME = env.int("SESSION_ABSOLUTE_LIFETIME_SECONDS", default=12 * 3600)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIFETIME
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Messages live in the session, so no extra "messages" cookie (it could be neither __Host- nor
# separately expired with the session).
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- second factor (docs/mfa.md) ------------------------------------------------------------------

# Creating an API token, adding a member and changing masking need a second factor this recent.
MFA_RECENT_MINUTES = env.int("MFA_RECENT_MINUTES", default=10)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Operator Connect portal")
OTP_WEBAUTHN_RP_NAME = OTP_TOTP_ISSUER
# A passkey belongs to one host name (never an IP address): SITE_URL's, or localhost in the demo
# (open http://localhost:8000, not 127.0.0.1, to use passkeys there).
_site = env.url("SITE_URL", default="http://127.0.0.1:8000")
_site_is_ip = (_site.hostname or "").replace(".", "").isdigit()
OTP_WEBAUTHN_RP_ID = env.str(
    "WEBAUTHN_RP_ID", default="localhost" if _site_is_ip else _site.hostname
)
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list(
    "WEBAUTHN_ALLOWED_ORIGINS",
    default=[f"{_site.scheme}://{'localhost' if _site_is_ip else _site.hostname}"
             + (f":{_site.port}" if _site.port else "")],
)  # fmt: skip
OTP_WEBAUTHN_HELPER_CLASS = "control.account.passkeys.PortalWebAuthnHelper"
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False  # a passkey is the second factor, after sign-in

# --- security headers ---------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Probes talk plain HTTP to the process; a redirect would answer "ready" without checking.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    # __Host- cookies: Secure, Path=/, no Domain — the browser refuses them otherwise.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_NAME = "__Host-language"
    LANGUAGE_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SAMESITE = "Lax"
    if not SECURE_HSTS_PRELOAD:
        # Preloading is a one-way commitment to the browsers' lists: opt in with
        # SECURE_HSTS_PRELOAD=true. Every other deploy check stays at WARNING.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# TLS is trusted in production, and in development behind a TLS proxy that says so: then the
# session and CSRF cookies never travel over plain http (docs/security.md, "Sessions").
TRUST_X_FORWARDED_PROTO = env.bool("TRUST_X_FORWARDED_PROTO", default=False)
if TRUST_X_FORWARDED_PROTO:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
TLS_TRUSTED = not DEBUG or TRUST_X_FORWARDED_PROTO
SESSION_COOKIE_SECURE = TLS_TRUSTED
CSRF_COOKIE_SECURE = TLS_TRUSTED

# --- i18n ----------------------------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- e-mail ----------------------------------------------------------------------------------------

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Operator Connect portal <noreply@localhost>"
)
# Notifications go to Celery after commit (docs/operator.md); off: sent in the web process.
NOTIFICATIONS_VIA_CELERY = env.bool("NOTIFICATIONS_VIA_CELERY", default=True)
# Webhooks of operators (docs/operator.md "Webhooks"): delivered by Celery after commit (off:
# one attempt in the web process, retries by the sweeper); plain http:// only to loopback when
# WEBHOOK_ALLOW_LOOPBACK (development and tests; refused in production).
WEBHOOKS_VIA_CELERY = env.bool("WEBHOOKS_VIA_CELERY", default=True)
WEBHOOK_ALLOW_LOOPBACK = env.bool("WEBHOOK_ALLOW_LOOPBACK", default=DEBUG)
if WEBHOOK_ALLOW_LOOPBACK and not DEBUG:
    raise ImproperlyConfigured("WEBHOOK_ALLOW_LOOPBACK is for development only (DEBUG=true).")
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_BACKOFF_SECONDS = env.float("WEBHOOK_BACKOFF_SECONDS", default=30)
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=20)
# How long an invitation's (or a reset's) set-password link works; it works once.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3 * 24 * 3600)
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Alerted with platform staff when the export storage is full (comma-separated addresses).
ADMINS = [("", email) for email in env.list("ADMINS", default=[]) if email]

# --- Celery -----------------------------------------------------------------------------------------

_celery_dir = VAR_DIR / "celery"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=55 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=60 * 60)
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _sub in ("out", "processed", "control"):
        (_celery_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "out"),
        "data_folder_out": str(_celery_dir / "out"),
        "processed_folder": str(_celery_dir / "processed"),
        # else kombu writes its broadcast exchanges to ./control in the working directory
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
    }
else:
    # An unacked task is redelivered after the visibility timeout: keep it above the hard
    # limit, or a slow but healthy export would run twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 600}
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True  # the database row is the truth, not a result backend
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # keep our redacting log configuration
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request that publishes while the broker is away gives up within about a second: the
# job row is queued and the sweeper re-sends it (docs/reliability.md).
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2)
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2,
}  # fmt: skip
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "purge-expired-exports": {"task": "exports.tasks.purge_expired_exports", "schedule": 15 * 60},
    "sweep-stuck-exports": {
        "task": "exports.tasks.sweep_stuck_exports",
        "schedule": EXPORT_SWEEP_SECONDS,
        # A sweep still waiting when the next is due is dropped: busy workers don't pile them up.
        "options": {"expires": EXPORT_SWEEP_SECONDS},
    },
    "check-operator-links": {"task": "notices.tasks.check_operator_links", "schedule": 6 * 3600},
    # Webhook retries that are due, and messages a broker lost (docs/operator.md).
    "sweep-webhook-deliveries": {
        "task": "portal.tasks.sweep_webhook_deliveries",
        "schedule": 30,
        "options": {"expires": 30},
    },
    # Scheduled exports: a tick a minute turns due slots into runs (docs/operator.md).
    "run-due-schedules": {
        "task": "exports.tasks.run_due_schedules",
        "schedule": 60,
        "options": {"expires": 60},
    },
    "create-call-record-partitions": {
        "task": "portal.tasks.create_call_record_partitions",
        "schedule": 6 * 3600,
        "options": {"expires": 3600},
    },
    "purge-expired-call-records": {
        "task": "privacy.tasks.purge_expired_call_records",
        "schedule": 3600,
        "options": {"expires": 3600},
    },
}

# --- REST framework -----------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "api.scopes.TokenScope",  # what a token may reach: api/scopes.py
    ],
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.UserOrTokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env.str("API_THROTTLE_RATE", default="600/min")},
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.LimitedJSONParser"],
    # The API speaks JSON (ingest views add CSV/NDJSON): a form body is a 415, not a guess.
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Operator Connect portal API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Open to all as before; a token still only within its scope (api/scopes.py).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny", "api.scopes.TokenScope"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Tag operations by what follows /api/v1/: exports, ingest, me, operators, tenants.
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # Path parameters as narrow as the URL converters, so generated clients (and Schemathesis)
    # only build URLs that can match.
    "PATH_CONVERTER_OVERRIDES": {
        "slug": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"},
        "int": {"type": "integer", "minimum": 0, "maximum": 2147483647},
        "uuid": {"type": "string", "format": "uuid"},
    },
    "ENUM_NAME_OVERRIDES": {
        "TenantRoleEnum": "portal.choices.TenantRole",
        "OperatorRoleEnum": "portal.choices.OperatorRole",
        "ConnectionTypeEnum": "portal.choices.ConnectionType",
        "AssignmentStatusEnum": "portal.choices.AssignmentStatus",
        "RelationshipStatusEnum": "portal.choices.RelationshipStatus",
        "ConsentStatusEnum": "api.serializers.tenancy.CONSENT_STATUS_CHOICES",
        "CountryCodeEnum": "api.fields.COUNTRY_CODES",
    },
}

# --- logging (I8: no personal data in log lines) -----------------------------------------------------

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "portal.logging.RedactPersonalData"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's defaults give these loggers handlers of their own (an unfiltered console in
        # DEBUG, mail_admins, runserver's request log) that would write before the redacting
        # one sees the record. Naming them here drops those handlers: every line goes to root.
        "django": {"level": "INFO", "propagate": True},
        "django.server": {"level": "INFO", "propagate": True},
        # At DEBUG this logs every SQL statement with its parameters: street addresses included,
        # which no pattern can redact. Never below INFO, whatever LOG_LEVEL says.
        "django.db.backends": {"level": "INFO", "propagate": True},
        # Axes logs usernames and IP addresses at INFO/WARNING; the failure is audited instead.
        "axes": {"level": "ERROR"},
    },
}
