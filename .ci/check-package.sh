#!/usr/bin/env bash
# The Docker image's build stage, on a bare machine: `pip install .` into a fresh venv (not
# editable), then the installed command must find its migrations, templates and words.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/fremdrift-package.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check . >/dev/null
cd "$work"
export FREMDRIFT_DATA_DIR="$work/data" DATABASE_URL=
"$work/venv/bin/fremdrift" db migrate
"$work/venv/bin/fremdrift" programme load "$OLDPWD/programmes/kol-2018.yaml"
"$work/venv/bin/fremdrift" programme show kol-2018 >/dev/null
echo "package: installs, migrates, loads and shows a programme"
