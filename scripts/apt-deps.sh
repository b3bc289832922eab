#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Patchbay needs to build (Fyne's cgo GL/X11 headers) and to
# test (Xvfb, a D-Bus session, gnome-keyring as a real Secret Service, screenshot tools). Only
# missing packages are installed; nothing happens on other systems.
set -euo pipefail
pkgs=(gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev
  libxi-dev libxxf86vm-dev libgl1-mesa-dri xvfb xauth dbus gnome-keyring imagemagick xdotool
  locales nodejs npm)
if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
  echo "apt-deps: not a Debian/Ubuntu system; install the equivalents of: ${pkgs[*]}" >&2
  exit 0
fi
missing=()
for p in "${pkgs[@]}"; do
  case "$p" in
    # Node may come from elsewhere (nvm, NodeSource, the image); only install it when absent.
    nodejs) command -v node >/dev/null && continue ;;
    npm) command -v npm >/dev/null && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "apt-deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "apt-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
