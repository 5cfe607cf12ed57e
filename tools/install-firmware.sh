#!/usr/bin/env bash
# Installs the GPU firmware packages the firmware-loader tests decode (docs/firmware.md):
# firmware-amd-graphics, firmware-nvidia-graphics and firmware-qcom-soc, the newest ones, from
# bookworm-backports (component non-free-firmware). Called by tools/install-deps.sh; idempotent.
#
# The backports source uses the same mirror as the machine's own Debian source: its URI is read from
# /etc/apt/sources.list (one-line form) or /etc/apt/sources.list.d/*.sources (deb822 form), from the
# entry that carries the suite "bookworm". No host name is written here.
set -euo pipefail

packages=(firmware-amd-graphics firmware-nvidia-graphics firmware-qcom-soc)
suite=bookworm-backports
list=/etc/apt/sources.list.d/hcq-bookworm-backports.sources

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null; then
  sudo=(sudo)
else
  echo "install-firmware: run as root or install sudo" >&2
  exit 1
fi

# A package counts as present when the installed version is a bookworm backport (~bpo12).
missing=()
for p in "${packages[@]}"; do
  v=$(dpkg-query -W -f='${Status} ${Version}' "$p" 2>/dev/null || true)
  case "$v" in
    "install ok installed "*~bpo12*) ;;
    *) missing+=("$p") ;;
  esac
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-firmware: ${packages[*]} present (from $suite)"
  exit 0
fi

# Prints "URI<TAB>Signed-By" of the first enabled source whose suites include "bookworm".
debian_source() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk '
      function flush() {
        if (uri != "" && enabled && has_suite) { print uri "\t" signed; found = 1; exit }
        uri = ""; signed = ""; enabled = 1; has_suite = 0
      }
      BEGIN { enabled = 1 }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      {
        key = tolower($1)
        if (key == "uris:") uri = $2
        else if (key == "signed-by:") signed = $2
        else if (key == "enabled:" && tolower($2) == "no") enabled = 0
        else if (key == "suites:") for (i = 2; i <= NF; i++) if ($i == "bookworm") has_suite = 1
      }
      END { if (!found) flush() }
    ' "$f" | head -n 1
  done
  if [ -f /etc/apt/sources.list ]; then
    # deb [options] URI suite components...
    awk '$1 == "deb" {
      i = 2
      if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
      if ($(i + 1) == "bookworm") { print $i "\t"; exit }
    }' /etc/apt/sources.list
  fi
}

already=$(grep -rlsE "^[^#]*\b$suite\b" /etc/apt/sources.list /etc/apt/sources.list.d/ | grep -v "^$list\$" || true)
if [ -n "$already" ] && grep -qs non-free-firmware $already; then
  echo "install-firmware: $suite is already configured ($already)"
else
  source_line=$(debian_source | head -n 1)
  uri=${source_line%%$'\t'*}
  signed=${source_line#*$'\t'}
  if [ -z "$uri" ]; then
    echo "install-firmware: no apt source with the suite 'bookworm' in /etc/apt/sources.list or" \
         "/etc/apt/sources.list.d/*.sources: add the Debian 12 archive first" >&2
    exit 1
  fi
  [ -n "$signed" ] || signed=/usr/share/keyrings/debian-archive-keyring.gpg
  echo "install-firmware: adding $suite (non-free-firmware) from $uri to $list"
  printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main non-free-firmware\nSigned-By: %s\n' \
    "$uri" "$suite" "$signed" | "${sudo[@]}" tee "$list" >/dev/null
fi

echo "install-firmware: installing ${missing[*]} from $suite"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
  -t "$suite" "${missing[@]}"
