#!/usr/bin/env bash
# Installs what RegDesk needs on this machine, and does nothing when nothing changed:
#   scripts/setup.sh run    what running the program needs (scripts/run.sh): on Debian/Ubuntu the
#                           CJK font, Qt's runtime libraries, Xvfb, libfprint; a .venv with RegDesk
#   scripts/setup.sh test   that and what the whole check needs (scripts/test.sh, CI): LibreOffice and
#                           poppler to read back what the app writes, PostgreSQL (the tests start a
#                           private server of their own), compilers for PyGObject (the libfprint
#                           driver's binding), pytest, ruff, import-linter, psycopg, PyInstaller
# (no argument: test). apt-get installs only the missing packages; pip runs only when
# pyproject.toml or the set of extras changed since the last run.
# Messages go to stderr so that `run.sh` keeps stdout for the program itself.
# Environment: REGDESK_PYTHON=/path/to/python3.11+ picks the interpreter;
#              REGDESK_SKIP_SYSTEM=1 skips the system packages.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
STAMP="$VENV/.setup-stamp"
MODE="${1:-test}"
case "$MODE" in
    run|test) ;;
    *) printf '[setup] 用法 / usage: scripts/setup.sh [run|test]\n' >&2; exit 2 ;;
esac

# The Debian packages running the program needs.
RUN_PACKAGES=(
    fonts-wqy-microhei  # CJK font for the UI and for PDFs (TrueType outlines: reportlab can embed it)
    xvfb xauth          # a real X display without a screen (run.sh uses it on a headless machine)
    # Qt's runtime libraries: xcb platform plugin (Qt >= 6.5 refuses xcb without libxcb-cursor0),
    # EGL/GL, fontconfig, D-Bus and GLib.
    libegl1 libgl1 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
    libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-xfixes0 libxcb-xkb1
    libdbus-1-3 libfontconfig1 libglib2.0-0
    # Fingerprint readers: libfprint and its GObject introspection data.
    libfprint-2-2 gir1.2-fprint-2.0
)
# And what the tests and the build need besides.
TEST_PACKAGES=(
    postgresql          # initdb/pg_ctl: the tests' second pass starts a private server (tests/pg_server.py)
    poppler-utils       # pdftoppm/pdftotext: read back the PDFs the app prints
    libreoffice-calc-nogui  # soffice --headless: check that every .xlsx the app writes opens
    # What pip needs to build PyGObject (<3.51) against libfprint, and the libfprint driver's tests.
    libgirepository1.0-dev libcairo2-dev pkg-config gobject-introspection
    build-essential python3-dev  # PyGObject compiles; Debian's python3 needs its headers
)
SYSTEM_PACKAGES=("${RUN_PACKAGES[@]}")
[ "$MODE" = test ] && SYSTEM_PACKAGES+=("${TEST_PACKAGES[@]}")

say() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] 错误 / error: %s\n' "$*" >&2; exit 1; }

python_ok() {  # $1: interpreter; true when it is Python >= 3.11
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1
}

pick_python() {
    local candidates=()
    [ -n "${REGDESK_PYTHON:-}" ] && candidates+=("$REGDESK_PYTHON")
    candidates+=(python3 python3.13 python3.12 python3.11)
    local c
    for c in "${candidates[@]}"; do
        if command -v "$c" >/dev/null 2>&1 && python_ok "$c"; then
            command -v "$c"
            return 0
        fi
    done
    return 1
}

is_debian() { [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; }

installed() {  # $1: Debian package name
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = "installed" ]
}

# --- Python interpreter -------------------------------------------------------------------
PYTHON="$(pick_python)" || die "需要 Python 3.11 或更高版本（找到的是：$(python3 --version 2>&1 || echo '没有 python3')）。
  Debian 12 / Ubuntu 24.04：sudo apt-get install python3 python3-venv
  Ubuntu 22.04：sudo apt-get install python3.11 python3.11-venv
  其他系统：从 https://www.python.org/ 安装 3.11+，再用 REGDESK_PYTHON=/path/to/python3.11 重新运行。
  RegDesk needs Python >= 3.11; set REGDESK_PYTHON to its path if it is not on PATH as python3."

# --- system packages ----------------------------------------------------------------------
packages=("${SYSTEM_PACKAGES[@]}")
# Debian splits venv/ensurepip out of its Python packages; without them `python -m venv` fails.
if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    packages+=("python$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv")
fi

if [ "${REGDESK_SKIP_SYSTEM:-0}" = "1" ]; then
    say "REGDESK_SKIP_SYSTEM=1: 跳过系统软件包。"
elif is_debian; then
    missing=()
    for p in "${packages[@]}"; do
        installed "$p" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        sudo_cmd=()
        if [ "$(id -u)" -ne 0 ]; then
            command -v sudo >/dev/null 2>&1 || die "需要安装系统软件包，但没有 sudo。请用 root 运行：apt-get install ${missing[*]}"
            sudo_cmd=(sudo)
        fi
        say "安装系统软件包 / installing: ${missing[*]}"
        "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    fi
else
    say "不是 Debian/Ubuntu：请自行安装以下软件（或同等的软件包），然后继续："
    say "  - 中文字体（文泉驿微米黑 WenQuanYi Micro Hei，或 Windows 的微软雅黑/宋体）"
    say "  - Qt 6 的 xcb 运行库（libxcb-cursor、xkbcommon-x11、EGL/GL）；Windows/macOS 不需要"
    say "  - 可选：Xvfb、poppler（pdftoppm）"
    say "Not Debian/Ubuntu: install the equivalents of: ${SYSTEM_PACKAGES[*]}"
fi

# --- virtual environment ------------------------------------------------------------------
if [ -x "$VENV/bin/python" ] && ! python_ok "$VENV/bin/python"; then
    say ".venv 损坏或 Python 版本过低，重新创建。"
    rm -rf "$VENV"
fi
if [ ! -x "$VENV/bin/python" ]; then
    say "创建虚拟环境 .venv（$("$PYTHON" --version 2>&1)）"
    "$PYTHON" -m venv "$VENV" || die "无法创建虚拟环境。Debian/Ubuntu：sudo apt-get install python3-venv"
fi

# The stamp names what the last successful pip run installed (pyproject's digest, the interpreter,
# the extras); nothing to do when it already covers what this mode needs. A Python upgrade reinstalls.
if [ "$MODE" = test ]; then
    # PyGObject (libfprint) only on Linux: elsewhere there is no libfprint to bind to.
    extras="test,build$([ "$(uname -s)" = Linux ] && echo ,fingerprint || true)"
else
    extras=""
fi
digest="$("$VENV/bin/python" - <<'PY'
import hashlib, pathlib, sys
digest = hashlib.sha256(pathlib.Path("pyproject.toml").read_bytes()).hexdigest()
print(f"{digest} py{sys.version_info[0]}.{sys.version_info[1]}.{sys.version_info[2]}")
PY
)"
have="$(cat "$STAMP" 2>/dev/null || true)"
have_digest="${have% extras=*}"
have_extras=""
case "$have" in *" extras="*) have_extras="${have##* extras=}" ;; esac
covered=1
for extra in ${extras//,/ }; do
    case ",$have_extras," in *",$extra,"*) ;; *) covered=0 ;; esac
done
if [ "$digest" = "$have_digest" ] && [ "$covered" = 1 ] && [ -x "$VENV/bin/regdesk" ]; then
    say "依赖已是最新 / dependencies up to date"
else
    # Keep what an earlier run installed beyond this mode (a test set-up stays one after run.sh).
    if [ "$digest" = "$have_digest" ] && [ -n "$have_extras" ]; then
        extras="$(printf '%s\n' ${extras//,/ } ${have_extras//,/ } | sort -u | paste -sd, -)"
    fi
    target="."
    [ -n "$extras" ] && target=".[$extras]"
    say "安装 Python 依赖 / pip install -e '$target'"
    "$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off -e "$target" >&2
    printf '%s extras=%s\n' "$digest" "$extras" >"$STAMP"
    say "完成 / done"
fi
