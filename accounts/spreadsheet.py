"""CSV files that a spreadsheet opens as data, never as formulas: every export writes through here.

A spreadsheet runs a cell as a formula when its text starts with `=`, `+`, `-` or `@` (a leading
tab or carriage return can hide such a start). A cell is also split again when the spreadsheet
uses another separator than the file (a file with commas opened where `;` separates fields), so
`Regular meetings;=cmd|...` would become two cells, the second a formula. Following the OWASP
advice on CSV injection, `formula_safe` puts an apostrophe before every such start: at the
beginning of the text and after each `,` or `;` (spaces between allowed). The apostrophe makes
the spreadsheet show the rest as text.

Numbers written as numbers (int, float, Decimal) stay as they are, negative ones included: a
spreadsheet reads `-3` as the number it is, and there is nothing for it to run. Text that merely
looks like a number (`"-3"` typed in a field) is treated as text and prefixed.

Every field is quoted (`csv.QUOTE_ALL`), so a separator inside a value never splits it in a
reader that follows the CSV rules.
"""

import csv
import decimal
import re
from collections.abc import Iterable
from typing import Any

FORMULA_START = re.compile(r"(^|[,;][ ]*)(?=[=+\-@\t\r])")


def formula_safe(value: Any) -> Any:
    """The value as a CSV cell: numbers unchanged, anything else as text with formula starts
    neutralised; None becomes an empty cell."""
    if value is None:
        return ""
    if isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool):
        return value
    return FORMULA_START.sub(r"\1'", str(value))


class SafeWriter:
    """A `csv.writer` that quotes every field and passes every cell through `formula_safe`."""

    def __init__(self, file, **kwargs) -> None:
        self._writer = csv.writer(file, quoting=csv.QUOTE_ALL, **kwargs)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([formula_safe(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(file, **kwargs) -> SafeWriter:
    """The writer every CSV export uses; `kwargs` go to `csv.writer` (e.g. `lineterminator`)."""
    return SafeWriter(file, **kwargs)
