#!/usr/bin/env bash
# Install the Debian packages in .ci/apt-packages.txt that are missing.
#   .ci/install-system.sh            all of them (tests and runtime)
#   .ci/install-system.sh runtime    only what the app needs to run (the Docker image)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
want=${1:-all}
missing=()
while read -r name scope; do
  case "$name" in ''|'#'*) continue ;; esac
  if [ "$want" = runtime ] && [ "$scope" != runtime ]; then continue; fi
  dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q "install ok installed" || missing+=("$name")
done < "$here/apt-packages.txt"
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "installed: ${missing[*]}"
