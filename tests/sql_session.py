"""Drive the interactive SQL session (harlequin, headless through Textual's pilot) in a
process of its own — harlequin keeps its DuckDB connection for the life of the process — and
print what it showed as JSON: `python -m tests.sql_session WAREHOUSE QUERY [QUERY …]`."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from pipeline.adhoc_sql import session


async def _drive(warehouse: Path, queries: list[str]) -> list[dict[str, object]]:
    app = session(warehouse)
    shown: list[dict[str, object]] = []
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause(1)
        for query in queries:
            tabs = app.results_viewer.tab_count
            app.editor.text = query
            await pilot.press("ctrl+j")
            for _ in range(40):
                await pilot.pause(0.25)
                if app.results_viewer.tab_count != tabs:
                    break
            table = app.results_viewer.get_visible_table() if app.results_viewer.tab_count else None
            changed = app.results_viewer.tab_count != tabs
            rows = [list(table.get_row_at(i)) for i in range(table.row_count)] if changed else None
            shown.append({"query": query, "rows": rows})
    return shown


if __name__ == "__main__":
    result = asyncio.run(asyncio.wait_for(_drive(Path(sys.argv[1]), sys.argv[2:]), 120))
    print(json.dumps(result, default=str))
