"""Settings for Laming Tracker, configured from the environment.

DATABASE_URL  a database URL; SQLite in the project folder when unset.
SECRET_KEY    required unless DEBUG is on.
DEBUG         "1"/"true" to turn on; off otherwise.
ALLOWED_HOSTS comma-separated; defaults to localhost when DEBUG is on.
AXES_ENABLED  "0" to turn off failed-sign-in lockout (on by default).
SECURE_HSTS_SECONDS      HSTS max-age when DEBUG is off (one year by default).
SECURE_SSL_REDIRECT      "1" to redirect http to https in Django (off: the proxy usually does it).
SECURE_PROXY_SSL_HEADER  "1" to trust X-Forwarded-Proto from the reverse proxy.
TRUSTED_PROXY_COUNT      how many reverse proxies in front append to X-Forwarded-For (0: ignore it).
ADMINS         comma-separated "Name <email>" or plain addresses: who is mailed a server error.
EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, EMAIL_USE_SSL: the SMTP server.
DEFAULT_FROM_EMAIL  who the app's mail comes from; SERVER_EMAIL the sender of error mails (both default
               to laming-tracker@localhost).
EMAIL_FILE_PATH  write mail as files in this folder instead of sending it (`make run`: var/mail).
SITE_URL       the address people reach the service at, for the links in mail (https://tracker.example.gov.uk).
REMINDER_INTERVAL_DAYS  the fewest days between two reminder digests to one person (7).
SERVICE_OWNER  the council that runs the service, as the accessibility statement and privacy notice name it.
SERVICE_CONTACT_EMAIL  where people write about the service: access problems, their personal data, help.
SECURE_COOKIES "0" sends the session and CSRF cookies over plain http with DEBUG off (`make run` only).
DEMO_ACCOUNTS  "1" allows `manage.py create_demo_accounts` (`make run` and `make dev` only).
STATIC_ROOT    where collectstatic writes the static files; "staticfiles" in the project folder.
EVIDENCE_ROOT  the folder evidence documents are kept in ("var/evidence" in the project folder); no URL
               serves it: the app hands each file to those who may see it. Back it up with the database.
"""

import os
from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")
    SECRET_KEY = "insecure-local-development-key-not-for-production"

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
if DEBUG and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]

# Where the source documents live; the seed-fidelity tests and the fixture builder read them.
SEEDS_DIR = Path(os.environ.get("LAMING_SEEDS_DIR", BASE_DIR.parent / "shared" / "seeds"))

# `manage.py create_demo_accounts` makes accounts with a published password, so it runs only where
# this is set: `make run` and `make dev` set it; production settings never do.
DEMO_ACCOUNTS = env_flag("DEMO_ACCOUNTS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles, so runserver (`make dev`) serves static files through WhiteNoise as production does.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "recommendations",
    "authorities",
    "responses",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Right after SecurityMiddleware, as WhiteNoise asks: static files are answered before sessions.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before every middleware that reads or changes a page's body; static files, answered above, come
    # compressed by WhiteNoise.
    "laming.middleware.CompressPagesMiddleware",
    # Headers on every page; static files, answered above, need neither.
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "laming.middleware.NoStoreForSignedInUsersMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes asks: it turns a sign-in refused by AxesStandaloneBackend into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "laming.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "laming.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # A connection is kept for a minute between requests (opening one cost a save about 10 ms),
        # and checked before a request reuses it, so a database restart costs no request an error.
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database host that does not answer at all should fail a request (and /readyz) in seconds,
    # not hang it until the web server's own timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database is shared by the web server and the worker (`make run`). Write-ahead
    # logging lets pages read while the worker writes; IMMEDIATE transactions take the write lock at
    # their start, so two writers queue (for up to 20 s) instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work: django-tasks with its database backend. The queue is a table in the app's own
# database, so there is no broker to run or secure, and workers on several servers share it
# (each claims a job with SELECT ... FOR UPDATE SKIP LOCKED). Run workers with `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A render a worker started this many seconds ago and has not finished is taken to be abandoned
# (the worker was killed or lost its database connection): the page offers to try again.
PDF_JOB_TIMEOUT = int(os.environ.get("PDF_JOB_TIMEOUT", "300"))
# How long /readyz lets the oldest queued job wait before it says the workers are stuck.
QUEUE_STUCK_AFTER = int(os.environ.get("QUEUE_STUCK_AFTER", "300"))
# The .docx whose styles a Cabinet report's Word version takes (responses/cabinet/word.py names the
# styles it uses); empty for python-docx's built-in template in the app's house style.
REPORT_WORD_TEMPLATE = os.environ.get("REPORT_WORD_TEMPLATE", "")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# AxesStandaloneBackend comes first so a locked-out sign-in is refused before the password is
# checked; it throttles every authenticate() call, the admin's sign-in included.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Failed sign-ins (django-axes). Attempts are counted per username and IP address together, so
# someone guessing at one account cannot lock its owner out from another machine.
# registration/locked_out.html tells the user how long to wait: keep it in step with the cool-off.
AXES_ENABLED = env_flag("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The address attempts are counted at. Behind reverse proxies every request comes from a proxy, so
# with TRUSTED_PROXY_COUNT unset anyone could lock any account for everyone behind it; set it to the
# number of proxies that append to X-Forwarded-For (usually 1). Never more: the client writes the rest.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT is the number of proxies in front: 0 or more.")
AXES_CLIENT_IP_CALLABLE = "laming.proxies.client_address"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# `manage.py collectstatic` writes hashed, compressed copies to STATIC_ROOT; WhiteNoise serves them with
# far-future cache headers. Run it before serving: with DEBUG off, a page whose static file was not
# collected fails. With DEBUG on, templates use the plain names, found in STATICFILES_DIRS.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "laming.storage.StaticFilesStorage"},
    # Evidence documents (responses.models.EvidenceDocument): any Django storage will do (set the
    # backend here for object storage); base_url None, as no web server may serve these files itself.
    "evidence": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": os.environ.get("EVIDENCE_ROOT", str(BASE_DIR / "var" / "evidence")),
            "base_url": None,
            "file_permissions_mode": 0o640,
            "directory_permissions_mode": 0o750,
        },
    },
}

# SECURE_COOKIES=0 lets `make run` sign in over plain http on your own machine; never set it in production.
SESSION_COOKIE_SECURE = not DEBUG and env_flag("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# A working day, and no longer than the browser stays open: the records are about children.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# The 8 hours run from sign-in (strictly, the last change to the session), not the last page seen.
SESSION_SAVE_EVERY_REQUEST = False

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# django-csp. Scripts come from our own static files; the one inline script (base.html, which marks
# the page as having JavaScript before it is first painted, as GOV.UK Frontend asks) carries the
# request's nonce. No inline styles: the SVG charts colour themselves with presentation attributes
# (fill, stroke), which style-src does not govern.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# django-permissions-policy: the tracker uses none of these, so no script on its pages may either.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
if not DEBUG:
    # Browsers only heed HSTS over https, so this is harmless on a plain-http test run.
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
    # Covers only names under the tracker's own host (anything.tracker.council.gov.uk), not the council's.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Off by default: the reverse proxy in front usually redirects to https, and the tests run
    # with DEBUG off over plain http, which a redirect here would break.
    SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT")
    if env_flag("SECURE_PROXY_SSL_HEADER"):
        # Only behind a proxy that sets this header itself and drops any the client sent.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# `manage.py check --deploy` (tests/test_deploy_checks.py) passes with the README's production settings
# but for this: HSTS preload is asked for by the council's registrable domain (example.gov.uk), for every
# name under it, so it is the council's decision, not this app's. The tracker runs on one name within it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# A 403 or 404 is one line in the log; a 500 keeps its traceback. Django's own logging config, which
# this adds to, also sends ERROR records from its `django` loggers (a 500) to its `mail_admins` handler
# (AdminEmailHandler, only when DEBUG is off), so each server error is mailed to ADMINS when set.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_for_client_errors": {"()": "laming.logging.OneLineForClientErrors"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["one_line_for_client_errors"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # A request naming another host (a scanner, a health probe sent to the server's address) is
    # refused with 400 and logged as a line here; Django would otherwise mail it to ADMINS, each time.
    "loggers": {"django.security.DisallowedHost": {"handlers": ["console"], "propagate": False}},
}

# Who is mailed a server error: "Jo Bloggs <jo.bloggs@example.gov.uk>, ops@example.gov.uk".
ADMINS = [(name, address) for name, address in getaddresses([os.environ.get("ADMINS", "")]) if address]
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_flag("EMAIL_USE_SSL")
EMAIL_TIMEOUT = 30
if os.environ.get("EMAIL_FILE_PATH"):
    # A folder of .log files, one per connection: how `make run` lets a newcomer read what was sent.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", "laming-tracker@localhost")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", SERVER_EMAIL)
EMAIL_SUBJECT_PREFIX = "[Laming Tracker] "
# Links in mail are absolute: mail is read away from the site, and a worker has no request to ask.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
REMINDER_INTERVAL_DAYS = int(os.environ.get("REMINDER_INTERVAL_DAYS", "7"))
# Who runs the service and how to reach them, for the accessibility statement, privacy notice and help
# (laming/service_pages.py). Unset, those pages name "the council that runs this service" and send people
# to their council's administrator; the law asks for real contact details, so production sets both.
SERVICE_OWNER = os.environ.get("SERVICE_OWNER", "").strip()
SERVICE_CONTACT_EMAIL = os.environ.get("SERVICE_CONTACT_EMAIL", "").strip()
# Password reset and invitation links stop working after three days.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 60 * 60
