"""Bulk invitations by e-mail: ``dialogbot contacts invite --csv FILE`` with the ``smtp_*``
settings sends each invitation through the real SMTP client (aiosmtplib, the EmailPort's code)
to the loopback SMTP server (aiosmtpd, login): Swedish or English, the Telegram link and code and
how to use the code in Slack; a 4xx retried, a 5xx and a lasting 4xx reported by line, never the
address.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from config.settings import load_settings, with_stored_secret
from facilitation.meetings import Invitation
from facilitation.pseudonym import Pseudonymizer
from tests.standins.smtp_server import PASSWORD, USER, SmtpStandIn

PROCESS = "varmland-2015"
EXAMPLE = Path(__file__).resolve().parent.parent / "config" / "meetings" / "varmland-2015.toml"
SENDER = "dialogbot@region.example.se"
Cli = Callable[..., tuple[int, str, str]]
ANNA, BO, CILLA, ERIK = "anna@region.se", "bo.berg@karlstad.se", "cilla@ideburna.se", "erik@region.se"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpStandIn]:
    """A plain loopback server with a login (as the settings allow for 127.0.0.1 only)."""
    with SmtpStandIn("none") as server:
        for key, value in {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(server.port),
            "SMTP_SECURITY": "none",
            "SMTP_USER": USER,
            "SMTP_PASSWORD": PASSWORD,
            "SMTP_FROM": SENDER,
            "SMTP_RATE": "50",
        }.items():
            monkeypatch.setenv(f"DIALOGBOT_{key}", value)
        yield server


def _codes(out_path: Path) -> dict[str, str]:
    """email → code, from the list the command wrote."""
    rows = [line.split(";") for line in out_path.read_bytes().decode("utf-8-sig").splitlines()]
    return {r[3]: r[5] for r in rows[1:]}


def _signer(tmp_path: Path) -> Pseudonymizer:
    settings = load_settings(None, env={}, env_file=None, data_dir=tmp_path / "data")
    return Pseudonymizer(with_stored_secret(settings).secret)


def test_invitations_are_mailed_and_refusals_reported_by_line(
    cli: Cli, tmp_path: Path, smtp: SmtpStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    assert cli("reminders", "import", str(EXAMPLE))[0] == 0
    path = tmp_path / "kontakter.csv"
    path.write_text(
        "undertecknare;e-post;namn\n"
        f"region-varmland;{ANNA};Anna Å\n"
        f"karlstads-kommun;{BO};Bo\n"
        f"ideburna-varmland;{CILLA};\n"
        f"region-varmland;{ERIK};Erik\n",
        encoding="utf-8",
    )
    # Anna's server is busy once (retried), Bo's address does not exist (550), Cilla's keeps
    # answering "try later" beyond the retries (451 × 4).
    smtp.handler.faults = {ANNA: ["450"], BO: ["550"], CILLA: ["451"] * 4}
    out_path = tmp_path / "inbjudningar.csv"
    caplog.set_level(logging.DEBUG)
    code, out, err = cli(
        "contacts", "invite", "--csv", str(path), "--process", PROCESS, "--out", str(out_path),
        "--telegram-bot", "dialogbot",
    )  # fmt: skip
    assert code == 1, (out, err)
    assert "4 invitation(s) written to" in out and "2 sent by e-mail, 2 problem(s):" in out
    assert "line 3: the mail server refused it for good (check the address in the file); not sent" in out
    assert "line 4: the mail server still answered 'try again later'; not sent" in out
    # ours (the stand-in server's own "mail.log" lines quote the envelope, as a real server's do)
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
    assert "e-mail: a message failed 4 times (SMTP 451 (message))" in logged
    for address in (ANNA, BO, CILLA, ERIK):
        local_part = address.partition("@")[0]
        assert local_part not in out and local_part not in err and local_part not in logged
    assert smtp.handler.refused == {"450": 1, "550": 1, "451": 4}
    assert smtp.recipients() == {ANNA: 1, ERIK: 1}

    codes = _codes(out_path)
    signer = _signer(tmp_path)
    anna = next(r.message for r in smtp.received if r.to == ANNA)
    assert anna["From"] == f"Dialogbot <{SENDER}>" and anna["To"] == ANNA
    assert anna["Subject"] == "Inbjudan: bli kontaktperson för Region Värmland"
    text = anna.get_body(("plain",)).get_content()
    code_ = codes[ANNA]
    invitation, signature = Invitation.read(code_)
    invitation.verify(signature, signer, f"{PROCESS}/region-varmland", datetime.now(UTC))
    assert text.startswith("Hej Anna Å!")
    assert f"Telegram: öppna länken https://t.me/dialogbot?start=k-{code_} och tryck på Starta." in text
    assert f"Eller skriv /kontakt {code_} till boten i ett privat samtal." in text
    assert f"Slack: skriv /dialog kontakt {code_} i ett direktmeddelande till boten" in text
    assert "Koden gäller till 20" in text and "Region Värmland" in text


def test_invitations_in_english_without_a_telegram_link(cli: Cli, tmp_path: Path, smtp: SmtpStandIn) -> None:
    assert cli("reminders", "import", str(EXAMPLE))[0] == 0
    path = tmp_path / "contacts.csv"
    path.write_text(f"signatory,email\nkarlstads-kommun,{BO}\n", encoding="utf-8")
    out_path = tmp_path / "invitations.csv"
    code, out, err = cli(
        "contacts", "invite", "--csv", str(path), "--process", PROCESS, "--out", str(out_path),
        "--language", "en",
    )  # fmt: skip
    assert code == 0, err
    assert "1 invitation(s) written to" in out and "1 sent by e-mail" in out and "problem" not in out
    (received,) = smtp.received
    message = received.message
    assert message["Subject"] == "Invitation: become the contact person of Karlstads kommun"
    text = message.get_body(("plain",)).get_content()
    code_ = _codes(out_path)[BO]
    assert text.startswith("Hello,")
    assert f"Telegram: send /contact {code_} to the bot in a private chat." in text
    assert f"Slack: type /dialog contact {code_} in a direct message to the bot" in text
    assert "t.me" not in text and "The code is valid until 20" in text
