"""Mutu settings: one file, driven by environment variables (see docs/configuration.md)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MUTU_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("MUTU_DEBUG")
SECRET_KEY = os.environ.get("MUTU_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env_bool("MUTU_ALLOW_INSECURE_KEY"):
        raise ImproperlyConfigured("MUTU_SECRET_KEY must be set when MUTU_DEBUG is off.")
    SECRET_KEY = "insecure-development-key-never-use-in-production"
elif not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    # Django's deploy check only warns; a guessable key signs sessions and respondent cookies.
    raise ImproperlyConfigured("MUTU_SECRET_KEY must be at least 50 characters of good randomness.")

ALLOWED_HOSTS = env_list("MUTU_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("MUTU_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "django_tasks",
    "mutu.core.vendor_apps.TasksDb",
    "mutu.core.vendor_apps.Axes",
    "django_otp",
    "mutu.core.vendor_apps.OtpTotp",
    "mutu.core.vendor_apps.OtpStatic",
    "dbbackup",
    "mutu.core",
    "mutu.regions",
    "mutu.accounts",
    "mutu.schools",
    "mutu.instruments",
    "mutu.mapping",
    "mutu.cycle",
    "mutu.programme",
    "mutu.pbd",
    "mutu.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed for phones on weak connections (static files are pre-compressed by WhiteNoise);
    # Django's GZip adds random padding against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "mutu.core.middleware.LanguageMiddleware",
    "mutu.core.middleware.RefuseNulMiddleware",
    "mutu.core.middleware.MethodNotAllowedPageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "mutu.accounts.two_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "mutu.core.middleware.KeepTypedMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "mutu.core.context_processors.navigation",
                "mutu.core.context_processors.typed",
            ],
        },
    },
]

# SQLite file by default; PostgreSQL (or anything dj-database-url reads) via DATABASE_URL.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'mutu.sqlite3'}"),
        conn_max_age=int(os.environ.get("MUTU_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web process read while the worker writes; IMMEDIATE avoids
        # "database is locked" upgrades inside write transactions.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        # Connections last one request (CONN_MAX_AGE 0), so the prepared-statement cache only
        # matters to long jobs, where Python's default of 128 pins a prepared bulk insert or IN
        # list of every batch size seen (scoring 38 provinces grew 9 MB that way).
        "cached_statements": 8,
    }
    # A file, not :memory:, so browser tests' live server threads get connections of their own.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: 5 failures for one username from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("MUTU_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("MUTU_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Failed logins from one client address, whatever the usernames (password spraying), per window.
MUTU_LOGIN_ADDRESS_ATTEMPTS = int(os.environ.get("MUTU_LOGIN_ADDRESS_ATTEMPTS", "100"))
MUTU_LOGIN_ADDRESS_WINDOW_SECONDS = int(os.environ.get("MUTU_LOGIN_ADDRESS_WINDOW_SECONDS", "3600"))
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

DBBACKUP_SEND_EMAIL = False  # a failed backup is the scheduler's to report (its exit status)
DBBACKUP_DATABASES = ["default"]

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("MUTU_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MUTU_MEDIA_ROOT", VAR_DIR / "media"))
# Backups (django-dbbackup: `dbbackup`, `mediabackup`, `dbrestore`, `mediarestore`; docs/production.md).
MUTU_BACKUP_DIR = Path(os.environ.get("MUTU_BACKUP_DIR", VAR_DIR / "backups"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "dbbackup": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": MUTU_BACKUP_DIR}},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded import files: at most this many bytes (a national Dapodik export is ~40 MB).
MUTU_MAX_UPLOAD_BYTES = int(os.environ.get("MUTU_MAX_UPLOAD_BYTES", str(100 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Limits checked before an uploaded file is parsed (mutu/core/files.py, docs/configuration.md).
MUTU_XLSX_MAX_PARTS = int(os.environ.get("MUTU_XLSX_MAX_PARTS", "1000"))
MUTU_XLSX_MAX_PART_BYTES = int(os.environ.get("MUTU_XLSX_MAX_PART_BYTES", str(512 * 1024 * 1024)))
MUTU_XLSX_MAX_SHARED_STRINGS_BYTES = int(os.environ.get("MUTU_XLSX_MAX_SHARED_STRINGS_BYTES", str(64 * 1024 * 1024)))
# openpyxl holds every shared string as an object (~180 bytes each): a national Dapodik file has ~660,000.
MUTU_XLSX_MAX_SHARED_STRINGS = int(os.environ.get("MUTU_XLSX_MAX_SHARED_STRINGS", "1000000"))
MUTU_XLSX_MAX_TOTAL_BYTES = int(os.environ.get("MUTU_XLSX_MAX_TOTAL_BYTES", str(1024 * 1024 * 1024)))
MUTU_XLSX_MAX_RATIO = int(os.environ.get("MUTU_XLSX_MAX_RATIO", "100"))
MUTU_YAML_MAX_NODES = int(os.environ.get("MUTU_YAML_MAX_NODES", "1000000"))
MUTU_IMPORT_MAX_ROWS = int(os.environ.get("MUTU_IMPORT_MAX_ROWS", "500000"))
MUTU_IMPORT_MAX_CELL_CHARS = int(os.environ.get("MUTU_IMPORT_MAX_CELL_CHARS", "10000"))
MUTU_IMPORT_MAX_COLUMNS = int(os.environ.get("MUTU_IMPORT_MAX_COLUMNS", "200"))
# An import step busy this long has lost its worker: the job page ends it as failed.
MUTU_IMPORT_TIMEOUT_MINUTES = int(os.environ.get("MUTU_IMPORT_TIMEOUT_MINUTES", "60"))

# Shared by all web processes (login and respondent-code throttling): run `manage.py createcachetable`.
# Wrong respondent codes: this many from one client address within the window lock code entry for
# that address until the window ends (django-ratelimit; fixed windows). A school lab of typo-prone
# students stays far below; guessing stays hopeless (docs/mapping.md). Respondents who already
# entered a valid code are never throttled.
MUTU_CODE_ATTEMPTS = int(os.environ.get("MUTU_CODE_ATTEMPTS", "200"))
MUTU_CODE_WINDOW_SECONDS = int(os.environ.get("MUTU_CODE_WINDOW_SECONDS", "3600"))
# A check-in made on a phone without signal counts when it reaches Mutu within this many hours.
MUTU_OFFLINE_CHECKIN_HOURS = int(os.environ.get("MUTU_OFFLINE_CHECKIN_HOURS", "48"))
# Certificate numbers checked on the public verification page per client address and window.
MUTU_VERIFY_ATTEMPTS = int(os.environ.get("MUTU_VERIFY_ATTEMPTS", "30"))
# Wrong codes from all addresses together in one window that raise a warning in the log.
MUTU_CODE_ALARM = int(os.environ.get("MUTU_CODE_ALARM", "2000"))
# Reverse proxies in front of Mutu that append to X-Forwarded-For (docs/production.md: 1).
MUTU_TRUSTED_PROXIES = int(os.environ.get("MUTU_TRUSTED_PROXIES", "0"))
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "mutu_cache"},
    # Counters outlive their window: the database cache's incr() resets a key's expiry to TIMEOUT.
    "ratelimit": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "mutu_cache",
        "TIMEOUT": max(MUTU_CODE_WINDOW_SECONDS, MUTU_LOGIN_ADDRESS_WINDOW_SECONDS) + 60,
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_IP_META_KEY = "mutu.core.network.client_ip"
AXES_CLIENT_IP_CALLABLE = "mutu.core.network.client_ip"
# A figure about one respondent group of a school (e.g. how the guru see a standard) is computed
# only from groups of at least this many respondents: smaller groups would show one person's answers.
# API tokens end after this many days at most (the owner may choose fewer).
MUTU_API_TOKEN_DAYS = int(os.environ.get("MUTU_API_TOKEN_DAYS", "90"))
MUTU_MIN_GROUP_SIZE = int(os.environ.get("MUTU_MIN_GROUP_SIZE", "3"))

EMAIL_BACKEND = os.environ.get("MUTU_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("MUTU_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("MUTU_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("MUTU_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("MUTU_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("MUTU_EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("MUTU_DEFAULT_FROM_EMAIL", "Mutu <noreply@localhost>")
# Deadline reminders of the SPMI cycle start this many days before a document is due.
MUTU_CYCLE_REMIND_DAYS = int(os.environ.get("MUTU_CYCLE_REMIND_DAYS", "7"))
# The address people open Mutu at, for links in e-mails.
# Two-factor sign-in for admin pusat, admin LPMP and the Django admin (mutu/accounts/two_factor.py):
# on wherever debug is off; the demo (`./dev run`, debug on) keeps password-only logins.
MUTU_REQUIRE_2FA = env_bool("MUTU_REQUIRE_2FA", not DEBUG)
OTP_TOTP_ISSUER = "Mutu"
MUTU_SITE_URL = os.environ.get("MUTU_SITE_URL", "http://127.0.0.1:8000")  # mutu.core.checks warns if left so
MUTU_DOCUMENT_DAYS = int(os.environ.get("MUTU_DOCUMENT_DAYS", "14"))  # a drawn document is kept this long
# The font of what is stamped on certificates and letters (core/stamp.py).
MUTU_PDF_FONT_DIR = os.environ.get("MUTU_PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu")

TASKS = {
    "default": {
        "BACKEND": os.environ.get("MUTU_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Production hardening: on whenever debug is off (see docs/production.md).
SECURE = not DEBUG and not env_bool("MUTU_INSECURE_HTTP")
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and env_bool("MUTU_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("MUTU_HSTS_SECONDS", "31536000")) if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("MUTU_BEHIND_PROXY") else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # htmx sends the token from the page (hx-headers), never from the cookie
# Shared school computers: a session ends with the browser and after this many idle minutes.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 60 * int(os.environ.get("MUTU_SESSION_IDLE_MINUTES", "120"))
SESSION_SAVE_EVERY_REQUEST = True  # each request moves the idle deadline
X_FRAME_OPTIONS = "DENY"
# Content Security Policy (django-csp): scripts only from Mutu's own static files (no inline script,
# no eval); inline styles are allowed because rapor charts and level names take their data-driven
# colours and bar widths from style attributes. The API's documentation page is exempt (mutu/mapping/api.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MUTU_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # 403 and 404 are answers, not faults: only server errors are logged, with their traceback.
        "django.request": {"level": "ERROR"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
