"""`fremdrift round import` and `round export` as an admin runs them, on the real KOL file.

Sync tests through Typer's runner: each command opens and closes the database itself. The
programme comes from programmes/kol-2018.yaml, so seed 000's import file is also checked
against the programme as shipped (its milestone codes and unit keys).
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from tortoise import Tortoise, connections
from typer.testing import CliRunner

from bot.cli import app
from bot.settings import get_settings
from models.db import close_db, is_postgres, open_db
from tests.matrix_support import SEED000_CSV

KOL = Path(__file__).parent.parent / "programmes" / "kol-2018.yaml"
IMPORTS = Path(__file__).parent / "fixtures" / "imports"


async def _empty_postgres(url: str) -> None:
    await open_db(url)
    try:
        tables = [m._meta.db_table for a in Tortoise.apps.values() for m in a.values()]
        quoted = ", ".join(f'"{table}"' for table in tables)
        await connections.get("default").execute_script(
            f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"
        )
    finally:
        await close_db()


@pytest.fixture
def kol(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty database of its own with the KOL programme loaded; Danish."""
    url = os.environ.get("DATABASE_URL", "")
    if is_postgres(url):
        asyncio.run(_empty_postgres(url))
    else:
        url = f"sqlite://{tmp_path / 'cli.sqlite3'}"
    for name, value in {
        "DATABASE_URL": url,
        "FREMDRIFT_DATA_DIR": str(tmp_path),
        "FREMDRIFT_LANGUAGE": "da",
        "COLUMNS": "200",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    assert run("db", "migrate")[0] == 0
    assert run("programme", "load", str(KOL))[0] == 0
    yield tmp_path
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def import_seed000(name: str = "12. møde, 20. juni 2018") -> tuple[int, str, str]:
    return run("round", "import", "--programme", "kol-2018", "--name", name, str(SEED000_CSV))


def test_import_then_export_every_format(kol: Path) -> None:
    code, out, err = import_seed000()
    assert (code, err) == (0, "")
    assert (
        out.strip() == "Runden «12. møde, 20. juni 2018» er importeret med 160 svar og er lukket."
    )

    code, out, _ = run(
        "round", "export", "--programme", "kol-2018", "--format", "csv", "--output", "-"
    )
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0] == (  # KOL's file asks seed 001's sub-milestones and ready too
        "milestone,unit,progress,delay,critical,forecast,remark,text,colour,source,"
        "sub_milestones,ready"
    )
    assert len(lines) == 1 + 160 + 2  # the matrix, then Syddanmark's own items SYD-1, SYD-2
    assert "6.3,syddanmark,none,0,no,,,Intet angivet,none,unit,," in lines
    assert lines[-2].startswith("SYD-1,syddanmark,")

    code, out, _ = run(
        "round",
        "export",
        "--programme",
        "kol-2018",
        "--round",
        "12. møde, 20. juni 2018",
        "--format",
        "json",
        "--output",
        "-",
    )
    assert code == 0
    data = json.loads(out)
    assert len(data["cells"]) == 162 and data["round"]["imported"] is True
    assert [c["milestone"] for c in data["cells"] if c["local"]] == ["SYD-1", "SYD-2"]
    assert [item["code"] for item in data["local_items"]] == ["SYD-1", "SYD-2"]

    for fmt, magic in (("pdf", b"%PDF"), ("xlsx", b"PK")):
        target = kol / f"out.{fmt}"
        code, out, _ = run(
            "round", "export", "--programme", "kol-2018", "--format", fmt, "--output", str(target)
        )
        assert code == 0, out
        assert target.read_bytes().startswith(magic)
        assert str(target) in out

    one = kol / "syd.pdf"
    code, _, _ = run(
        "round",
        "export",
        "--programme",
        "kol-2018",
        "--format",
        "sheet",
        "--unit",
        "syddanmark",
        "--output",
        str(one),
    )
    assert code == 0 and one.read_bytes().startswith(b"%PDF")
    folder = kol / "sheets"
    code, _, _ = run(
        "round", "export", "--programme", "kol-2018", "--format", "sheet", "--output", str(folder)
    )
    assert code == 0
    assert sorted(p.name for p in folder.iterdir()) == [
        "hovedstaden.pdf",
        "midtjylland.pdf",
        "nordjylland.pdf",
        "sjaelland.pdf",
        "syddanmark.pdf",
    ]


def test_a_bad_import_is_one_message_per_mistake_and_stores_nothing(kol: Path) -> None:
    code, out, err = run(
        "round",
        "import",
        "--programme",
        "kol-2018",
        "--name",
        "x",
        str(IMPORTS / "several_mistakes.csv"),
    )
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert lines == [
        "Række 3, felt «progress»: «soon» er ikke en fremdrift; brug reached, started, "
        "expected eller none, eller ordene fra matrixen, fx «Milepæl nået» eller «Igangsat».",
        "Række 3, felt «critical»: «maybe» er hverken ja eller nej (yes eller no).",
        "Række 4, felt «unit»: programmet har ingen enhed «bornholm» "
        "(brug en enheds nøgle eller * for alle).",
        "Fejl: Intet er gemt. Ret 3 fejl i filen og prøv igen.",
    ]
    code, _, err = run(
        "round", "export", "--programme", "kol-2018", "--format", "csv", "--output", "-"
    )
    assert code == 1
    assert err.strip() == "Fejl: Programmet «kol-2018» har endnu ingen runder."


def test_export_refuses_what_it_cannot_do_in_one_line(kol: Path) -> None:
    assert import_seed000()[0] == 0
    cases = [
        (
            ["--programme", "nope", "--format", "csv", "--output", "-"],
            "Fejl: Der er intet program med nøglen «nope».",
        ),
        (
            ["--programme", "kol-2018", "--format", "pdf", "--output", "-"],
            "Fejl: pdf kan ikke skrives til standard output; angiv en fil med --output.",
        ),
        (
            ["--programme", "kol-2018", "--round", "99. møde", "--format", "csv", "--output", "-"],
            "Fejl: Programmet «kol-2018» har ingen runde, der hedder «99. møde».",
        ),
        (
            [
                "--programme",
                "kol-2018",
                "--format",
                "sheet",
                "--unit",
                "bornholm",
                "--output",
                str(kol / "x.pdf"),
            ],
            "Fejl: Programmet «kol-2018» har ingen enhed med nøglen «bornholm».",
        ),
    ]
    for args, message in cases:
        code, out, err = run("round", "export", *args)
        assert (code, out, err.strip()) == (1, "", message)


def test_importing_a_missing_file_or_twice_is_refused(kol: Path) -> None:
    code, _, err = run(
        "round", "import", "--programme", "kol-2018", "--name", "x", str(kol / "none.csv")
    )
    assert code == 1 and "Jeg kan ikke læse filen" in err
    assert import_seed000()[0] == 0
    code, _, err = import_seed000()
    assert code == 1
    assert (
        err.strip()
        == "Fejl: Programmet har allerede en runde, der hedder «12. møde, 20. juni 2018»."
    )


def test_an_export_imports_again_and_exports_the_same(kol: Path) -> None:
    code, _, _ = run(
        "round", "import", "--programme", "kol-2018", "--name", "12. møde",
        "--date", "2018-06-20", str(SEED000_CSV),
    )  # fmt: skip
    assert code == 0
    first_csv, first_json = kol / "first.csv", kol / "first.json"
    for fmt, target in (("csv", first_csv), ("json", first_json)):
        code, _, _ = run(
            "round", "export", "--programme", "kol-2018", "--format", fmt, "-o", str(target)
        )
        assert code == 0
    code, out, err = run(
        "round", "import", "--programme", "kol-2018", "--name", "kopi", "--date", "2018-06-20",
        str(first_csv),
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out.strip() == "Runden «kopi» er importeret med 160 svar og er lukket."
    again = kol / "again.csv"
    code, _, _ = run(
        "round", "export", "--programme", "kol-2018", "--round", "kopi", "--format", "csv",
        "-o", str(again),
    )  # fmt: skip
    assert code == 0 and again.read_bytes() == first_csv.read_bytes()

    data = json.loads(first_json.read_text(encoding="utf-8"))
    data["round"]["name"] = "kopi 2"
    renamed = kol / "renamed.json"
    renamed.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    code, out, _ = run("round", "import", "--programme", "kol-2018", str(renamed))
    assert code == 0 and "«kopi 2»" in out
    code, out, _ = run(
        "round", "export", "--programme", "kol-2018", "--round", "kopi 2", "--format", "json",
        "-o", "-",
    )  # fmt: skip
    assert json.loads(out) == data


def test_a_danish_excel_csv_imports(kol: Path) -> None:
    """As Danish Excel saves «CSV UTF-8»: semicolons, a byte-order mark, CRLF, Danish words."""
    excel = kol / "runde.csv"
    rows = [
        "milestone;unit;progress;delay;critical;forecast;remark",
        "1.1;hovedstaden;Milepæl nået;;nej;;",
        "4.1;syddanmark;Igangsat;3-6 måneder;ja;Medio 2019;=ikke en formel",
        "4.2;syddanmark;Ej igangsat;;Nej;når vi hører fra FUT;",
    ]
    excel.write_bytes("\r\n".join(rows).encode("utf-8-sig") + b"\r\n")
    code, out, err = run(
        "round", "import", "--programme", "kol-2018", "--name", "11. møde", "--date",
        "2018-03-01", str(excel),
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out.strip() == "Runden «11. møde» er importeret med 3 svar og er lukket."
    code, out, _ = run(
        "round", "export", "--programme", "kol-2018", "--format", "json", "--output", "-"
    )
    cells = {(c["milestone"], c["unit"]): c for c in json.loads(out)["cells"]}
    assert cells[("4.1", "syddanmark")]["text"] == (
        "Milepæl igangsat, men 3-6 måneder forsinket (milepælen er kritisk for hele projektet)"
    )
    assert cells[("4.1", "syddanmark")]["remark"] == "=ikke en formel"
    assert cells[("4.2", "syddanmark")]["forecast"] == "når vi hører fra FUT"
    assert cells[("4.2", "syddanmark")]["forecast_earliest"] is None
