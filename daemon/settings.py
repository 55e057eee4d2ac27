"""The typed configuration: one object, loaded once, passed to whoever needs it.

Sources, later ones winning (INTERFACE.md "Configuration"):
  1. the embedded defaults below (SQLite under ./var, SMTP listener on 127.0.0.1:2525,
     outbound mail as .eml files in ./var/outbox);
  2. the TOML file named by --config or OO_SUPPORT_CONFIG;
  3. environment variables OO_SUPPORT__<SECTION>__<KEY>.
A key `<name>_file` names a file whose content is the secret `<name>`.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    FilePath,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from daemon.domain.billing import MAX_MINUTES
from daemon.domain.business_calendar import (
    DEFAULT_CLOSED_DATES,
    DEFAULT_HOLIDAY_COUNTRY,
    DEFAULT_HOURS,
    DEFAULT_TIMEZONE,
    supported_countries,
)
from daemon.domain.domain_names import canonical_domain
from daemon.domain.mail_address import is_domain_name, is_mail_address
from daemon.domain.outside_services import OUTSIDE_SERVICES
from daemon.resources import default_templates_dir

ENV_PREFIX = "OO_SUPPORT__"
CONFIG_ENV = "OO_SUPPORT_CONFIG"


class ConfigError(Exception):
    """The configuration is unusable; the message names the offending key."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _domain_name(value: str) -> str:
    """A configured domain, stripped and in lower case (mail's domains are compared so),
    without the DNS root's dot: "oo.dk." is the zone file's way of writing oo.dk (the
    staff domains were always compared without it, daemon/domain/staff.py)."""
    name = value.strip().lower().removesuffix(".")
    if not is_domain_name(name):
        raise ValueError('not a domain name such as "oo.dk"')
    return name


def _mail_address(value: str) -> str:
    """A configured address (local@domain): the daemon sends to it or as it, so a slip
    is refused at start, naming the key, not found in a bounce or a traceback later."""
    if not is_mail_address(value.strip()):
        raise ValueError('not an email address such as "support@oo.dk"')
    return value.strip()


def _mail_address_or_blank(value: str) -> str:
    """An address, or "" for nobody in that role (a team with no team lead): alerts
    are sent to the roles that name someone (alert_queue.recipients_of)."""
    return "" if not value.strip() else _mail_address(value)


def _blank_is_none(value: object) -> object:
    # TOML has no null: "" (or an empty OO_SUPPORT__... variable) is how a file or the
    # environment leaves an optional value unset.
    return None if isinstance(value, str) and not value.strip() else value


def _customer_domain(value: str) -> str:
    """A customer's domain in the one spelling senders' domains are compared in
    (canonical_domain: case, the root's dot, an IDN's xn-- form), "@kunde.dk" read as
    kunde.dk (redteam25a): written as an address, it matched no sender, silently, and
    every case of the customer was "no agreement" (BR-22). One that is no domain of a
    mail address ("kunde", "https://x.dk", "kunde dk") is refused, naming the key."""
    name = canonical_domain(value.strip().removeprefix("@"))
    if "." not in name or not is_domain_name(name):
        raise ValueError('not a mail domain such as "kunde.dk"')
    return name


DomainName = Annotated[str, AfterValidator(_domain_name)]
CustomerDomain = Annotated[str, AfterValidator(_customer_domain)]
MailAddress = Annotated[str, AfterValidator(_mail_address)]
MailAddressOrBlank = Annotated[str, AfterValidator(_mail_address_or_blank)]
OptionalMailAddress = Annotated[MailAddress | None, BeforeValidator(_blank_is_none)]

# The databases the daemon has a schema and a driver for (INTERFACE.md "Install and run"):
# psycopg 3 (SQLAlchemy's default for postgresql://) and the stdlib's sqlite3. Another
# driver (psycopg2, asyncpg, aiosqlite) is not installed, or not synchronous.
_DATABASE_URL = re.compile(r"(?:sqlite(?:\+pysqlite)?|postgresql(?:\+psycopg)?)://", re.IGNORECASE)


class DatabaseSettings(_Section):
    url: str = "sqlite:///./var/oo-support.db"
    echo: bool = False

    @field_validator("url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        # The URL itself is never echoed (it may hold a password): say what is wanted.
        if not _DATABASE_URL.match(value.strip()):
            raise ValueError(
                'want "postgresql+psycopg://USER@HOST:PORT/NAME" or "sqlite:///PATH"'
            )
        return value.strip()


class ImapSettings(_Section):
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(993, ge=1, le=65535)
    security: Literal["ssl", "starttls", "none"] = "ssl"
    # PEM bundle of the CAs that may sign this server's certificate (a company CA);
    # unset: the system store. There is no switch to skip verification or the host
    # name check: for a self-signed server, put its certificate here (daemon/tls.py).
    ca_file: FilePath | None = None
    username: str = "support@oo.dk"
    password: str = ""
    auth: Literal["password", "xoauth2"] = "password"
    folder: str = "INBOX"
    # Where a committed message is moved; servers without MOVE get a keyword instead.
    processed_folder: str = "Processed"
    # Automatic mail that belongs to no case is moved here (and listed by `ignored list`).
    ignored_folder: str = "Ignored"
    # A mail taken up this many times without being stored (it failed, or crashed or
    # hung the daemon) is kept raw as "quarantined" and moved to quarantine_folder.
    max_attempts: int = Field(3, ge=1, le=1000)
    quarantine_folder: str = "Quarantine"
    idle: bool = True
    poll_interval: float = Field(60, gt=0)
    # Re-issue IDLE well within the 29 minutes RFC 2177 allows servers to drop it.
    idle_timeout: float = Field(600, gt=0)
    batch_size: int = Field(100, ge=1, le=5000)
    timeout: float = Field(30, gt=0)


class SmtpUser(_Section):
    """A staff member who may log in to the listener (SMTP AUTH) to send as themselves."""

    login: MailAddress  # their own address: their mail is staff mail only when From says so
    password_hash: str = Field(repr=False)  # from `python -m daemon.passwords`

    @field_validator("password_hash")
    @classmethod
    def _hashed(cls, value: str) -> str:
        from daemon.passwords import is_password_hash  # hashlib: only with [smtp_in] users

        if not is_password_hash(value):
            raise ValueError("not a hash from `python -m daemon.passwords`")
        return value.strip()


class SmtpInSettings(_Section):
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(2525, ge=0, le=65535)
    max_message_size: int = Field(50 * 1024 * 1024, ge=1024)
    # Connections served at once, in all and from one client address; over either,
    # a client gets 421 and is closed. Each costs at most ~1 MB of DATA in memory.
    max_connections: int = Field(50, ge=1)
    max_connections_per_client: int = Field(10, ge=1)
    # A mail whose processing fails (parsing over [parsing] timeout, the parsing process
    # killed) is answered 451, the client's retry is a new try; the try that reaches
    # this many is kept as quarantined and answered 250, so it is not retried for ever.
    max_attempts: int = Field(3, ge=1, le=1000)
    # Staff logins for SMTP AUTH. The listener has no TLS, so AUTH is offered only on
    # a loopback host (a TLS proxy in front of it may forward to that).
    users: list[SmtpUser] = []

    @model_validator(mode="after")
    def _auth_on_loopback_only(self) -> SmtpInSettings:
        if self.users and not is_loopback(self.host):
            raise ValueError(
                f"users: SMTP AUTH needs a loopback host (got {self.host!r}); "
                "the listener has no TLS to protect passwords"
            )
        return self


class SmtpOutSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(587, ge=1, le=65535)
    security: Literal["ssl", "starttls", "none"] = "starttls"
    # As [imap] ca_file: the relay's CA bundle; verification cannot be turned off.
    ca_file: FilePath | None = None
    username: str = ""
    password: str = ""
    # "xoauth2": AUTH XOAUTH2 with a token from [oauth], as username (else the
    # support address); Microsoft 365 is phasing out password SMTP AUTH.
    auth: Literal["password", "xoauth2"] = "password"
    timeout: float = Field(30, gt=0)
    # Mails handed over at once, each on its own connection, committed `sent` together
    # (daemon/outbox_lanes.py). A kill in the moment between that commit and the final
    # "." of DATA loses at most this many mails; nothing is ever sent twice.
    connections: int = Field(4, ge=1, le=32)


class OAuthSettings(_Section):
    """The Entra (Microsoft 365) app whose client-credentials token signs in to IMAP/SMTP.

    Only read when [imap] or [smtp_out] has auth = "xoauth2"; then tenant_id,
    client_id and client_secret are required (checked in Settings).
    """

    tenant_id: str = ""
    client_id: str = ""
    client_secret: str = Field("", repr=False)  # kept out of logged reprs
    authority: str = "https://login.microsoftonline.com"
    scope: str = "https://outlook.office365.com/.default"
    # When the client secret stops working (Entra shows it). An expired secret
    # silently stops all sign-ins, so check-config and the daemon warn ahead of it.
    secret_expires: date | None = None
    secret_warning_days: int = Field(30, ge=0)
    # A CA bundle for the token endpoint (a TLS-inspecting proxy); default: public CAs.
    ca_file: Path | None = None
    timeout: float = Field(30, gt=0)


class OutboxSettings(_Section):
    # Used when [smtp_out] is absent: each mail becomes <pickup_dir>/<id>.eml.
    pickup_dir: Path = Path("./var/outbox")
    max_attempts: int = Field(10, ge=1)
    retry_base_seconds: float = Field(30, gt=0)
    retry_max_seconds: float = Field(3600, gt=0)
    flush_interval: float = Field(5, gt=0)


class SupportSettings(_Section):
    address: MailAddress = "support@oo.dk"
    name: str = "OneOffice Support"
    oncall_address: MailAddress = "vagt@oo.dk"
    phone: str = "+45 7021 1813"  # BR-1
    phone_hint: str = "tast 2"  # BR-1: "press 2"
    phone_hint_en: str = "press 2"
    # Domain of the Message-IDs the daemon writes; its own mail is recognised by it.
    message_id_domain: DomainName = "support.oo.dk"
    timezone: str = DEFAULT_TIMEZONE
    acknowledge: bool = True
    # Loop safety and no spam cannon (daemon/domain/ack_policy.py): at most this many
    # acknowledgements an hour to one address (sub-addresses folded), to one domain,
    # and in all. The case is created either way.
    ack_limit_per_hour: int = Field(5, ge=0)
    ack_limit_per_domain_per_hour: int = Field(50, ge=0)
    ack_limit_total_per_hour: int = Field(200, ge=0)
    # The border MTA's spam verdict: no ack to mail with one of these header values
    # (case-insensitive, matched at the start of the value).
    spam_verdict_headers: dict[str, str] = {"X-Spam-Flag": "YES"}
    # A customer reply to a case closed at most this long ago reopens it (else: new case).
    reopen_days: float = Field(14, ge=0)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        # Every deadline and local time is read in it: a slip here was a traceback in
        # the first command that read a time. ZoneInfoNotFoundError is a KeyError; a
        # malformed key ("../x") a ValueError; a directory of zones ("Europe") an OSError.
        try:
            ZoneInfo(value)
        except (KeyError, ValueError, OSError):
            raise ValueError('not an IANA time zone such as "Europe/Copenhagen"') from None
        return value


class StaffSettings(_Section):
    domains: list[DomainName] = ["oo.dk"]
    trusted_authserv_ids: list[str] = ["mx.oo.dk"]
    # Staff outside the staff domains (a consultant): they may be assigned cases.
    addresses: list[MailAddress] = []
    # The most time one mail's #time commands may log; the rest is refused with an answer.
    time_per_mail_minutes: int = Field(8 * 60, ge=1, le=MAX_MINUTES)
    # Who is told when a case's own supporters are unknown (BR-19 names them per
    # customer, in [[customers]]), and who hears of every escalation and breach.
    primary: MailAddressOrBlank = "support-team@oo.dk"
    secondary: MailAddressOrBlank = "support-team@oo.dk"
    team_lead: MailAddressOrBlank = "teamleder@oo.dk"
    # The support team's own address: told at once, with the primary supporter, of a
    # case that is critical in normal hours (BR-6; daemon/domain/alerts.py).
    team: MailAddressOrBlank = "support-team@oo.dk"
    # Who a staff command at the command line (`cases close`, `time add`, ...) is
    # recorded as when it has no --staff; empty: the login name of whoever runs it.
    cli_user: str = ""


def is_loopback(host: str) -> bool:
    import ipaddress  # only with [smtp_in] users; every command loads the settings

    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip()).is_loopback
    except ValueError:
        return False


_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _default_span(weekday: int) -> str:
    """The business calendar's hours of ``weekday`` as the config writes them."""
    span = DEFAULT_HOURS.get(weekday)
    return "" if span is None else f"{span[0]:%H:%M}-{span[1]:%H:%M}"


class HoursSettings(_Section):
    """Normal working hours (BR-4) and closed days (BR-5); "" means closed all day.

    The defaults are the business calendar's own (daemon/domain/business_calendar.py)."""

    monday: str = _default_span(0)
    tuesday: str = _default_span(1)
    wednesday: str = _default_span(2)
    thursday: str = _default_span(3)
    friday: str = _default_span(4)
    saturday: str = _default_span(5)
    sunday: str = _default_span(6)
    # "": no public holidays (only closed_dates and extra_closed).
    holiday_country: Annotated[str | None, BeforeValidator(_blank_is_none)] = (
        DEFAULT_HOLIDAY_COUNTRY
    )
    closed_dates: list[str] = [  # MM-DD, every year
        f"{month:02d}-{day:02d}" for month, day in sorted(DEFAULT_CLOSED_DATES)
    ]
    extra_closed: list[date] = []  # one-off closures

    @field_validator(*_WEEKDAYS)
    @classmethod
    def _span(cls, value: str) -> str:
        if not value.strip():
            return value
        match = _HOURS.match(value)
        if not match:
            raise ValueError('expected "HH:MM-HH:MM" or "" (closed)')
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if not (h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60):
            raise ValueError('not a time of day; expected "HH:MM-HH:MM" from 00:00 to 23:59')
        if not time(h1, m1) < time(h2, m2):  # the business calendar needs opens < closes
            raise ValueError("the office must open before it closes")
        return value

    @field_validator("holiday_country")
    @classmethod
    def _known_country(cls, value: str | None) -> str | None:
        # The default needs no look-up (the holidays package takes 0.1 s to load).
        if value not in (None, DEFAULT_HOLIDAY_COUNTRY) and value not in supported_countries():
            raise ValueError('not a country the holidays package knows, such as "DK"')
        return value

    @model_validator(mode="after")
    def _open_some_day(self) -> HoursSettings:
        if not any(getattr(self, name).strip() for name in _WEEKDAYS):
            raise ValueError("open on no weekday: no deadline could ever fall due")
        return self

    @field_validator("closed_dates")
    @classmethod
    def _month_days(cls, values: list[str]) -> list[str]:
        for value in values:
            try:
                date.fromisoformat(f"2024-{value}")  # a leap year, so 02-29 passes
            except ValueError:
                raise ValueError(f"{value!r} is not MM-DD") from None
        return values

    def opening_hours(self) -> dict[int, tuple[time, time]]:
        spans = {}
        for weekday, name in enumerate(_WEEKDAYS):
            match = _HOURS.match(getattr(self, name))
            if match:
                h1, m1, h2, m2 = (int(g) for g in match.groups())
                spans[weekday] = (time(h1, m1), time(h2, m2))
        return spans

    def closed_month_days(self) -> frozenset[tuple[int, int]]:
        month_days = (value.split("-") for value in self.closed_dates)  # MM-DD, validated
        return frozenset((int(month), int(day)) for month, day in month_days)


class CustomerSettings(_Section):
    """One customer of the registry (BR-19, BR-22)."""

    name: str
    domains: list[CustomerDomain]
    agreement: bool = True
    primary: OptionalMailAddress = None  # primary supporter
    secondary: OptionalMailAddress = None  # secondary supporter
    language: Literal["da", "en"] | None = None
    # Agreed hourly rates excl. VAT, e.g. {support = "995.00"}; missing kinds: list price.
    rates: dict[Literal["support", "project", "senior"], Decimal] = {}
    # Who receives the monthly report ([reports] monthly_email).
    contact: OptionalMailAddress = None


class ReportSettings(_Section):
    # On the first business day of a month, mail each customer's contact (and the
    # account manager) the report of the month before.
    monthly_email: bool = False
    account_manager: OptionalMailAddress = None


class SchedulerSettings(_Section):
    enabled: bool = True
    interval: float = Field(60, gt=0)  # seconds between passes
    reminder_minutes: int = Field(15, ge=0)  # the primary supporter is reminded before review_due
    sla_warning_minutes: int = Field(30, ge=0)  # before response_due / resolve_due
    # On-call pages (BR-10): after a page, later critical cases wait this long
    # and go out together in one follow-up page; 0: a page every pass that has any.
    page_quiet_minutes: int = Field(30, ge=0)
    # Pages that may name one sender address, or one customer, in an on-call window
    # (since closing, at most 24 hours); their further cases are recorded, not paged.
    pages_per_sender: int = Field(2, ge=1)
    pages_per_customer: int = Field(3, ge=1)


class TriageSettings(_Section):
    # Extra rules, same keys as a Rule (daemon/domain/triage/model.py); they come first.
    rules: list[dict[str, Any]] = []
    # true: only the rules above, not the built-in BR-8/BR-9 ones.
    replace_defaults: bool = False
    # Services OneOffice does not run (BR-13): a symptom that names one ("kan ikke logge
    # på Facebook") is not ours, nor critical. Regexes over the lower-cased text; the
    # list replaces the built-in one (daemon/domain/outside_services.py); [] for none.
    outside_services: list[str] = Field(default_factory=lambda: list(OUTSIDE_SERVICES))

    @field_validator("rules")
    @classmethod
    def _compilable(cls, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        from daemon.domain.triage import rules_from_config  # pure; imported late to stay light

        rules_from_config(value)  # a bad regex or key fails the start, naming the rule
        return value

    @field_validator("outside_services")
    @classmethod
    def _services_compilable(cls, value: list[str]) -> list[str]:
        from daemon.domain.triage import Rule  # pure; only when the key is set

        # The checks every rule's regexes pass (compiles, lower case, no backreference).
        Rule("outside_services", False, "normal", ("x",), outside=tuple(value)).compile_all()
        return value


class TemplateSettings(_Section):
    # The templates shipped in the package, unless the operator points at a copy.
    dir: Path = Field(default_factory=default_templates_dir)


class LoggingSettings(_Section):
    # One event per line on stderr (journald takes it as it takes stdout, which is for
    # the commands' data): "kv" (key=value) or "json".
    format: Literal["kv", "json"] = "kv"
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class MetricsSettings(_Section):
    # Prometheus /metrics and /healthz; loopback only by default (no auth on it).
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(9464, ge=0, le=65535)
    # /healthz fails when a loop has not reported progress for this long.
    stall_seconds: float = Field(300, gt=0)


class ParsingSettings(_Section):
    # The per-mail work that needs no database (MIME parse, HTML to text, reply
    # splitting) runs in these worker processes, so a slow or crashing mail never holds
    # the daemon's own threads (SIGTERM, the watchdog, the other loops).
    workers: int = Field(2, ge=1, le=64)
    # Seconds one mail may take; past it the worker is killed and the try has failed.
    timeout: float = Field(60, gt=0)
    # A worker's heap (RLIMIT_DATA): a mail whose parse needs more is kept raw as
    # rejected (MemoryError), or, if the worker dies of it, is a failed try.
    max_memory_mb: int = Field(2048, ge=256)


class WebSettings(_Section):
    # The staff console in the browser (daemon/web/): `oo-support web`, or inside `run`
    # when enabled. Loopback by default: put a TLS reverse proxy in front (README).
    enabled: bool = False
    listen: str = "127.0.0.1:8025"
    # The session cookie only over HTTPS (behind the TLS proxy): set it true there.
    secure_cookies: bool = False
    # Signs the session cookies; empty: a random key per process (sessions then end
    # at a restart, and a second console process does not share them).
    # session_secret_file names a file holding it.
    session_secret: str = Field("", repr=False)
    session_hours: float = Field(12, gt=0, le=24 * 30)
    # Failed sign-ins within login_window_minutes before more are refused (in the
    # database: every console process on it counts the same attempts).
    login_failures_per_account: int = Field(5, ge=1)
    login_failures_per_ip: int = Field(20, ge=1)
    login_window_minutes: int = Field(15, ge=1)
    # Cases per queue page.
    page_size: int = Field(100, ge=10, le=1000)
    # "Sign in with Microsoft" (OpenID Connect through MSAL) with the Entra app of
    # [oauth]; the app needs the redirect URI https://<console>/login/microsoft/callback.
    # The address must still have a console account (`staff add EMAIL --microsoft-only`).
    microsoft_sign_in: bool = False

    @field_validator("listen")
    @classmethod
    def _host_and_port(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
            raise ValueError("want HOST:PORT, e.g. 127.0.0.1:8025 or [::1]:8025")
        return value

    def host_port(self) -> tuple[str, int]:
        host, _, port = self.listen.rpartition(":")
        return host.strip("[]"), int(port)


class Settings(_Section):
    database: DatabaseSettings = DatabaseSettings()
    imap: ImapSettings | None = None
    smtp_in: SmtpInSettings = SmtpInSettings()
    smtp_out: SmtpOutSettings | None = None
    # After imap and smtp_out: its validator reads their `auth`. Validated when absent too.
    oauth: OAuthSettings | None = Field(None, validate_default=True)
    outbox: OutboxSettings = OutboxSettings()
    support: SupportSettings = SupportSettings()
    staff: StaffSettings = StaffSettings()
    templates: TemplateSettings = TemplateSettings()
    hours: HoursSettings = HoursSettings()
    customers: list[CustomerSettings] = []
    scheduler: SchedulerSettings = SchedulerSettings()
    triage: TriageSettings = TriageSettings()
    reports: ReportSettings = ReportSettings()
    logging: LoggingSettings = LoggingSettings()
    metrics: MetricsSettings = MetricsSettings()
    parsing: ParsingSettings = ParsingSettings()
    web: WebSettings = WebSettings()

    @field_validator("web")
    @classmethod
    def _web_sign_in(cls, value: WebSettings, info: ValidationInfo) -> WebSettings:
        if value.microsoft_sign_in and info.data.get("oauth") is None:
            raise PydanticCustomError(
                "oauth_missing", "microsoft_sign_in needs the Entra app of [oauth]", {}
            )
        return value

    @field_validator("imap")
    @classmethod
    def _imap_enabled(cls, value: ImapSettings | None) -> ImapSettings | None:
        # `enabled = false` means the same as leaving the section out.
        return value if value is not None and value.enabled else None

    @field_validator("oauth")
    @classmethod
    def _oauth_complete(
        cls, value: OAuthSettings | None, info: ValidationInfo
    ) -> OAuthSettings | None:
        # Fail at start, naming the key, rather than at the first sign-in.
        users = [
            name
            for name in ("imap", "smtp_out")
            if getattr(info.data.get(name), "auth", None) == "xoauth2"
        ]
        if not users:
            return value
        keys = ("tenant_id", "client_id", "client_secret")
        missing = [key for key in keys if value is None or not getattr(value, key).strip()]
        if missing:
            needed = " and ".join(f'[{name}] auth = "xoauth2"' for name in users)
            # A custom error: its text is shown as is, without pydantic's "Value error, ".
            raise PydanticCustomError(
                "oauth_incomplete",
                "{missing} missing, needed by {needed}",
                {"missing": ", ".join(missing), "needed": needed},
            )
        return value


def load_settings(
    path: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build the settings from file and environment, or raise ConfigError."""
    environ = os.environ if environ is None else environ
    path = path or environ.get(CONFIG_ENV) or None
    data: dict[str, Any] = {}
    if path is not None:
        data = _read_toml(Path(path))
    _apply_env_overrides(data, environ)
    _resolve_secret_files(data)
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path)) from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except IsADirectoryError:
        raise ConfigError(f"config file {path} is a directory, not a TOML file") from None
    except OSError as exc:  # unreadable: permissions, a broken mount
        raise ConfigError(f"config file {path} cannot be read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None


def _apply_env_overrides(data: dict[str, Any], environ: Mapping[str, str]) -> None:
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        parts = name[len(ENV_PREFIX) :].lower().split("__")
        if len(parts) != 2 or not all(parts):
            raise ConfigError(f"{name}: expected {ENV_PREFIX}<SECTION>__<KEY>")
        section, key = parts
        target = data.setdefault(section, {})
        if not isinstance(target, dict):
            raise ConfigError(f"{name}: [{section}] is not a section")
        shape = _shape_of(section, key)
        if shape is list:
            target[key] = _env_list(raw)
        elif shape is dict:
            target[key] = _env_table(raw)
        else:
            target[key] = raw


def _shape_of(section: str, key: str) -> type | None:
    """list or dict for a key that holds one (the environment gives only strings)."""
    field = _declared_field(section, key)
    origin = None if field is None else get_origin(field.annotation)
    return origin if origin in (list, dict) else None


def _env_table(raw: str) -> Any:
    """A TOML table from the environment, as JSON: `{"X-Spam-Flag": "YES"}`."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw  # validation then names the key


def _declared_field(section: str, key: str) -> FieldInfo | None:
    """The field `key` of section `section`, if the settings declare one."""
    field = Settings.model_fields.get(section)
    if field is None:
        return None
    models = [t for t in (field.annotation, *get_args(field.annotation)) if isinstance(t, type)]
    for model in models:
        if issubclass(model, BaseModel) and key in model.model_fields:
            return model.model_fields[key]
    return None


def _env_list(raw: str) -> Any:
    """A list from the environment: JSON (`["a", "b"]`) or comma-separated (`a,b`)."""
    text = raw.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return raw  # validation then names the key
    return [item.strip() for item in text.split(",") if item.strip()]


def _resolve_secret_files(data: dict[str, Any]) -> None:
    for section_name, section in data.items():
        if not isinstance(section, dict):
            continue
        # A declared `*_file` key (ca_file) is a path its setting uses, not a secret's file.
        for key in [
            k for k in section if k.endswith("_file") and _declared_field(section_name, k) is None
        ]:
            secret_key = key[: -len("_file")]
            file_path = Path(str(section.pop(key)))
            try:
                section[secret_key] = file_path.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(
                    f"{section_name}.{key}: cannot read {file_path}: {exc.strerror}"
                ) from None


# Keys whose value may be or hold a secret: a database URL carries its password.
_SECRET_KEY_WORDS = ("password", "secret", "token", "url", "key", "credential")


def _may_echo(key: str, value: object) -> bool:
    """Is `value` safe to show back in an error? Only a plain scalar of a key that
    holds no secret, and nothing that looks like a URL with a user in it."""
    if not isinstance(value, str | int | float | bool) or value is None:
        return False  # a list or section may hold a secret in any of its parts
    if any(word in key.lower() for word in _SECRET_KEY_WORDS):
        return False
    return not (isinstance(value, str) and "://" in value and "@" in value)


def _describe(exc: ValidationError, path: object) -> str:
    where = f" in {path}" if path else ""
    problems = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"])
        if error["type"] == "extra_forbidden":
            problems.append(f"{key}: unknown key")
        elif _may_echo(key, error.get("input")):
            problems.append(f"{key}: {error['msg']} (got {error.get('input')!r})")
        else:
            problems.append(f"{key}: {error['msg']}")  # never echo what may be a secret
    return f"invalid configuration{where}: " + "; ".join(problems)
