"""The client TLS context (daemon/tls.py) and the ca_file settings that feed it."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
import trustme

from daemon.settings import ConfigError, load_settings
from daemon.tls import TlsError, client_context


def write_ca(tmp_path: Path) -> Path:
    path = tmp_path / "company-ca.pem"
    trustme.CA(organization_name="OneOffice Test CA").cert_pem.write_to_path(str(path))
    return path


def test_default_context_verifies_certificate_and_host_name() -> None:
    context = client_context(None)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2


def test_ca_file_is_the_only_trust_for_that_server(tmp_path: Path) -> None:
    context = client_context(write_ca(tmp_path))
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True
    [ca] = context.get_ca_certs()  # the company CA, and not the system store beside it
    assert ("organizationName", "OneOffice Test CA") in [rdn[0] for rdn in ca["subject"]]


def test_a_ca_file_without_a_certificate_is_a_clear_error(tmp_path: Path) -> None:
    bundle = tmp_path / "empty.pem"
    bundle.write_text("not a certificate\n")
    with pytest.raises(TlsError, match=f"cannot load ca_file {bundle}: "):
        client_context(bundle)


@pytest.mark.parametrize("section", ["imap", "smtp_out"])
def test_ca_file_is_a_path_not_a_secret_to_read(tmp_path: Path, section: str) -> None:
    # Other `*_file` keys name a file holding a secret; ca_file is a setting of its own.
    ca = write_ca(tmp_path)
    config = tmp_path / "oo.toml"
    config.write_text(f'[{section}]\nca_file = "{ca}"\n')
    assert getattr(load_settings(config, environ={}), section).ca_file == ca

    environ = {f"OO_SUPPORT__{section.upper()}__CA_FILE": str(ca)}
    assert getattr(load_settings(None, environ=environ), section).ca_file == ca


def test_ca_file_defaults_to_the_system_store() -> None:
    settings = load_settings(
        None,
        environ={
            "OO_SUPPORT__IMAP__HOST": "imap.oo.dk",
            "OO_SUPPORT__SMTP_OUT__HOST": "smtp.oo.dk",
        },
    )
    assert settings.imap is not None and settings.imap.ca_file is None
    assert settings.smtp_out is not None and settings.smtp_out.ca_file is None


def test_missing_ca_file_stops_the_start_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "oo.toml"
    config.write_text('[smtp_out]\nca_file = "/nonexistent/ca.pem"\n')
    with pytest.raises(ConfigError, match=r"smtp_out\.ca_file: .*/nonexistent/ca\.pem"):
        load_settings(config, environ={})
