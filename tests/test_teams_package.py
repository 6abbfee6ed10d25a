"""`fremdrift teams package`: a ZIP Teams accepts — the manifest with the bot's id, address
and command lists, its English localization, and icons of the sizes Teams asks for — built
from the app files that ship inside the package (bot/teams/app/), or from a folder given."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

import bot
from bot.cli import app
from bot.settings import get_settings
from bot.teams.package import SOURCE

APP_ID = "0b2e6d1c-8a4f-4a3e-9d5b-1f2e3d4c5b6a"
PUBLIC = "https://fremdrift.kol.example"


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEAMS_APP_ID", APP_ID)
    monkeypatch.setenv("FREMDRIFT_TEAMS_PUBLIC_URL", PUBLIC)
    monkeypatch.setenv("FREMDRIFT_LANGUAGE", "en")
    get_settings.cache_clear()


def package(tmp_path: Path) -> tuple[int, str, Path]:
    output = tmp_path / "fremdrift-teams.zip"
    result = CliRunner().invoke(app, ["teams", "package", "--output", str(output)])
    get_settings.cache_clear()
    return result.exit_code, result.output, output


def test_the_package_holds_the_filled_in_manifest_and_its_icons(
    environment: None, tmp_path: Path
) -> None:
    code, output, path = package(tmp_path)
    assert code == 0, output
    assert APP_ID in output
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == [
            "color.png",
            "en.json",
            "manifest.json",
            "outline.png",
        ]
        manifest = json.loads(archive.read("manifest.json"))
        color = Image.open(io.BytesIO(archive.read("color.png")))
        outline = Image.open(io.BytesIO(archive.read("outline.png")))
        english = json.loads(archive.read("en.json"))
    assert manifest["id"] == APP_ID and manifest["bots"][0]["botId"] == APP_ID
    assert manifest["developer"]["websiteUrl"] == PUBLIC
    assert manifest["validDomains"] == ["fremdrift.kol.example"]
    assert "${{" not in json.dumps(manifest)
    assert color.size == (192, 192) and outline.size == (32, 32)
    rgba = outline.convert("RGBA")
    pixels = [rgba.getpixel((x, y)) for x in range(32) for y in range(32)]
    assert {p[:3] for p in pixels if isinstance(p, tuple) and p[3]} == {(255, 255, 255)}
    assert any(isinstance(p, tuple) and p[3] == 0 for p in pixels), "white on transparent"
    bot = manifest["bots"][0]
    assert set(bot["scopes"]) == {"personal", "team"}
    for command_list in bot["commandLists"]:
        assert 0 < len(command_list["commands"]) <= 10
        for command in command_list["commands"]:
            assert len(command["title"]) <= 32 and len(command["description"]) <= 128
    titles = {c["title"] for lst in bot["commandLists"] for c in lst["commands"]}
    assert {"me", "help", "round open", "round status", "round close"} <= titles
    assert all(key.startswith(("name", "description", "bots[0]", "$schema")) for key in english)


@pytest.mark.parametrize(
    ("app_id", "public"), [("", PUBLIC), ("not-a-guid", PUBLIC), (APP_ID, "http://plain.example")]
)
def test_no_package_without_an_app_id_and_an_https_address(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, app_id: str, public: str
) -> None:
    monkeypatch.setenv("TEAMS_APP_ID", app_id)
    monkeypatch.setenv("FREMDRIFT_TEAMS_PUBLIC_URL", public)
    monkeypatch.setenv("FREMDRIFT_LANGUAGE", "en")
    get_settings.cache_clear()
    code, output, path = package(tmp_path)
    assert code == 1
    assert "TEAMS_APP_ID" in output or "FREMDRIFT_TEAMS_PUBLIC_URL" in output
    assert not path.exists()


def test_a_source_folder_without_its_icons_is_one_line_not_a_traceback(
    environment: None, tmp_path: Path
) -> None:
    source = tmp_path / "app"
    source.mkdir()
    (source / "manifest.json").write_bytes((SOURCE / "manifest.json").read_bytes())
    output = tmp_path / "app.zip"
    result = CliRunner().invoke(
        app, ["teams", "package", "-o", str(output), "--source", str(source)]
    )
    get_settings.cache_clear()
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: The app manifest {source / 'manifest.json'} cannot")
    assert "color.png" in result.output and result.output.count("\n") == 1
    assert not output.exists()


def test_the_app_files_live_inside_a_shipped_package() -> None:
    assert SOURCE.is_relative_to(Path(bot.__file__).parent), "package data ships; teams/ did not"
    assert {p.name for p in SOURCE.iterdir()} >= {"manifest.json", "color.png", "outline.png"}
