"""CSV cells a spreadsheet will not run as a formula (CSV injection, CWE-1236).

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (`=HYPERLINK(...)`, `@SUM(...)`, `-2+3+cmd|...`):
`cell` prefixes it with an apostrophe, which the spreadsheet shows as text. Use it for every
cell of a downloaded CSV whose text came from someone else: an uploaded file echoed back, a
name, a note.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """`value` as CSV cell text (None is empty), quoted with `'` when it would be a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text
