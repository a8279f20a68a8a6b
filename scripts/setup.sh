#!/usr/bin/env bash
# Sets briefkit up on a fresh Debian or Ubuntu machine and builds the seed brief:
# system packages (Pango, the HarfBuzz subsetter, poppler, LibreOffice for the DOCX render test),
# a virtual environment in .venv with briefkit and its test tools, then out/turkey-russia-relations.{pdf,docx}.
#
#   scripts/setup.sh --runtime   only what building briefs needs (CI users): the text stack and briefkit;
#                                no LibreOffice, poppler or test tools, and nothing is built.
set -euo pipefail
cd "$(dirname "$0")/.."

runtime=0
for arg in "$@"; do
  case "$arg" in
    --runtime) runtime=1 ;;
    *) echo "usage: scripts/setup.sh [--runtime]" >&2; exit 2 ;;
  esac
done

packages=(
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fontconfig  # WeasyPrint's text stack
  libharfbuzz-subset0   # fast, reproducible font subsetting (without it PDFs differ run to run)
)
if ((!runtime)); then
  packages+=(
    poppler-utils         # pdftotext, pdffonts, pdftoppm: tests and screenshots
    libreoffice-writer-nogui  # the DOCX render test converts the brief to PDF headless
    pandoc                # the DOCX read-back test (pandoc -f docx) and bench/docx_vs_pandoc.py
    procps                # pgrep: the signal tests find the workers to kill
    chromium chromium-driver  # the preview and page tests drive a real headless browser
    strace                # the coverage test proves a build opens no system font
    fonts-dejavu-core     # a theme font with letters the shipped ones lack (Armenian), for the API test
  )
fi
python=${PYTHON:-python3}
if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then packages+=(python3-venv); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

"$python" - <<'PY'
import sys
if sys.version_info < (3, 11):
    sys.exit(f"setup: briefkit needs Python 3.11 or newer, this is {sys.version.split()[0]}")
PY
[ -x .venv/bin/python ] || "$python" -m venv .venv
if ((runtime)); then
  .venv/bin/python -m pip install -q .
else
  .venv/bin/python -m pip install -q -e '.[test]'
  # JavaScript tools the tests run under node (ajv compiles the report schema as editors' tools do).
  npm ci --prefix tests/js --no-audit --no-fund --loglevel=error
fi
.venv/bin/python -c "from briefkit._native import import_weasyprint; import_weasyprint(); import weasyprint.text.ffi as f; assert f.harfbuzz_subset is not None, 'libharfbuzz-subset0 not loaded'"

if ((runtime)); then
  echo "setup: done; .venv/bin/briefkit is ready (runtime only)"
  exit 0
fi
# pdf.js (Firefox's PDF reader) judges the text layer in tests/test_textlayer.py when node is here
if command -v npm >/dev/null 2>&1 && [ ! -d bench/pdfjs/node_modules/pdfjs-dist ]; then
  npm ci --prefix bench/pdfjs --no-audit --no-fund >/dev/null || echo "setup: pdf.js not installed (its tests skip)"
fi

.venv/bin/briefkit build seeds/turkey-russia-relations.yaml -o out
echo "setup: done; the seed brief is in out/"
