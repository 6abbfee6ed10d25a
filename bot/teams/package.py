"""The Teams app package: app/manifest.json with the bot's id and address, and its icons.

Teams installs an app from a ZIP holding manifest.json, the two icons (color 192×192,
outline 32×32, white on transparent) and any localization files, all at the top level. The
manifest in the repository names the bot as ${{TEAMS_APP_ID}} and its address as
${{FREMDRIFT_PUBLIC_URL}} / ${{FREMDRIFT_PUBLIC_HOST}}; they are filled in from the settings.
The app's files (bot/teams/app/) are package data, so an installed wheel builds the package
from any folder.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from conversations.errors import UserError

SOURCE = Path(__file__).resolve().parent / "app"
ICONS = {"color": (192, 192), "outline": (32, 32)}
PLACEHOLDER = re.compile(r"\$\{\{([A-Z_]+)\}\}")
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (no image library needed)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def build_package(app_id: str | None, public_url: str, source: Path = SOURCE) -> bytes:
    """The ZIP's bytes; a UserError naming what is missing or wrong."""
    if not app_id:
        raise UserError("teams.package.no_app_id")
    manifest_path = source / "manifest.json"
    if not GUID.match(app_id):
        raise UserError("teams.package.no_app_id")
    parsed = urlparse(public_url)
    if parsed.scheme != "https" or not parsed.hostname:
        reason = "FREMDRIFT_TEAMS_PUBLIC_URL"
        raise UserError("teams.package.bad_manifest", path=str(manifest_path), reason=reason)
    values = {
        "TEAMS_APP_ID": app_id,
        "FREMDRIFT_PUBLIC_URL": public_url.rstrip("/"),
        "FREMDRIFT_PUBLIC_HOST": parsed.hostname,
    }
    try:
        text = manifest_path.read_text(encoding="utf-8")
        filled = PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)
        manifest: dict[str, Any] = json.loads(filled)
    except (OSError, ValueError) as error:
        where = str(manifest_path)
        raise UserError("teams.package.bad_manifest", path=where, reason=str(error)) from None
    left = PLACEHOLDER.search(filled)
    if left:
        raise UserError("teams.package.bad_manifest", path=str(manifest_path), reason=left.group(0))
    files: dict[str, bytes] = {"manifest.json": filled.encode("utf-8")}
    where = str(manifest_path)
    try:
        for kind, size in ICONS.items():
            name = str(manifest["icons"][kind])
            data = (source / name).read_bytes()
            if _png_size(data) != size:
                reason = f"{name} is {_png_size(data)}, not {size}"
                raise UserError("teams.package.bad_manifest", path=where, reason=reason)
            files[name] = data
        for language in manifest.get("localizationInfo", {}).get("additionalLanguages", []):
            name = str(language["file"])
            files[name] = (source / name).read_bytes()
    except (OSError, KeyError, ValueError) as error:
        raise UserError("teams.package.bad_manifest", path=where, reason=str(error)) from None
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()
