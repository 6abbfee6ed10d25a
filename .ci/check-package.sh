#!/usr/bin/env bash
# Fremdrift as an operator installs it, on a bare machine, by the Docker image's own steps:
# build the sdist and from it the wheel, install the wheel with uv.lock's pins (hashes
# checked) and the demo extra into a fresh venv, check what the wheel holds, then from an
# empty folder run what README promises: --version, the demo, the Teams app package, and
# migrating and loading the shipped programme by its key. Anything on stderr fails it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d /tmp/fremdrift-package.XXXXXX)
trap 'rm -rf "$work"' EXIT

python3 -m venv "$work/tools"
"$work/tools/bin/pip" install --quiet --disable-pip-version-check --require-hashes -r .ci/uv.txt
uv="$work/tools/bin/uv"

# The sdist from the checkout, the wheel from the sdist: what is not in the sdist is missing.
"$uv" build --quiet --sdist --out-dir "$work/dist" .
"$uv" build --quiet --wheel --out-dir "$work/dist" "$work"/dist/fremdrift-*.tar.gz
wheel=$(ls "$work"/dist/fremdrift-*.whl)
"$work/tools/bin/python" - "$wheel" <<'PY'
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
wanted = {
    "programmes/kol-2018.yaml", "programmes/oea-2020.yaml", "bot/teams/app/manifest.json",
    "bot/teams/app/color.png", "bot/teams/app/outline.png", "bot/demo/seed000.csv",
    "models/migrations/0001_initial.py", "standins/slack/server.py",
}
missing = wanted - names
assert not missing, f"the wheel lacks {sorted(missing)}"
assert any(n.startswith("render/messages/da/") for n in names), "the wheel lacks the catalogue"
assert any(n.startswith("render/templates/") for n in names), "the wheel lacks the templates"
assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), "the wheel lacks LICENSE"
stray = sorted(n for n in names if n.split("/")[0] in {"tests", "benchmarks", "teams", "docs"})
assert not stray, f"the wheel holds what it must not: {stray[:5]}"
print(f"wheel: {len(names)} files, the programmes, the Teams app and the catalogue; no tests")
PY

# The locked dependencies with their hashes, then the wheel itself: the Dockerfile's steps.
"$uv" export --quiet --frozen --extra demo --no-emit-project -o "$work/requirements.txt"
python3 -m venv "$work/venv"
"$uv" pip install --quiet --python "$work/venv/bin/python" --require-hashes \
  -r "$work/requirements.txt"
"$uv" pip install --quiet --python "$work/venv/bin/python" --no-deps "$wheel"

mkdir "$work/empty"
cd "$work/empty"
unset DATABASE_URL FREMDRIFT_DATA_DIR
export FREMDRIFT_LANGUAGE=en
fremdrift() {
  "$work/venv/bin/fremdrift" "$@" 2>"$work/stderr"
  if [ -s "$work/stderr" ]; then
    echo "fremdrift $* wrote to stderr:" >&2
    cat "$work/stderr" >&2
    return 1
  fi
}

version=$(fremdrift --version)
[ "$version" = "fremdrift $(basename "$wheel" | cut -d- -f2)" ] || {
  echo "fremdrift --version says '$version'" >&2
  exit 1
}

fremdrift demo --output demo >/dev/null
pdfs=(demo/*.pdf)
[ -s "${pdfs[0]}" ] && [ "$(head -c 5 "${pdfs[0]}")" = "%PDF-" ] || {
  echo "the demo wrote no PDF" >&2
  exit 1
}

TEAMS_APP_ID=0b2e6d1c-8a4f-4a3e-9d5b-1f2e3d4c5b6a \
  FREMDRIFT_TEAMS_PUBLIC_URL=https://fremdrift.example.org \
  fremdrift teams package --output app.zip >/dev/null
"$work/tools/bin/python" - <<'PY'
import json, zipfile
with zipfile.ZipFile("app.zip") as archive:
    manifest = json.loads(archive.read("manifest.json"))
    assert {"color.png", "outline.png"} <= set(archive.namelist())
assert manifest["id"] == "0b2e6d1c-8a4f-4a3e-9d5b-1f2e3d4c5b6a", manifest["id"]
PY

fremdrift db migrate >/dev/null
fremdrift programme load kol-2018 >/dev/null
fremdrift programme show kol-2018 >/dev/null
echo "package: $version from the wheel and the lock; demo PDF, Teams app, kol-2018 loaded by key"
cd "$root"
