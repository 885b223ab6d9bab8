#!/usr/bin/env bash
# Set up bilingual on a fresh Debian 12 machine (root, Python 3.11): system packages, .venv, the
# package, its test tools and Ray (the `audit --cluster` tests). Safe to run again: each step is
# skipped when already done.
set -euo pipefail
cd "$(dirname "$0")"

say() { printf 'setup: %s\n' "$*" >&2; }

missing=()
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || missing+=(ffmpeg)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
# Burned-in subtitles: Tesseract with its Tibetan model; fonts the tests render subtitles with.
command -v tesseract >/dev/null 2>&1 || missing+=(tesseract-ocr)
# (grep reads all of the list, not -q: with pipefail, the lister cut off early would count as missing)
has() { "${@:2}" 2>/dev/null | grep -x -- "$1" >/dev/null; }
has bod tesseract --list-langs || missing+=(tesseract-ocr-bod)
command -v fc-list >/dev/null 2>&1 || missing+=(fontconfig)
fonts=$(fc-list : family 2>/dev/null | tr ',' '\n' || true)
grep -qx "Noto Sans CJK SC" <<<"$fonts" || missing+=(fonts-noto-cjk)
grep -qx "Tibetan Machine Uni" <<<"$fonts" || missing+=(fonts-tibetan-machine)
grep -qx "Noto Serif Tibetan" <<<"$fonts" || missing+=(fonts-noto-core)
# The fonts creators use, which the burned-in matrix tests and benchmark render with (issue 14):
# Tibetan Monlam, DDC Uchen, Jomolhari, Sambhota; Chinese Kaiti/Mingti (AR PL), WenQuanYi Zen Hei,
# Noto CJK in its other weights (Light, Medium, Black…).
for pair in "Monlam Uni OuChan2:fonts-monlam" "DDC Uchen:fonts-ddc-uchen" "Jomolhari:fonts-dzongkha" \
            "TibetanTsugRing:fonts-sambhota-tsugring" "TibetanYigchung:fonts-sambhota-yigchung" \
            "AR PL UKai CN:fonts-arphic-ukai" "AR PL UMing CN:fonts-arphic-uming" \
            "WenQuanYi Zen Hei:fonts-wqy-zenhei" "Noto Sans CJK SC Black:fonts-noto-cjk-extra"; do
  grep -qx "${pair%%:*}" <<<"$fonts" || missing+=("${pair##*:}")
done
# The HTML report's tests load the pages in a real browser (headless).
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# Produced music for the verdict tests and benchmark (speech under music): tracker modules, 1.5 MB.
[ -d /usr/share/games/tecnoballz/musics ] || missing+=(tecnoballz-data)
if ((${#missing[@]})); then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { say "need root (or sudo) to apt-get install ${missing[*]}"; exit 1; }
    sudo="sudo"
  fi
  say "installing ${missing[*]} (apt-get)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  python3 -m venv .venv
fi

# Reinstall only when the project's requirements changed since the last set-up.
stamp=.venv/.bilingual-setup
want=$(cat pyproject.toml models/manifest.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || ! .venv/bin/python -c 'import bilingual' >/dev/null 2>&1; then
  say "installing the package into .venv (pip)"
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[dev,cluster]" 2> >(grep -v "^WARNING: Location" >&2)
  echo "$want" > "$stamp"
fi
say "ready: .venv/bin/bilingual"
