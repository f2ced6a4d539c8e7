"""Deskside settings, configured by environment variables.

DESKSIDE_DATA_DIR   where the database, attachments and the secret key live (./deskside-data)
DATABASE_URL        a database URL; PostgreSQL in production (default: SQLite in the data dir)
DESKSIDE_SECRET_KEY the secret key; when unset one is generated once and kept in the data dir
DESKSIDE_DEBUG      1/true/yes/on turns debug on, 0/false/no/off or empty off (the default)
DESKSIDE_ALLOWED_HOSTS comma-separated host names (default: localhost and 127.0.0.1)
DESKSIDE_MAX_ATTACHMENT_MB  largest attachment accepted (25)
DESKSIDE_MAX_MESSAGE_MB     largest mail message received by SMTP/LMTP or the API (50)
DESKSIDE_EMAIL_BACKEND, DESKSIDE_FROM_EMAIL, DESKSIDE_EMAIL_HOST/PORT/USER/PASSWORD,
DESKSIDE_EMAIL_USE_TLS/USE_SSL   outgoing mail (see the e-mail block below)

Every DESKSIDE_* variable is read through deskside.core.env: a bad value stops the start with
one line naming the variable (the README's configuration table lists them all).
"""

import contextlib
import ipaddress
import os
import re
import secrets
from pathlib import Path

from csp.constants import NONE, SELF

from deskside.core import netguard
from deskside.core.env import (
    EnvError,
    env_bool,
    env_choice,
    env_database,
    env_int,
    env_list,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("DESKSIDE_DATA_DIR", "deskside-data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Read the secret key from the environment or from the data directory.

    Generated once with the OS's random source and kept with 0600 permissions, so sessions and
    signed links survive a restart without anyone having to invent a key.
    """
    if key := env_str("DESKSIDE_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        # Several processes may start at once (web workers, the worker): each writes a whole
        # key to a private file of its own and links it into place. The link is atomic and only
        # the first succeeds, so every process reads the same, complete key.
        tmp = DATA_DIR / f".secret_key.{os.getpid()}.{secrets.token_hex(8)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(50))
                fh.flush()
                os.fsync(fh.fileno())
            with contextlib.suppress(FileExistsError):  # another process won: use its key
                os.link(tmp, path)
        finally:
            tmp.unlink()
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DESKSIDE_DEBUG")
ALLOWED_HOSTS = env_list("DESKSIDE_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DESKSIDE_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",  # django-csp (the Content-Security-Policy header): its system checks and tags
    # django-ninja's templates and static files: /api/v1/docs renders Swagger UI from the
    # package's own copy (served by WhiteNoise) instead of a CDN, so it works offline.
    "ninja",
    "deskside.core",
    "deskside.accounts",
    "deskside.tickets",
    "deskside.sla",
    "deskside.portal",
    "deskside.mail",
    "deskside.duty",
    "deskside.alerts",
    "deskside.paging",
    "deskside.webhooks",
    "deskside.macros",
    "deskside.directory",
    "deskside.notifications",
    "deskside.live",
    "deskside.workspace",
    "deskside.rosters",
    "deskside.assignment",
    "deskside.handovers",
    "deskside.staffing",
    "deskside.reports",
    "deskside.kb",
    "deskside.review",
    "deskside.surveys",
    "deskside.triage",
    "deskside.problems",
    "deskside.field",
    "deskside.assets",
    "deskside.workorders",
    "deskside.recurring",
]

MIDDLEWARE = [
    # First, so that it sees every answer: under /api/ each error is JSON (see its docstring).
    "deskside.core.errors.ApiErrorsAsJson",
    # Security headers (the "Headers and transport security" block below). Before WhiteNoise,
    # so that static files carry them too.
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "deskside.urls"
WSGI_APPLICATION = "deskside.wsgi.application"

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

_sqlite_path = DATA_DIR / "deskside.sqlite3"
DATABASES = {
    "default": env_database(
        "DATABASE_URL",
        f"sqlite:///{_sqlite_path}",
        # Keep connections for the life of a worker: reopening per request re-runs the SQLite
        # PRAGMAs with a cold page cache (bench/results: 106 -> 176 creates/s at 1M tickets).
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run while one writer writes; IMMEDIATE transactions take the write lock
    # up front, so two writers queue on busy_timeout instead of failing with "database is locked"
    # half-way through a transaction. The 1 GiB memory map's pages are the kernel's shared page
    # cache of the file, yet count in each worker's RSS: docs/scaling.md, "Worker memory".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
            " PRAGMA cache_size=-65536; PRAGMA mmap_size=1073741824; PRAGMA temp_store=MEMORY;"
        ),
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"  # `deskside manage collectstatic` target; optional
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every start when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]  # deskside/static is not inside an installed app
STORAGES = {
    # Files are written to a temporary name, fsynced, then renamed: a full disk never leaves
    # a partial file (deskside.core.files).
    "default": {"BACKEND": "deskside.core.files.DurableStorage"},
    # Static files are served by WhiteNoise straight from the installed package (no
    # collectstatic step needed to run), so `pip install` + `deskside demo` is enough.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = None  # attachments are never served directly: a view checks who may see them.

DESKSIDE_MAX_ATTACHMENT_BYTES = env_int("DESKSIDE_MAX_ATTACHMENT_MB", 25, minimum=0) * 2**20
# The largest mail message taken, whichever way it comes (deskside smtpd, POST
# /api/v1/mail/inbound): an attachment of DESKSIDE_MAX_ATTACHMENT_MB grows by a third in base64.
DESKSIDE_MAX_MESSAGE_BYTES = env_int("DESKSIDE_MAX_MESSAGE_MB", 50, minimum=1) * 2**20
# Every other request body (JSON under /api/, forms): larger ones are a 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 2**20
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 2**20

# -- Headers and transport security (docs/security.md "Headers") ---------------------------------
# Content-Security-Policy (django-csp): every script, style, image and font comes from the
# desk's own address; no inline script or style (templates use classes and static files; a
# page that cannot do without an inline <script> gives it request.csp_nonce). frame-ancestors
# 'none' is X-Frame-Options: DENY for current browsers. data: images: Swagger UI's and the
# admin's icons are data: URIs in their style sheets.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Permissions-Policy (django-permissions-policy): no page of the desk uses these features, so
# none of them is granted, not even to the desk itself.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}
SECURE_CONTENT_TYPE_NOSNIFF = True  # X-Content-Type-Options: nosniff
SECURE_REFERRER_POLICY = "same-origin"  # ticket numbers in URLs never leave the desk
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HTTPS. Off by default so that `deskside demo` works on http://localhost; docs/install.md's
# production block turns them on.
SECURE_SSL_REDIRECT = env_bool("DESKSIDE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = env_int("DESKSIDE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DESKSIDE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("DESKSIDE_HSTS_PRELOAD")
# Behind a TLS-terminating proxy Django sees plain HTTP. Trusting X-Forwarded-Proto is safe
# only when the proxy always sets it (overwriting what the client sent) and nobody reaches the
# server except through the proxy, so it is trusted only when the operator names the header.
_proxy_ssl_header = env_str("DESKSIDE_PROXY_SSL_HEADER")
if _proxy_ssl_header:
    _name, _sep, _value = _proxy_ssl_header.partition("=")
    if not _sep or not re.fullmatch(r"[A-Za-z0-9-]+", _name.strip()) or not _value.strip():
        raise EnvError(
            "DESKSIDE_PROXY_SSL_HEADER",
            "Header-Name=value such as X-Forwarded-Proto=https",
            _proxy_ssl_header,
        )
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _name.strip().upper().replace("-", "_"),
        _value.strip(),
    )
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("DESKSIDE_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# -- end of headers and transport security -------------------------------------------------------

# Outgoing e-mail (SLA warnings and breaches ...). The console backend prints mails to the
# worker's output until an SMTP server is configured:
# DESKSIDE_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend plus the host settings.
EMAIL_BACKEND = env_str("DESKSIDE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Where django.core.mail.backends.filebased.EmailBackend writes (`deskside demo`'s worker).
EMAIL_FILE_PATH = env_str("DESKSIDE_EMAIL_FILE_PATH", str(DATA_DIR / "sent-mail"))
DEFAULT_FROM_EMAIL = env_str("DESKSIDE_FROM_EMAIL", "deskside@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env_str("DESKSIDE_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DESKSIDE_EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("DESKSIDE_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("DESKSIDE_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("DESKSIDE_EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("DESKSIDE_EMAIL_USE_SSL")
EMAIL_TIMEOUT = 30

# The email channel (deskside.mail, docs/email.md).
# Mail from one sender beyond this many messages in this many minutes is held in quarantine.
DESKSIDE_MAIL_RATE_LIMIT = env_int("DESKSIDE_MAIL_RATE_LIMIT", 20, minimum=0)  # 0: no limit
DESKSIDE_MAIL_RATE_MINUTES = env_int("DESKSIDE_MAIL_RATE_MINUTES", 10, minimum=1)
# Text longer than this is cut on the timeline (the original message stays downloadable).
DESKSIDE_MAIL_MAX_TEXT = env_int("DESKSIDE_MAIL_MAX_TEXT", 100000, minimum=1)
# Sender verification (deskside.mail.senders, docs/email.md "Sender verification"): the
# authserv-ids of the receiving MTAs whose Authentication-Results headers are believed (any
# other such header is ignored: a sender can write one); the id `deskside smtpd` writes its own
# SPF results under; the addresses of the MTAs that relay to smtpd (no SPF check for them: the
# connecting address is theirs, not the sender's).
DESKSIDE_MAIL_TRUSTED_AUTHSERV_IDS = [
    i.lower() for i in env_list("DESKSIDE_MAIL_TRUSTED_AUTHSERV_IDS")
]
DESKSIDE_MAIL_AUTHSERV_ID = env_str(
    "DESKSIDE_MAIL_AUTHSERV_ID", DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "deskside"
).lower()
DESKSIDE_SMTPD_RELAYS = env_list("DESKSIDE_SMTPD_RELAYS", ["127.0.0.0/8", "::1"])
for _relay in DESKSIDE_SMTPD_RELAYS:
    try:
        ipaddress.ip_network(_relay, strict=False)
    except ValueError:
        raise EnvError(
            "DESKSIDE_SMTPD_RELAYS", "comma-separated addresses or networks (CIDR)", _relay
        ) from None
# Acknowledgements, agents' replies and resolution notices by mail ("0": none are sent).
DESKSIDE_MAIL_NOTIFY = env_bool("DESKSIDE_MAIL_NOTIFY", default=True)
# The address of the web pages, for links in mails, pages, webhooks and feeds. Empty: derived
# from the address `deskside serve` runs on (deskside.core.baseurl.base_url, which every link
# goes through).
DESKSIDE_BASE_URL = env_url("DESKSIDE_BASE_URL")
DESKSIDE_DESK_NAME = env_str("DESKSIDE_DESK_NAME", "IT Service Desk")
# The country a phone number without a country code is read in (accounts.phones), ISO 3166.
DESKSIDE_PHONE_REGION = env_str("DESKSIDE_PHONE_REGION", "US")
# Accept a self-signed IMAP server certificate. deskside.mail.imap reads the variable at each
# connection; parsed here too so that a typo stops the start instead of a mailbox poll.
DESKSIDE_IMAP_INSECURE_TLS = env_bool("DESKSIDE_IMAP_INSECURE_TLS")

# Internal hosts that connections to user-typed addresses (webhooks, Apprise URLs, IMAP hosts)
# may reach after all: host names, "*.domain", addresses and networks (deskside.core.netguard;
# everything internal is refused otherwise).
DESKSIDE_OUTBOUND_ALLOW = env_list("DESKSIDE_OUTBOUND_ALLOW")
try:
    netguard.parse_allow(DESKSIDE_OUTBOUND_ALLOW)
except ValueError as _exc:
    raise EnvError(
        "DESKSIDE_OUTBOUND_ALLOW",
        f"host names, *.domain, addresses or networks separated by commas ({_exc})",
        ",".join(DESKSIDE_OUTBOUND_ALLOW),
    ) from None

# Outbound webhooks (deskside.webhooks, docs/webhooks.md): finished deliveries are kept this
# many days in the delivery log ("0": kept forever).
DESKSIDE_WEBHOOKS_KEEP_DAYS = env_int("DESKSIDE_WEBHOOKS_KEEP_DAYS", 30, minimum=0) or None

# Field service travel estimates (deskside.field.travel, docs/field.md): the great-circle
# distance times a road factor (in percent: 130 means roads are 30 % longer than the straight
# line) at an average speed; with DESKSIDE_FIELD_OSRM_URL, an OSRM server's table service.
DESKSIDE_FIELD_ROAD_FACTOR_PERCENT = env_int("DESKSIDE_FIELD_ROAD_FACTOR_PERCENT", 130, minimum=100)
DESKSIDE_FIELD_SPEED_KMH = env_int("DESKSIDE_FIELD_SPEED_KMH", 40, minimum=1)
DESKSIDE_FIELD_OSRM_URL = env_url("DESKSIDE_FIELD_OSRM_URL")

# IT operations (docs/operations.md): a vendor case with no contact for this many days reminds
# the ticket's assignee (the default of a new case; each case may set its own).
DESKSIDE_RMA_QUIET_DAYS = env_int("DESKSIDE_RMA_QUIET_DAYS", 5, minimum=1)

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("DESKSIDE_LOG_LEVEL", LOG_LEVELS, "WARNING"),
    },
    # At DEBUG urllib3 logs each request line, path and query included: the tokens of webhook
    # and Apprise URLs (Slack, Teams) would reach the log. Never below INFO.
    "loggers": {"urllib3": {"level": "INFO"}},
}

# --- Sign-in security (issue 12 item 6: docs/security.md, docs/install.md "Single sign-on") ---
# Kept in one block: it adds apps and middleware to the lists above rather than editing them.
import ipaddress  # noqa: E402
from datetime import timedelta  # noqa: E402

from deskside.core.env import EnvError  # noqa: E402

INSTALLED_APPS = [
    # django-user-sessions: the session table with the user, address, browser and last activity,
    # so an agent can see and end their other sessions. It replaces django.contrib.sessions.
    "user_sessions" if app == "django.contrib.sessions" else app
    for app in INSTALLED_APPS
] + [
    "axes",  # failed sign-ins per account and per address, counted in the database
    "django_otp",
    "django_otp.plugins.otp_totp",  # authenticator apps
    "django_otp.plugins.otp_static",  # recovery codes
    "mozilla_django_oidc",  # single sign-on through OpenID Connect
]
_session_mw = "django.contrib.sessions.middleware.SessionMiddleware"
_auth_mw = "django.contrib.auth.middleware.AuthenticationMiddleware"
MIDDLEWARE = [
    "deskside.accounts.middleware.SessionMiddleware" if mw == _session_mw else mw
    for mw in MIDDLEWARE
]
MIDDLEWARE[MIDDLEWARE.index(_auth_mw) + 1 : MIDDLEWARE.index(_auth_mw) + 1] = [
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified()
    # An agent who must give a second factor, or must enrol one, reaches nothing else.
    "deskside.accounts.middleware.SecondFactorGate",
]
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # last, as django-axes asks

AUTHENTICATION_BACKENDS = [
    "deskside.accounts.backends.ThrottlingBackend",  # first: a locked-out sign-in stops here
    "django.contrib.auth.backends.ModelBackend",
    "deskside.accounts.oidc.AgentOIDCBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["email", "full_name"]},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60  # a mailed reset link works for an hour

# Throttling (django-axes): after DESKSIDE_LOGIN_FAILURE_LIMIT failures for one account, or from
# one client address, sign-in is refused for DESKSIDE_LOGIN_COOLOFF_MINUTES.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("DESKSIDE_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DESKSIDE_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: per account, per address
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # the sign-in form's field (the email address)
AXES_LOCKOUT_CALLABLE = "deskside.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "deskside.accounts.clientip.client_ip"
AXES_VERBOSE = False
# The client address: REMOTE_ADDR, unless the connection comes from one of these proxies, whose
# X-Forwarded-For is then read (right to left, skipping the trusted proxies). Never trusted blindly.
DESKSIDE_TRUSTED_PROXIES = env_list("DESKSIDE_TRUSTED_PROXIES")
for _proxy in DESKSIDE_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise EnvError("DESKSIDE_TRUSTED_PROXIES", "addresses or networks", _proxy) from None

# Sessions: one ends after DESKSIDE_SESSION_IDLE_MINUTES without a request (its expiry moves
# forward at most once a minute, deskside.accounts.middleware). Sign-out deletes it.
SESSION_ENGINE = "deskside.accounts.sessions"
SESSION_COOKIE_AGE = env_int("DESKSIDE_SESSION_IDLE_MINUTES", 8 * 60, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = False

# Two-factor sign-in (django-otp): whether agents must use it is a setting admins change on the
# "Sign-in security" page (stored in the database, deskside.accounts.models.SecurityPolicy).
OTP_TOTP_ISSUER = env_str("DESKSIDE_DESK_NAME", "Deskside")

# Single sign-on for agents (OpenID Connect, mozilla-django-oidc): on when an issuer is set. The
# endpoints are read from the issuer's /.well-known/openid-configuration (deskside.accounts.oidc).
DESKSIDE_OIDC_ISSUER = env_url("DESKSIDE_OIDC_ISSUER")
OIDC_RP_CLIENT_ID = env_str("DESKSIDE_OIDC_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("DESKSIDE_OIDC_CLIENT_SECRET")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_NONCE = True
OIDC_CREATE_USER = False  # only existing, active agents sign in through SSO
OIDC_STORE_ID_TOKEN = False
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
LOGIN_REDIRECT_URL_FAILURE = "/login/?sso=failed"
DESKSIDE_OIDC_LABEL = env_str("DESKSIDE_OIDC_LABEL", "single sign-on")
# Which e-mail domains SSO may sign in (empty: any domain of an existing agent).
DESKSIDE_OIDC_EMAIL_DOMAINS = [d.lower() for d in env_list("DESKSIDE_OIDC_EMAIL_DOMAINS")]
# Require the email_verified claim (Google, Keycloak send it; Entra ID does not: see install.md).
DESKSIDE_OIDC_REQUIRE_VERIFIED_EMAIL = env_bool("DESKSIDE_OIDC_REQUIRE_VERIFIED_EMAIL", True)
# When an agent must give a second factor: an SSO sign-in whose ID token says the provider
# checked one (amr: mfa, otp, hwk, swk, sms, fido ...) counts as that factor; otherwise the
# local code is asked for. Off: the local code is always asked for.
DESKSIDE_OIDC_TRUST_IDP_MFA = env_bool("DESKSIDE_OIDC_TRUST_IDP_MFA", True)
# --- end of sign-in security ---
