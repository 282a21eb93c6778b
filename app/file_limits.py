"""How much of an imported file the readers take in, and what the user is told past that.

A whole school's roster is tens of thousands of rows of a few dozen columns. Each limit here sits
well above that and well below what would exhaust a desk's memory (reading stays under ~500 MB),
so a broken or hostile file ends in seconds with a message that names the limit and what to do,
and the database is never touched. ``bench/hostile_files.py`` measures the files that test them.
"""

from __future__ import annotations

MiB = 1 << 20

MAX_ROWS = 100_000  # sheet rows (titles and header included); a 100,000-row roster needs ~350 MB to import
MAX_COLUMNS = 256  # a roster is far narrower; cells further right are dropped with a warning
MAX_CELLS = 2_500_000  # rows × columns of the rectangle a sheet is read into (100,000 × 25)
MAX_SHEETS = 1_000
MAX_MERGED_RANGES = 100_000  # merged-cell ranges in one sheet

MAX_XLS_BYTES = 32 * MiB  # a legacy .xls is read whole by xlrd (a 20,000-row roster's is ~4 MB)
MAX_TEXT_FILE_BYTES = 64 * MiB  # a CSV or an HTML table is read whole (a 100,000-row CSV is ~15 MB)
MAX_SHEET_XML_BYTES = 128 * MiB  # one sheet's XML, inflated (a 100,000-row roster's is ~100 MB)
MAX_WORKBOOK_XML_BYTES = 256 * MiB  # all sheets' XML together
MAX_SHARED_STRINGS_BYTES = 32 * MiB  # the shared-strings part, inflated
MAX_SHARED_TEXT_BYTES = 64 * MiB  # text one sheet's cells copy out of the shared strings
MAX_PART_BYTES = 16 * MiB  # any other part a reader opens (workbook.xml, styles.xml, relationships)
MAX_RATIO = 100  # inflated ÷ compressed size, for parts over RATIO_FLOOR (real sheet XML: ~10)
RATIO_FLOOR = 4 * MiB
MAX_ZIP_MEMBERS = 20_000

SAVE_AS_XLSX = "请用 Excel 或 WPS 打开它，另存为 .xlsx 后再导入。"


def corrupt(name: str) -> str:
    return (f"文件“{name}”已损坏或不是 Excel 工作簿，无法读取。"
            "请用 Excel 或 WPS 打开检查，必要时重新导出，或另存为 .xlsx 后再导入。")


def megabytes(size: int) -> str:
    return f"{size / MiB:,.0f} MB"


def too_many_rows(sheet: str, rows: int | None) -> str:
    """``rows``: how far down the content was seen to reach (reading stops there), when known."""
    where = f"有内容的行至少到第 {rows:,} 行" if rows else f"超过 {MAX_ROWS:,} 行"
    return (f"工作表“{sheet}”{where}，超过了可导入的上限 {MAX_ROWS:,} 行（一个学校的名单通常只有几万行）。"
            "请确认选对了文件；如果名单确实这么大，请分成几个文件分别导入；"
            "如果是远处误填或带格式的零星单元格，请删除名单下面多余的行后再导入。")


def too_many_cells(sheet: str, rows: int, columns: int) -> str:
    return (f"工作表“{sheet}”的内容范围有 {rows:,} 行 × {columns:,} 列（{rows * columns:,} 个单元格），"
            f"超过了可读取的上限 {MAX_CELLS:,} 个单元格。通常是远处误填或带格式的零星单元格："
            "请删除名单以外多余的行和列，或把名单复制到一个新工作簿后再导入。")
