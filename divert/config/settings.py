"""The one settings module. Every value is read from the environment (see .env.example)."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from divert.config.env import as_bool, as_list, env

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(env("DIVERT_DATA_DIR", default=str(BASE_DIR / "data")))

# Demo mode: persona logins, the demo banner, and seeded synthetic data. Never in production.
DEMO_MODE = env("DIVERT_DEMO_MODE", default=False, cast=as_bool)
# "production" makes unsafe combinations fatal at start-up (demo mode, debug pages).
ENVIRONMENT = env("DIVERT_ENVIRONMENT", default="development")
DEBUG = env("DIVERT_DEBUG", default=False, cast=as_bool)
SECRET_KEY = env("DJANGO_SECRET_KEY")
if ENVIRONMENT == "production" and (DEMO_MODE or DEBUG):
    raise ImproperlyConfigured(
        "DIVERT_ENVIRONMENT=production refuses to start with DIVERT_DEMO_MODE or DIVERT_DEBUG on."
    )
ALLOWED_HOSTS = env("DIVERT_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"], cast=as_list)
CSRF_TRUSTED_ORIGINS = env("DIVERT_CSRF_TRUSTED_ORIGINS", default=[], cast=as_list)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "divert.core",
    "divert.accounts",
    "divert.audit",
    "divert.organisation",
    "divert.people",
    "divert.cases",
    "divert.screening",
    "divert.directory",
    "divert.referrals",
    "divert.sharing",
    "divert.linkage",
    "divert.imports",
    "divert.reporting",
    "divert.nonprod",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "divert.accounts.middleware.SessionLifetimeMiddleware",
    "divert.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "divert.core.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so it sees every authentication attempt (django-axes requirement).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "divert.config.urls"
WSGI_APPLICATION = "divert.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "divert.config.jinja2.environment",
            "context_processors": ["divert.core.context_processors.csp_nonce"],
        },
    },
    {
        # The Django template language is kept only for built-in pages (admin, error fallbacks).
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
]

# DATABASE_URL selects the database for every command: sqlite:///path or postgres://...
DATABASE_URL = env("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'divert.sqlite3'}")
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work during a write; IMMEDIATE avoids "database is locked" upgrades.
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
    _db["CONN_MAX_AGE"] = 0
    _db["CONN_HEALTH_CHECKS"] = False
else:
    _db.setdefault("OPTIONS", {})
    _db["OPTIONS"].setdefault("connect_timeout", 5)
    # No JIT compilation: it added about 20 ms to the worklist's stage counts at a million
    # episodes (the plan's estimated cost crosses jit_above_cost) and saved nothing measurable
    # on the KPI query (docs/benchmarks.md, Practitioner pages).
    _db["OPTIONS"].setdefault("options", "-c jit=off")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "divert.accounts.passwords.BreachedPasswordValidator"},
]

SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Idle timeout: the cookie's age, renewed on every request (security.md B6).
SESSION_COOKIE_AGE = env("DIVERT_SESSION_IDLE_SECONDS", default=15 * 60, cast=int)
# Absolute timeout from sign-in, whatever the activity (security.md B6).
SESSION_ABSOLUTE_SECONDS = env("DIVERT_SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60, cast=int)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env("DIVERT_SECURE_COOKIES", default=not DEBUG and not DEMO_MODE, cast=as_bool)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_COOKIES
if SECURE_COOKIES:
    # The __Host- prefix pins cookies to this host over HTTPS (ASVS 3.3.1).
    SESSION_COOKIE_NAME = "__Host-divert-session"
    CSRF_COOKIE_NAME = "__Host-divert-csrf"
SECURE_SSL_REDIRECT = env("DIVERT_SSL_REDIRECT", default=False, cast=as_bool)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env("DIVERT_HSTS_SECONDS", default=0, cast=int)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env(
    "DIVERT_HSTS_PRELOAD", default=SECURE_HSTS_SECONDS >= 31_536_000, cast=as_bool
)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# How long a break-glass or IG-request grant keeps a record open.
ACCESS_GRANT_HOURS = env("DIVERT_ACCESS_GRANT_HOURS", default=12, cast=int)

# Two-factor sign-in: required for every account, except in demo mode (where a banner says so).
REQUIRE_TWO_FACTOR = env("DIVERT_REQUIRE_TWO_FACTOR", default=not DEMO_MODE, cast=as_bool)
OTP_TOTP_ISSUER = env("DIVERT_TOTP_ISSUER", default="Divert")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# Lockout: 5 failures per account, and separately per address, lock for 15 minutes (B1).
AXES_FAILURE_LIMIT = env("DIVERT_LOCKOUT_FAILURES", default=5, cast=int)
AXES_COOLOFF_TIME = timedelta(minutes=env("DIVERT_LOCKOUT_MINUTES", default=15, cast=int))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "divert.accounts.views.locked_out"
AXES_VERBOSE = False
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Set for production `collectstatic`; without it WhiteNoise serves straight from the apps.
STATIC_ROOT = env("DIVERT_STATIC_ROOT", default=None)
STATICFILES_DIRS = [BASE_DIR / "divert" / "static"]
# Tests and the demo serve from the apps' static folders, so no collectstatic step is needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DIVERT_LOG_LEVEL", default="WARNING")},
}

# Reporting: commissioners see counts below the threshold suppressed and the rest rounded to the
# base (docs/adr/0012-kpi-definitions.md); the cohort export hashes identifiers with the key.
DIVERT_SUPPRESSION_THRESHOLD = env("DIVERT_SUPPRESSION_THRESHOLD", default=5, cast=int)
DIVERT_ROUNDING_BASE = env("DIVERT_ROUNDING_BASE", default=5, cast=int)
DIVERT_COHORT_KEY = env("DIVERT_COHORT_KEY", default="")

# Address and port for `divert serve`.
LISTEN = env("DIVERT_LISTEN", default="127.0.0.1:8000")

# Demo users share one password, printed by `make demo`.
DEMO_PASSWORD = env("DIVERT_DEMO_PASSWORD", default="divert-demo-synthetic")
