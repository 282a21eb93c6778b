#!/usr/bin/env bash
# Starts RegDesk after making sure everything it needs is installed (scripts/setup.sh).
#   ./scripts/run.sh --demo            a populated demo college
#   ./scripts/run.sh --data DIR        a chosen data folder
# Every argument goes to the program (`regdesk --help` lists them).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh" run

app=("$ROOT/.venv/bin/regdesk" "$@")
# On a Linux machine with no screen (a server, an SSH session) Qt's xcb plugin cannot start;
# run on a virtual X display instead of failing, and say so.
if [ "$(uname -s)" = "Linux" ] && [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] \
        && [ -z "${QT_QPA_PLATFORM:-}" ] && command -v xvfb-run >/dev/null 2>&1; then
    printf '[run] 没有检测到显示器（DISPLAY 未设置），在虚拟显示 Xvfb 上运行；窗口不可见。\n' >&2
    printf '[run] No display found: running on a virtual X server (xvfb-run).\n' >&2
    exec xvfb-run -a -s "-screen 0 1366x768x24" "${app[@]}"
fi
exec "${app[@]}"
