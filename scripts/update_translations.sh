#!/usr/bin/env bash
# Refresh the translation template from the UI's tr()/translate() strings.
#
# The source strings are Chinese, so the program needs no .qm to run in Chinese. This writes
# resources/i18n/regdesk_en.ts (source language zh_CN, target en) for a translator to fill in with
# pyside6-linguist; then `pyside6-lrelease resources/i18n/regdesk_en.ts` makes regdesk_en.qm,
# which ui/common/i18n.py loads for an English locale or `regdesk --lang en`. Existing translations in
# the .ts are kept; strings no longer in the code are marked obsolete (-no-obsolete drops them).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
LUPDATE="${LUPDATE:-.venv/bin/pyside6-lupdate}"
# lupdate scans directories for C++ files only unless told otherwise.
"$LUPDATE" -extensions py -locations relative ui \
    -ts resources/i18n/regdesk_en.ts -source-language zh_CN -target-language en "$@"

# Qt's own strings its Chinese catalogue lacks (see the .ts): compiled here, committed with it.
"${LRELEASE:-.venv/bin/pyside6-lrelease}" resources/i18n/qt_supplement_zh_CN.ts -qm resources/i18n/qt_supplement_zh_CN.qm
