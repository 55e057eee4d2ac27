"""Configuration as INTERFACE.md fixes it: TOML, env overrides, *_file secrets, clear errors."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from daemon.domain.business_calendar import BusinessCalendar
from daemon.domain.outside_services import OUTSIDE_SERVICES
from daemon.settings import ConfigError, load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "oo.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_embedded_defaults_need_no_file() -> None:
    settings = load_settings(environ={})
    assert settings.database.url.startswith("sqlite:///./var/")
    assert (settings.smtp_in.host, settings.smtp_in.port) == ("127.0.0.1", 2525)
    assert settings.imap is None
    assert settings.smtp_out is None  # -> pickup dir
    assert str(settings.outbox.pickup_dir) == "var/outbox"


def test_file_named_by_environment_variable(tmp_path: Path) -> None:
    path = write(tmp_path, '[database]\nurl = "postgresql+psycopg://u@h/db"\n')
    settings = load_settings(environ={"OO_SUPPORT_CONFIG": str(path)})
    assert settings.database.url == "postgresql+psycopg://u@h/db"


def test_explicit_path_wins_over_environment(tmp_path: Path) -> None:
    path = write(tmp_path, "[smtp_in]\nport = 2600\n")
    settings = load_settings(path, environ={"OO_SUPPORT_CONFIG": "/nonexistent.toml"})
    assert settings.smtp_in.port == 2600


def test_environment_overrides_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[imap]\nhost = "mail.example"\nport = 993\n')
    settings = load_settings(
        path,
        environ={
            "OO_SUPPORT__IMAP__PORT": "143",
            "OO_SUPPORT__STAFF__DOMAINS": "oo.dk, oneoffice.dk",
            "OO_SUPPORT__IMAP__PASSWORD": "a,b",  # a comma in a secret stays a string
        },
    )
    assert settings.imap is not None
    assert settings.imap.host == "mail.example"
    assert settings.imap.port == 143
    assert settings.imap.password == "a,b"
    assert settings.staff.domains == ["oo.dk", "oneoffice.dk"]


def test_secret_from_file(tmp_path: Path) -> None:
    secret = tmp_path / "imap-password"
    secret.write_text("s3cret\n", encoding="utf-8")
    path = write(tmp_path, f'[imap]\npassword_file = "{secret}"\n')
    settings = load_settings(path, environ={})
    assert settings.imap is not None and settings.imap.password == "s3cret"


def test_disabled_imap_is_no_imap(tmp_path: Path) -> None:
    path = write(tmp_path, "[imap]\nenabled = false\n")
    assert load_settings(path, environ={}).imap is None


@pytest.mark.parametrize(
    ("text", "env", "named"),
    [
        ("[imap]\nport = \"abc\"\n", {}, "imap.port"),
        ("[imap]\nsecurity = \"tls\"\n", {}, "imap.security"),
        ("[smtp_in]\nprot = 25\n", {}, "smtp_in.prot: unknown key"),
        ("", {"OO_SUPPORT__DATABASE__URLL": "x"}, "database.urll: unknown key"),
        ("[imap]\npassword_file = \"/nonexistent/secret\"\n", {}, "imap.password_file"),
    ],
)
def test_bad_configuration_names_the_key(
    tmp_path: Path, text: str, env: dict[str, str], named: str
) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(write(tmp_path, text), environ=env)
    assert named in str(error.value)


def test_invalid_toml_and_missing_file_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path, "[imap\n"), environ={})
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "missing.toml", environ={})


def test_secrets_are_never_echoed_in_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "[imap]\npassword = 12345\n")  # wrong type: int
    with pytest.raises(ConfigError) as error:
        load_settings(path, environ={})
    assert "imap.password" in str(error.value)
    assert "12345" not in str(error.value)


def test_example_configs_are_valid(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2] / "config"
    examples = sorted(root.glob("*.toml"))
    assert {p.name for p in examples} >= {"production.toml", "development.toml"}
    secret = tmp_path / "secret"
    secret.write_text("x", encoding="utf-8")
    # The production example names secret files that exist only on the server.
    env = {f"OO_SUPPORT__{s}__PASSWORD_FILE": str(secret) for s in ("IMAP", "SMTP_OUT")}
    production = load_settings(root / "production.toml", environ=env)
    assert production.imap is not None and production.smtp_out is not None
    assert production.database.url.startswith("postgresql+psycopg://")
    development = load_settings(root / "development.toml", environ={})
    assert development.smtp_in.enabled and development.imap is None


def test_triage_rule_with_bad_regex_is_refused_at_start(tmp_path: Path) -> None:
    path = write(tmp_path, '[triage]\nrules = [{name = "mine", critical = true, '
                           'priority = "high", patterns = ["(unclosed"]}]\n')
    with pytest.raises(ConfigError) as error:
        load_settings(path, environ={})
    assert "triage.rules" in str(error.value) and "mine" in str(error.value)


def test_outside_services_default_set_by_file_or_environment_and_checked(
    tmp_path: Path,
) -> None:
    """[triage] outside_services: the services we do not run (BR-13), the built-in list
    unless the file or OO_SUPPORT__TRIAGE__OUTSIDE_SERVICES replaces it."""
    assert load_settings(environ={}).triage.outside_services == list(OUTSIDE_SERVICES)
    path = write(tmp_path, '[triage]\noutside_services = ["\\\\be-?conomic\\\\b"]\n')
    assert load_settings(path, environ={}).triage.outside_services == [r"\be-?conomic\b"]
    by_env = {"OO_SUPPORT__TRIAGE__OUTSIDE_SERVICES": r'["\\bdinero\\b", "x{1,2}"]'}
    assert load_settings(path, environ=by_env).triage.outside_services == [r"\bdinero\b",
                                                                            "x{1,2}"]
    listed = {"OO_SUPPORT__TRIAGE__OUTSIDE_SERVICES": "dinero, e-conomic"}
    assert load_settings(environ=listed).triage.outside_services == ["dinero", "e-conomic"]
    assert load_settings(environ={"OO_SUPPORT__TRIAGE__OUTSIDE_SERVICES": "[]"}).triage \
        .outside_services == []
    for bad, why in [("(unclosed", "bad regex"), ("Facebook", "upper case")]:
        with pytest.raises(ConfigError) as error:
            load_settings(environ={"OO_SUPPORT__TRIAGE__OUTSIDE_SERVICES": f'["{bad}"]'})
        assert "triage.outside_services" in str(error.value) and why in str(error.value)


def test_hours_are_validated(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="hours.friday"):
        load_settings(write(tmp_path, '[hours]\nfriday = "8-15"\n'), environ={})
    settings = load_settings(write(tmp_path, '[hours]\nfriday = "08:00-14:00"\n'), environ={})
    assert settings.hours.opening_hours()[4][1].hour == 14


SECRET = "Hemmelig-7a1f"


@pytest.mark.parametrize(
    "toml",
    [
        # Every key that can hold a secret, given with a wrong type or value.
        f'[database]\nurl = ["postgresql+psycopg://u:{SECRET}@db/oo"]\n',
        f'[database]\nurl = {{ dsn = "postgresql+psycopg://u:{SECRET}@db/oo" }}\n',
        f'[imap]\npassword = ["{SECRET}"]\n',
        f'[imap]\npassword = {{ value = "{SECRET}" }}\n',
        f'[smtp_out]\nhost = "relay"\npassword = ["{SECRET}"]\n',
        f'[oauth]\nclient_secret = ["{SECRET}"]\n',
        # A secret pasted into the wrong key.
        f'[imap]\nport = "{SECRET}@x://"\n',
        f'[imap]\nhost = ["postgresql://u:{SECRET}@db"]\n',
        f'[smtp_in]\nport = "postgresql://u:{SECRET}@db"\n',
    ],
)
def test_no_error_message_echoes_a_secret(tmp_path: Path, toml: str) -> None:
    path = write(tmp_path, toml)
    with pytest.raises(ConfigError) as error:
        load_settings(path, environ={})
    assert SECRET not in str(error.value)
    # The same through the environment (where the value as a string is wrong too).
    section, rest = toml.split("]\n", 1)
    key, value = rest.strip().splitlines()[-1].split(" = ", 1)
    name = f"OO_SUPPORT__{section.strip('[').upper()}__{key.upper()}"
    try:
        load_settings(None, environ={name: value})
    except ConfigError as exc:
        assert SECRET not in str(exc)


def test_smtp_auth_users_need_a_hash_and_a_loopback_listener(tmp_path: Path) -> None:
    from daemon.passwords import hash_password

    user = f'{{ login = "tina@oo.dk", password_hash = "{hash_password("kode")}" }}'
    settings = load_settings(write(tmp_path, f"[smtp_in]\nusers = [{user}]\n"), environ={})
    assert [u.login for u in settings.smtp_in.users] == ["tina@oo.dk"]
    assert "kode" not in repr(settings.smtp_in) and "scrypt" not in repr(settings.smtp_in)
    exposed = write(tmp_path, f'[smtp_in]\nhost = "0.0.0.0"\nusers = [{user}]\n')
    with pytest.raises(ConfigError, match="smtp_in.*loopback"):
        load_settings(exposed, environ={})
    plain = write(tmp_path, '[smtp_in]\nusers = [{ login = "t@oo.dk", password_hash = "kode" }]\n')
    with pytest.raises(ConfigError, match="smtp_in.users.0.password_hash") as refused:
        load_settings(plain, environ={})
    assert "kode" not in str(refused.value).replace("password_hash", "")


def test_default_hours_are_the_business_calendars() -> None:
    # BR-4/BR-5: the config's defaults and the calendar's are one definition.
    settings = load_settings(None, environ={})
    default = BusinessCalendar()
    assert settings.hours.opening_hours() == dict(default.hours)
    assert settings.hours.closed_month_days() == default.closed_dates
    assert settings.hours.holiday_country == default.holiday_country
    assert settings.support.timezone == default.timezone


# A new operator's slips: each is refused at load, in one line naming the key, instead
# of a traceback (or a silent mismatch) at the first command that uses the value.
@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ('[database]\nurl = "nonsense"\n', "database.url"),
        ('[database]\nurl = ""\n', "database.url"),
        ('[database]\nurl = "mysql://u@h/db"\n', "database.url"),
        ('[database]\nurl = "postgresql+psycopg2://u@h/db"\n', "database.url"),
        ('[database]\nurl = "postgresql+asyncpg://u@h/db"\n', "database.url"),
        ('[database]\nurl = "postgres://u@h/db"\n', "database.url"),
        ('[support]\ntimezone = "Mars/Olympus"\n', "support.timezone"),
        ('[support]\ntimezone = "europe/copenhagen "\n', "support.timezone"),
        ('[hours]\nholiday_country = "XX"\n', "hours.holiday_country"),
        ('[hours]\nmonday = "25:00-26:00"\n', "hours.monday"),
        ('[hours]\nmonday = "16:00-08:00"\n', "hours.monday"),
        ('[hours]\nmonday = "08:00-08:00"\n', "hours.monday"),
        (
            '[hours]\nmonday = ""\ntuesday = ""\nwednesday = ""\nthursday = ""\n'
            'friday = ""\nsaturday = ""\nsunday = ""\n',
            "hours",
        ),
        ('[support]\naddress = "support"\n', "support.address"),
        ('[support]\noncall_address = "vagt@"\n', "support.oncall_address"),
        ('[support]\nmessage_id_domain = "support@oo.dk"\n', "support.message_id_domain"),
        ('[staff]\ndomains = ["@oo.dk"]\n', "staff.domains.0"),
        ('[staff]\ndomains = ["oo dk"]\n', "staff.domains.0"),
        ('[staff]\nteam_lead = "teamleder"\n', "staff.team_lead"),
        ('[staff]\naddresses = ["konsulent"]\n', "staff.addresses.0"),
        ('[reports]\naccount_manager = "salg"\n', "reports.account_manager"),
        ('[[customers]]\nname = "X"\ndomains = ["https://x.dk"]\n', "customers.0.domains.0"),
        ('[[customers]]\nname = "X"\ndomains = ["x.dk"]\nprimary = "tina"\n',
         "customers.0.primary"),
        ('[[customers]]\nname = "X"\ndomains = ["x.dk"]\ncontact = "it at x.dk"\n',
         "customers.0.contact"),
    ],
)
def test_unusable_values_are_refused_naming_the_key(tmp_path: Path, toml: str, key: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(write(tmp_path, toml), environ={})
    message = str(error.value)
    assert f"{key}:" in message, message
    assert "\n" not in message


def test_usable_addresses_domains_and_zones_pass(tmp_path: Path) -> None:
    settings = load_settings(
        write(
            tmp_path,
            '[database]\nurl = "postgresql://u@h/db"\n'
            '[support]\naddress = "support@oo.dk"\ntimezone = "UTC"\n'
            '[hours]\nholiday_country = "SE"\nsaturday = "9:00-12:00"\n'
            '[staff]\ndomains = ["OO.dk", "blåbær.dk", "xn--blbr-roa3f.dk", "oo-it.dk"]\n'
            'addresses = ["Konsulent.Name+x@partner.example.com"]\n'
            '[[customers]]\nname = "X"\ndomains = [" x.dk "]\nprimary = "tina@oo.dk"\n',
        ),
        environ={},
    )
    assert settings.staff.domains == ["oo.dk", "blåbær.dk", "xn--blbr-roa3f.dk", "oo-it.dk"]
    assert settings.customers[0].domains == ["x.dk"]  # matched against lower-case mail
    assert settings.staff.addresses == ["Konsulent.Name+x@partner.example.com"]
    assert load_settings(environ={}).database.url.startswith("sqlite:///")
    for url in ("postgresql+psycopg://u@h/db", "sqlite+pysqlite:///x.db", "sqlite://"):
        assert load_settings(environ={"OO_SUPPORT__DATABASE__URL": url}).database.url == url


def test_every_key_can_be_set_from_the_environment_tables_and_blanks_too() -> None:
    # INTERFACE.md: every key can be overridden by OO_SUPPORT__<SECTION>__<KEY>; a table
    # is written as JSON (as a list may be), and "" leaves an optional value unset, as
    # it does in the file (TOML has no null).
    settings = load_settings(environ={
        "OO_SUPPORT__SUPPORT__SPAM_VERDICT_HEADERS": '{"X-Spam": "yes"}',
        "OO_SUPPORT__REPORTS__ACCOUNT_MANAGER": "",
        "OO_SUPPORT__HOURS__HOLIDAY_COUNTRY": "",
    })
    assert settings.support.spam_verdict_headers == {"X-Spam": "yes"}
    assert settings.reports.account_manager is None
    assert settings.hours.holiday_country is None
    with pytest.raises(ConfigError, match="support.spam_verdict_headers"):
        load_settings(environ={"OO_SUPPORT__SUPPORT__SPAM_VERDICT_HEADERS": "X-Spam=yes"})


def test_blank_optional_values_in_the_file_are_unset(tmp_path: Path) -> None:
    settings = load_settings(
        write(tmp_path, '[reports]\naccount_manager = ""\n[hours]\nholiday_country = ""\n'
                        '[[customers]]\nname = "X"\ndomains = ["x.dk"]\nprimary = ""\n'
                        'contact = " "\n'),
        environ={},
    )
    assert settings.reports.account_manager is None
    assert settings.hours.holiday_country is None
    assert (settings.customers[0].primary, settings.customers[0].contact) == (None, None)
    calendar = BusinessCalendar(holiday_country=settings.hours.holiday_country)
    assert calendar.is_open(datetime(2026, 12, 25, 10, 0, tzinfo=UTC))  # no holidays


def test_a_customer_domain_is_read_in_one_spelling(tmp_path: Path) -> None:
    """redteam25a: `domains = ["@kunde.dk"]` (as in an address) matched no sender, and
    every case of the customer was "no agreement" (BR-22), with no word from check-config."""
    path = write(tmp_path, '[[customers]]\nname = "K"\n'
                 'domains = ["@Kunde.dk", " firma.dk. ", "xn--blbr-roah.dk"]\n')
    [customer] = load_settings(path, environ={}).customers
    assert customer.domains == ["kunde.dk", "firma.dk", "blåbær.dk"]


@pytest.mark.parametrize("written", ["", "kunde dk", "bo@kunde.dk", "kunde", "https://kunde.dk"])
def test_a_customer_domain_that_is_no_domain_is_refused(tmp_path: Path, written: str) -> None:
    path = write(tmp_path, f'[[customers]]\nname = "K"\ndomains = ["{written}"]\n')
    with pytest.raises(ConfigError, match=r"customers\.0\.domains\.0:"):
        load_settings(path, environ={})

def test_a_domain_written_with_the_roots_dot_is_the_domain(tmp_path: Path) -> None:
    # "oo.dk." (as a zone file writes it) loaded before the domains were checked, and the
    # staff domains were compared without the dot; it is the same domain, not a slip.
    settings = load_settings(
        write(tmp_path, '[staff]\ndomains = ["oo.dk."]\n'
                        '[[customers]]\nname = "X"\ndomains = ["X.dk."]\n'),
        environ={},
    )
    assert settings.staff.domains == ["oo.dk"]
    assert settings.customers[0].domains == ["x.dk"]  # as mail's domain is matched
    with pytest.raises(ConfigError, match="staff.domains.0"):
        load_settings(write(tmp_path, '[staff]\ndomains = ["oo.dk.."]\n'), environ={})


def test_a_staff_role_left_blank_is_nobody(tmp_path: Path) -> None:
    # A team with no team lead writes team_lead = "": it loaded, and its alerts went to
    # the roles that name someone; a slip that is no address is still refused.
    from types import SimpleNamespace

    from daemon.alert_queue import recipients_of

    settings = load_settings(
        write(tmp_path, '[staff]\nteam_lead = ""\nteam = " "\nprimary = "tina@oo.dk"\n'),
        environ={},
    )
    row = SimpleNamespace(primary_supporter=None, secondary_supporter=None, assignee=None)
    assert recipients_of(row, ["primary", "team_lead", "team"], settings) == ["tina@oo.dk"]
    assert load_settings(environ={"OO_SUPPORT__STAFF__TEAM_LEAD": ""}).staff.team_lead == ""
    with pytest.raises(ConfigError, match="staff.team_lead"):
        load_settings(environ={"OO_SUPPORT__STAFF__TEAM_LEAD": "teamleder"})
