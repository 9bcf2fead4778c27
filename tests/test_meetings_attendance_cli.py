"""``dialogbot meetings attendance`` (text, CSV, XLSX) and ``dialogbot contacts invite --csv``
(one signed invitation per contact; precise errors for the files spreadsheets write)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import load_workbook

from config.settings import load_settings, with_stored_secret
from facilitation.meetings import STOCKHOLM, Invitation
from facilitation.meetings.attendance import record_answer
from facilitation.meetings.model import Rsvp, RsvpAnswer
from facilitation.pseudonym import Pseudonymizer
from storage.database import create_engine
from storage.meetings_repository import SqlMeetingStore

PROCESS = "varmland-2015"
EXAMPLE = Path(__file__).resolve().parent.parent / "config" / "meetings" / "varmland-2015.toml"
MEETING = datetime(2027, 3, 9, 10, tzinfo=STOCKHOLM)
Cli = Callable[..., tuple[int, str, str]]


def _url(tmp_path: Path) -> str:
    return load_settings(None, env={}, env_file=None, data_dir=tmp_path / "data").effective_database_url


def _answer(tmp_path: Path, contact_key: str, answer: RsvpAnswer, at: datetime) -> None:
    """An answer as a contact's button (or a signed e-mail link) records it."""

    async def run() -> None:
        engine = create_engine(_url(tmp_path))
        store = SqlMeetingStore(engine)
        try:
            [meeting] = await store.meetings()
            [contact] = [c for c in await store.contacts() if c.contact.key == contact_key]
            await record_answer(store, meeting.id, MEETING, contact.id, answer, at)
        finally:
            await engine.dispose()

    asyncio.run(run())


def test_attendance_lists_every_signatory_with_its_organisations_answer(cli: Cli, tmp_path: Path) -> None:
    assert cli("reminders", "import", str(EXAMPLE))[0] == 0
    code, out, _ = cli("meetings", "attendance", "dialogmote", "--date", "2027-03-09")
    assert code == 0
    assert "Organisationer: 0 kommer," in out and "3 har inte svarat" in out
    _answer(tmp_path, "region-anna", RsvpAnswer(Rsvp.KOMMER, 2), datetime(2027, 2, 8, 9, tzinfo=UTC))
    _answer(tmp_path, "ideburna-cilla", RsvpAnswer(Rsvp.KANSKE), datetime(2027, 2, 8, 9, tzinfo=UTC))
    note = RsvpAnswer(Rsvp.SKICKAR_ERSATTARE, 1, "=HYPERLINK(ordförandens ersättare)")
    _answer(tmp_path, "ideburna-david", note, datetime(2027, 2, 9, 9, tzinfo=UTC))  # later: it counts
    # a signatory added without a contact is listed as such
    assert cli("signatories", "add", PROCESS, "forum", "Värmlands", "idéburna", "forum")[0] == 0
    csv_path, xlsx_path = tmp_path / "osa.csv", tmp_path / "osa.xlsx"
    code, out, err = cli(
        "meetings", "attendance", f"{PROCESS}/dialogmote", "--date", "2027-03-09",
        "--csv", str(csv_path), "--xlsx", str(xlsx_path),
    )  # fmt: skip
    assert code == 0, err
    assert out.startswith(
        "Årligt dialogmöte för Överenskommelsen i Värmland, tisdag 9 mars 2027 kl. 10.00–13.00\n"
    )
    assert (
        "Organisationer: 1 kommer, 0 kanske, 1 skickar ersättare, 0 kommer inte, 2 har inte svarat, 1 utan kontaktperson. Personer som kommer (inklusive ersättare): 3."
        in out
    )
    assert "• Region Värmland: Kommer, 2 pers. (svarat av en kontakt 2027-02-08)" in out
    assert "• Idéburna organisationer i Värmland: Skickar ersättare, 1 pers., anteckning (utan namn)" in out
    assert "• Karlstads kommun: inget svar" in out
    assert "• Värmlands idéburna forum: inget svar, ingen aktiv kontaktperson" in out
    for name in ("Anna", "Cilla", "David", "Bo Berg"):
        assert name not in out
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the BOM as UTF-8
    rows = [line.split(";") for line in raw.decode("utf-8-sig").splitlines()]
    assert rows[0][:3] == ["organisation", "nyckel", "svar"]
    ideburna = next(r for r in rows if r[1] == "ideburna-varmland")
    assert ideburna[2:5] == ["Skickar ersättare", "1", "'=HYPERLINK(ordförandens ersättare)"]  # no formula
    sheet = load_workbook(io.BytesIO(xlsx_path.read_bytes())).active
    assert sheet is not None
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(cells) == 5 and cells[0][:4] == ["organisation", "nyckel", "svar", "personer"]
    assert ["Region Värmland", "region-varmland", "Kommer", 2] in [r[:4] for r in cells]
    # English on request; bad input changes nothing and says what is wrong
    assert (
        "Region Värmland: Coming, 2 pers."
        in cli("meetings", "attendance", "dialogmote", "--date", "2027-03-09", "--language", "en")[1]
    )
    code, _, err = cli("meetings", "attendance", "nosuch")
    assert code == 2 and "no meeting 'nosuch'" in err
    code, _, err = cli("meetings", "attendance", "dialogmote", "--date", "2027-03-10")
    assert code == 2 and "no occurrence on 2027-03-10" in err
    code, _, err = cli("meetings", "attendance", "dialogmote", "--date", "9/3")
    assert code == 2 and "not a date" in err


def _secret_signer(tmp_path: Path) -> Pseudonymizer:
    settings = load_settings(None, env={}, env_file=None, data_dir=tmp_path / "data")
    return Pseudonymizer(with_stored_secret(settings).secret)


def test_bulk_invitations_from_a_swedish_excel_file(cli: Cli, tmp_path: Path) -> None:
    assert cli("reminders", "import", str(EXAMPLE))[0] == 0
    # Swedish Excel: Windows-1252, semicolons, Swedish headers, a blank line, CRLF
    path = tmp_path / "kontakter.csv"
    path.write_bytes(
        "Undertecknare;E-post;Namn\r\nregion-varmland;anna@region.se;Anna Å\r\n\r\n"
        "karlstads-kommun;bo.berg@karlstad.se;\r\nideburna-varmland;cilla@ideburna.se;Cilla\r\n".encode(
            "cp1252"
        )
    )
    out_path = tmp_path / "inbjudningar.csv"
    code, out, err = cli(
        "contacts", "invite", "--csv", str(path), "--process", PROCESS, "--out", str(out_path),
        "--telegram-bot", "dialogbot",
    )  # fmt: skip
    assert code == 0, err
    assert "3 invitation(s) written to" in out and "e-mail is not set up" in out
    rows = [line.split(";") for line in out_path.read_bytes().decode("utf-8-sig").splitlines()]
    assert rows[0] == [
        "process", "signatory", "organisation", "email", "name", "code", "command", "expires", "telegram_link",
    ]  # fmt: skip
    assert [r[1] for r in rows[1:]] == ["region-varmland", "karlstads-kommun", "ideburna-varmland"]
    assert rows[1][3:5] == ["anna@region.se", "Anna Å"]
    signer = _secret_signer(tmp_path)
    for row in rows[1:]:
        invitation, signature = Invitation.read(row[5])
        invitation.verify(signature, signer, f"{PROCESS}/{row[1]}", datetime.now(UTC))  # genuine
        assert row[6] == f"/kontakt {row[5]}" and row[8] == f"https://t.me/dialogbot?start=k-{row[5]}"

    # UTF-8 with a BOM and commas, the process as a column, printed to stdout
    path.write_bytes("\ufeffsignatory,email,process\nregion-varmland,eva@region.se,varmland-2015\n".encode())
    code, out, err = cli("contacts", "invite", "--csv", str(path))
    assert code == 0, err
    assert out.splitlines()[1].startswith("varmland-2015;region-varmland;Region Värmland;eva@region.se;")


def test_bad_invitation_files_get_precise_errors_and_nothing_is_issued(cli: Cli, tmp_path: Path) -> None:
    assert cli("reminders", "import", str(EXAMPLE))[0] == 0
    path = tmp_path / "bad.csv"

    def refused(content: str, *extra: str) -> str:
        path.write_bytes(content.encode("utf-8"))
        code, out, err = cli("contacts", "invite", "--csv", str(path), *extra)
        assert code == 2 and out == "", (out, err)
        return err

    assert "missing column(s) email" in refused(
        "signatory;namn\nregion-varmland;Anna\n", "--process", PROCESS
    )
    assert "give --process" in refused("signatory;email\nregion-varmland;a@b.se\n")
    err = refused(
        "signatory;email\nregion-varmland;anna(at)region.se\nNo Such;x@y.se\nregion-varmland;\n"
        "karlstads-kommun;bo@k.se\nkarlstads-kommun;BO@k.se\nokand;o@k.se\n",
        "--process",
        PROCESS,
    )
    assert "line 2: 'anna(at)region.se' is not an e-mail address" in err
    assert "line 3: the signatory 'No Such' must be lower-case" in err
    assert "line 4: the e-mail address is empty" in err
    assert "line 6: the same signatory and address as line 5" in err
    assert "line 7: no active signatory 'okand'" in err  # the store's problems in the same answer
    err = refused("signatory;email\nregion-varmland;a@b.se\nokand;c@d.se\n", "--process", PROCESS)
    assert "line 3: no active signatory 'okand' in process 'varmland-2015'" in err
    assert "the file is empty" in refused("\n\n", "--process", PROCESS)
    assert "names no contacts" in refused("signatory;email\n", "--process", PROCESS)
    code, _, err = cli("contacts", "invite", "--csv", str(tmp_path / "missing.csv"))
    assert code == 2 and "no such file" in err
