#!/usr/bin/env bash
# Installs through apt what zhibiao needs from Debian, only when it is missing.
#   python: python3 with venv (for `make install`)
#   all:    also chromium, chromium-driver, fonts-noto-cjk (images, browser tests), postgresql,
#           poppler-utils and poppler-data (pdftotext reads the Chinese of the meeting pdf),
#           npm (fetches axe-core, the accessibility engine of the browser tests),
#           redis-server (the multi-host test starts its own, as the tests start PostgreSQL),
#           fonts-droid-fallback and fonts-dejavu-core (TrueType fonts the pdf embeds: reportlab
#           cannot embed Noto CJK, which is OpenType CFF)
set -euo pipefail
want=()
case "${1:-all}" in
  python)
    python3 -c 'import venv, ensurepip' 2>/dev/null || want+=(python3 python3-venv python3-dev)
    ;;
  all)
    python3 -c 'import venv, ensurepip' 2>/dev/null || want+=(python3 python3-venv python3-dev)
    [ -x /usr/bin/chromium ] || want+=(chromium)
    [ -x /usr/bin/chromedriver ] || want+=(chromium-driver)
    # grep reads all of fc-list's output (grep -q would stop early: SIGPIPE fails the pipe)
    fc-list 2>/dev/null | grep -i 'Noto Sans CJK' >/dev/null || want+=(fonts-noto-cjk)
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || want+=(postgresql)
    [ -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ] || want+=(fonts-droid-fallback)
    [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || want+=(fonts-dejavu-core)
    command -v pdftotext >/dev/null 2>&1 || want+=(poppler-utils)
    [ -d /usr/share/poppler/cMap ] || want+=(poppler-data)
    command -v npm >/dev/null 2>&1 || want+=(npm)
    command -v redis-server >/dev/null 2>&1 || want+=(redis-server)
    ;;
esac
[ ${#want[@]} -eq 0 ] && exit 0
echo "system-deps: installing ${want[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
