"""Tables as CSV, written the same way by every output (the command line, the analyses, the
network edge and node lists): booleans in their XSD lexical form ``true``/``false``, as a SPARQL
server's CSV results give them (so a canned query's CSV reads the same from the API and from
``policykg query``), absent values empty."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def csv_text(rows: Iterable[Mapping[str, Any]], columns: list[str]) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    w.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
    return out.getvalue()
