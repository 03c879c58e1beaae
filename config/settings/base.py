"""Settings shared by every environment. Environment-specific files import * from here."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("CIVICGRID_DATA_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-insecure-change-me")
DEBUG = False
ALLOWED_HOSTS: list[str] = [h for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "civicgrid.core",
    "civicgrid.geo",
    "civicgrid.orgs",
    "civicgrid.people",
    "civicgrid.cases",
    "civicgrid.party",
    "civicgrid.demo",
    "civicgrid.web",
    "civicgrid.partners",
    "civicgrid.open311",
    "civicgrid.webhooks",
    "civicgrid.intake",
    "civicgrid.analytics",
    "civicgrid.reports",
    "civicgrid.participation",
    "civicgrid.partylife",
    "civicgrid.resources",
    "civicgrid.surveys",
    "civicgrid.wishes",
    "civicgrid.patrols",
    "civicgrid.activities",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "civicgrid.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "civicgrid.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "civicgrid.core.middleware.TwoFactorRequiredMiddleware",
    "civicgrid.core.middleware.ApplicationErrorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "civicgrid.core.middleware.IdleTimeoutMiddleware",
    "civicgrid.party.middleware.ParticipantLandingMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "civicgrid" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "civicgrid.core.context_processors.scope",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'civicgrid.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Short OLTP queries: JIT compilation costs more than it saves (~150 ms on a street's
    # queue counts at 10 million cases). CIVICGRID_PG_OPTIONS overrides, e.g. "-c work_mem=32MB".
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "options", os.environ.get("CIVICGRID_PG_OPTIONS", "-c jit=off")
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Content-Security-Policy (see docs/security.md): everything from our own origin, no inline
# scripts or styles, no plugins, no framing. Same shape as Django 6.0's SECURE_CSP.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
SECURE_CSP_REPORT_ONLY: dict = {}

# Lock-out: 5 failures for one username from one address lock that pair for 30 minutes.
# Sessions: at most 8 hours, and signed out after 30 minutes without a request (等保 3).
SESSION_COOKIE_AGE = int(os.environ.get("CIVICGRID_SESSION_HOURS", "8")) * 3600
CIVICGRID_IDLE_TIMEOUT = int(os.environ.get("CIVICGRID_IDLE_TIMEOUT", str(30 * 60)))
# Audit rows are kept at least this long (网络安全法 Art. 21 asks for six months); prune_audit
# archives older rows to a file before it deletes them, and refuses fewer than 180 days.
CIVICGRID_AUDIT_RETENTION_DAYS = int(os.environ.get("CIVICGRID_AUDIT_RETENTION_DAYS", "365"))
# Public (signed-out) requests per client address: (requests, window in seconds).
CIVICGRID_PUBLIC_LIMITS = {
    "portal_code_ip": (10, 3600),  # SMS codes asked from one address an hour
    "portal_code_phone": (8, 86400),  # SMS codes sent to one number a day
    "portal_report_ip": (20, 3600),  # anonymous portal reports from one address an hour
    "portal_track_ip": (60, 600),  # tracking-code look-ups from one address in 10 minutes
}

AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no start-up banner in every command's output
# Reverse proxies (e.g. nginx on 127.0.0.1) whose X-Forwarded-For is believed; empty: none, and
# the socket's address is the client's. Lock-out, rate limits and the audit log use it.
CIVICGRID_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("CIVICGRID_TRUSTED_PROXIES", "").split(",") if p.strip()
]
AXES_CLIENT_IP_CALLABLE = "civicgrid.core.audit.client_ip"

# Roles that must pass TOTP two-factor before any page but the 2FA pages.
CIVICGRID_2FA_REQUIRED_ROLES = ["system_admin", "leader"]
CIVICGRID_2FA_ENFORCED = True
# Roles that may read the audit log page (/accounts/audit/).
CIVICGRID_AUDIT_READER_ROLES = ["system_admin", "org_department"]

# Central households and information officers (镇江 model: 2–3 officers, ~30 households each).
# Assignments beyond these limits are refused.
CIVICGRID_CENTRAL_HOUSEHOLD_MAX_OFFICERS = 3
CIVICGRID_OFFICER_MAX_HOUSEHOLDS = 40

# Called with every visit people.services.visit_record writes (points for visits, docs/party.md).
CIVICGRID_VISIT_HOOKS: list[str] = ["civicgrid.party.hooks.visit_recorded"]

# Called when a staff knowledge test is passed (surveys.services.training.attempt_submit): the
# paper's training hours go to the member's education hours (docs/partylife.md, docs/surveys.md).
CIVICGRID_TEST_PASSED_HOOKS: list[str] = ["civicgrid.partylife.hooks.staff_test_passed"]

# Columns other apps add to the assessment sheets (civicgrid/cases/assessment.py `with_extras`):
# patrol counts and coverage (docs/patrols.md), mutual-evaluation results (docs/partylife.md).
CIVICGRID_ASSESSMENT_EXTRAS: list[str] = [
    "civicgrid.patrols.assessment.columns",
    "civicgrid.partylife.assessment.columns",
]

# Modules that hear of every case ledger row and SLA change (civicgrid/cases/hooks.py).
CIVICGRID_CASE_HOOKS: list[str] = [
    "civicgrid.webhooks.outbox",
    "civicgrid.analytics.hooks",
    "civicgrid.intake.hooks",
    "civicgrid.analytics.rollups",
    "civicgrid.participation.hooks",
    "civicgrid.party.hooks",
    "civicgrid.patrols.hooks",
]

# Smart intake (docs/intake.md): a suggestion is shown when its score and its margin over the
# runner-up reach these and the text has enough known terms; hotline rows without an item get
# the top suggestion at CIVICGRID_INTAKE_AUTO_SCORE or above; suggestions per minute per
# client on the public (portal) endpoint; hours between scheduled retrains (0 = never).
CIVICGRID_INTAKE_MIN_SCORE = float(os.environ.get("CIVICGRID_INTAKE_MIN_SCORE", "0.35"))
CIVICGRID_INTAKE_MIN_MARGIN = float(os.environ.get("CIVICGRID_INTAKE_MIN_MARGIN", "0.05"))
CIVICGRID_INTAKE_MIN_TERMS = 2
# The classifier the hotline import asks for rows without an item ("" = such rows are errors).
CIVICGRID_CASE_CLASSIFIER = "civicgrid.intake.hotline.classify"
CIVICGRID_INTAKE_AUTO_SCORE = float(os.environ.get("CIVICGRID_INTAKE_AUTO_SCORE", "0.7"))
CIVICGRID_INTAKE_PUBLIC_RATE = int(os.environ.get("CIVICGRID_INTAKE_PUBLIC_RATE", "30"))
CIVICGRID_INTAKE_RETRAIN_HOURS = int(os.environ.get("CIVICGRID_INTAKE_RETRAIN_HOURS", "24"))

# Open311 GeoReport v2 (/open311/v2/, docs/open311.md): the one jurisdiction served, POSTs
# allowed per key per minute, and whether GETs without a key see the coarse public view.
CIVICGRID_OPEN311_JURISDICTION_ID = os.environ.get("CIVICGRID_OPEN311_JURISDICTION_ID", "civicgrid.local")
CIVICGRID_OPEN311_POST_RATE = int(os.environ.get("CIVICGRID_OPEN311_POST_RATE", "30"))
CIVICGRID_OPEN311_ANONYMOUS_READ = os.environ.get("CIVICGRID_OPEN311_ANONYMOUS_READ", "1") == "1"

# Webhooks to partners (docs/webhooks.md): POST timeout (seconds), retry delays (seconds;
# after the last one the delivery is dead), an egress proxy for the POSTs ("" = direct),
# and plain http:// to 127.0.0.1/localhost (development and tests only; else https only).
CIVICGRID_WEBHOOK_TIMEOUT = float(os.environ.get("CIVICGRID_WEBHOOK_TIMEOUT", "5"))
CIVICGRID_WEBHOOK_BACKOFF = [60, 300, 1800, 7200, 43200]
CIVICGRID_WEBHOOK_PROXY = os.environ.get("CIVICGRID_WEBHOOK_PROXY", "")
# A CA bundle for receivers' certificates instead of the system's (a private CA); "" = the system's.
CIVICGRID_WEBHOOK_CA_FILE = os.environ.get("CIVICGRID_WEBHOOK_CA_FILE", "")
CIVICGRID_WEBHOOK_ALLOW_HTTP_LOOPBACK = os.environ.get("CIVICGRID_WEBHOOK_ALLOW_HTTP_LOOPBACK") == "1"

# The REST API (/api/v1/, docs/api.md).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "civicgrid.partners.drf.ApiKeyAuthentication",
        "civicgrid.api.authentication.TokenAuthentication",
        "civicgrid.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "civicgrid.api.permissions.ApiAccess",
        "civicgrid.api.permissions.KeyScope",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "civicgrid.api.throttles.AnonThrottle",
        "civicgrid.api.throttles.UserThrottle",
        "civicgrid.api.throttles.ApiKeyThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("CIVICGRID_API_RATE_ANON", "30/min"),
        "user": os.environ.get("CIVICGRID_API_RATE_USER", "600/min"),
        "api_key": os.environ.get("CIVICGRID_API_RATE_KEY", "1200/min"),
        "token_issue": os.environ.get("CIVICGRID_API_RATE_TOKEN_ISSUE", "10/min"),
    },
    "DEFAULT_PAGINATION_CLASS": "civicgrid.api.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["civicgrid.api.parsers.LimitedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "civicgrid.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "civicgrid.api.errors.exception_handler",
    "UNICODE_JSON": True,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Largest JSON body the API accepts (bytes); larger ones get 413.
CIVICGRID_API_MAX_BODY_BYTES = 256 * 1024
SPECTACULAR_SETTINGS = {
    "TITLE": "CivicGrid API",
    "DESCRIPTION": "善治网格开放接口 — see docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["civicgrid.api.schema.only_api_v1"],
    "ENUM_NAME_OVERRIDES": {
        "AreaLevelEnum": "civicgrid.geo.models.Area.Level",
        "TierEnum": "civicgrid.cases.choices.Tier",
        "CaseSourceEnum": "civicgrid.cases.choices.Source",
        "StaffSourceEnum": "civicgrid.cases.forms.STAFF_SOURCES",
        "CaseStatusEnum": "civicgrid.cases.choices.Status",
        "DepartmentTypeEnum": "civicgrid.cases.models.DEPARTMENT_TYPES",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "civicgrid" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "civicgrid" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Personal data encryption (see docs/security.md). Keys come from the environment:
# CIVICGRID_PII_KEYS="2:<base64 32 bytes>,1:<base64 32 bytes>" — the first is current;
# older ones stay to decrypt until `manage.py rotate_pii_keys` has re-encrypted all rows.
CIVICGRID_PII_KEYS = os.environ.get("CIVICGRID_PII_KEYS", "")
CIVICGRID_PII_INDEX_KEY = os.environ.get("CIVICGRID_PII_INDEX_KEY", "")
CIVICGRID_PII_CIPHER = os.environ.get("CIVICGRID_PII_CIPHER", "aes-gcm")  # or "sm4-gcm"

# Import error reports (encrypted, kept a day) live here; share it between app servers.
CIVICGRID_IO_REPORT_DIR = DATA_DIR / "io-reports"
# Archived daily / weekly / monthly reports (civicgrid.reports).
CIVICGRID_REPORT_DIR = DATA_DIR / "reports"

# Maximum size of an uploaded import file.
CIVICGRID_IMPORT_MAX_BYTES = 20 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

# Geometry validation: how far (metres) a grid may stick out of its community or overlap a
# sibling before an import refuses it (see docs/geo.md).
CIVICGRID_GRID_TOLERANCE_M = 5.0

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
