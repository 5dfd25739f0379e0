"""The browser-side sections of docs/performance.md: in real JupyterLab (lab/bench.py) and the
front end alone in a bare page (browser/bench.py)."""

from __future__ import annotations

from benchmarks.report.format import mark, mib, ms, rate, table


def lab_section(lab: dict) -> str:
    n = lab["rows"]
    e2e, flo, one = lab["e2e"], lab["e2e_floor"], lab["one_insert"]
    idle = lab["idle"]
    h, d = lab["heap"], lab["dom"]
    rows = [
        [
            f"e2e: {n:,} rows as 1,000-row DataFrames, first `w.stream` → `data-count` = {n:,}",
            f"{rate(e2e['rows_per_s'])} rows/s ({e2e['seconds']:.2f} s)",
            f"transport floor {rate(flo['rows_per_s'])} rows/s ({flo['seconds']:.2f} s)",
            f"{e2e['rows_per_s'] / flo['rows_per_s']:.2f}× floor",
        ],
        [
            f"one {n:,}-row insert: `w.stream(df)` → `data-count` = {n:,}",
            f"{one['seconds']:.2f} s ({rate(one['rows_per_s'])} rows/s)",
            "decode+apply alone in a bare page: see below",
            "",
        ],
    ]
    for key, label in (
        ("latency", "single-row latency, a row every ~0.1 s from a running cell"),
        ("latency_cell", "single-row latency, one cell run (Shift+Enter) per row"),
    ):
        lat = lab[key]
        rows.append(
            [
                f"{label}: `time.time()` before `w.insert(row, at=0, limit=20)` → row in the DOM",
                f"p50 {lat['p50']:.0f} ms, p95 {lat['p95']:.0f} ms (n={lat['n']})",
                f"min {lat['min']:.0f} ms, max {lat['max']:.0f} ms",
                "",
            ]
        )
    rows += [
        [
            f"JS heap kept per row held ({n:,} rows; V8 heap)",
            f"{h['used_per_row']:.0f} B",
            f"ArrayBuffers (Arrow data, zero-copy) {h['backing_per_row']:.0f} B/row",
            "",
        ],
        [
            f"DOM with {n:,} rows held",
            f"{d['rows']} row elements, {d['elements']} elements in the widget",
            f"widget elements with 0 rows: {d['elements_empty']}; whole page's DOM nodes "
            f"{h['page_nodes_before']:,} → {h['page_nodes_after']:,} (JupyterLab's own "
            "changes as cells run included)"
            if "elements_empty" in d
            else f"page DOM nodes {h['page_nodes_before']:,} → {h['page_nodes_after']:,}",
            f"{d['rows'] / n:.6f} row elements per row held",
        ],
    ]
    for mode, label in (("sweep", "jumps across all rows"), ("step", "140 px per frame")):
        sc = lab[f"scroll_{mode}"]
        rows.append(
            [
                f"scroll {sc['intervals_n']} frames ({label}): busy time per frame p50 / p95 "
                "(rAF callback → after paint)",
                f"{ms(sc['busy_p50'])} / {ms(sc['busy_p95'])} ms",
                f"idle JupyterLab page {ms(idle['busy_p50'])} / {ms(idle['busy_p95'])} ms",
                f"p95 = {sc['busy_p95'] / idle['intervals_p50']:.0%} of a frame",
            ]
        )
        rows.append(
            [
                f"scroll ({mode}): frame interval p50 / p95 / max",
                f"{ms(sc['intervals_p50'])} / {ms(sc['intervals_p95'])} / "
                f"{ms(sc['intervals_max'])} ms",
                f"idle page {ms(idle['intervals_p50'])} / {ms(idle['intervals_p95'])} / "
                f"{ms(idle['intervals_max'])} ms",
                f"{sc['intervals_p95'] / idle['intervals_p95']:.2f}× idle p95",
            ]
        )
    text = table(["measure", "livestream-widget", "floor / reference", "ratio"], rows)
    runs = (
        f"Runs (s): e2e {' / '.join(f'{x:.2f}' for x in e2e['all'])}; transport floor "
        f"{' / '.join(f'{x:.2f}' for x in flo['all'])}; one insert "
        f"{' / '.join(f'{x:.2f}' for x in one['all'])}."
    )
    return (
        text
        + "\n\n"
        + runs
        + (f"\n\nPage errors: {lab['page_errors'][:3]}" if lab.get("page_errors") else "")
    )


def browser_section(b: dict) -> str:
    n = b["rows"]
    one, split = b["one"], b["split"]
    idle = b["idle"]
    d = b["diffs"]
    frame = idle["intervals_p50"]
    rows = [
        [
            f"decode+apply one {n:,}-row insert (1 message, {mib(d['one_bytes'])} MiB)",
            f"{ms(one['total'])} ms (decode {ms(one['decode'])}, apply {ms(one['apply'])})",
            f"key-index floor {ms(b['one_key_floor']['total'])} ms; Arrow decode floor "
            f"{ms(b['one_arrow_floor']['total'])} ms",
            f"{one['total'] / b['one_key_floor']['total']:.2f}× key-index floor",
        ],
        [
            f"same rows in the default ~8 MB split ({d['split_messages']} messages)",
            f"{ms(split['total'])} ms (decode {ms(split['decode'])}, apply {ms(split['apply'])})",
            f"key-index floor {ms(b['split_key_floor']['total'])} ms; Arrow decode floor "
            f"{ms(b['split_arrow_floor']['total'])} ms",
            f"{split['total'] / b['split_key_floor']['total']:.2f}× key-index floor",
        ],
        [
            f"`new TableView` over {n:,} rows → first rendered frame",
            f"{ms(b['render']['frame'])} ms (constructor + layout {ms(b['render']['sync'])} ms)",
            f"empty-store view {ms(b['render_empty']['frame'])} ms "
            f"({ms(b['render_empty']['sync'])} ms); one display frame {ms(frame)} ms",
            f"constructor + layout {b['render']['sync'] / b['render_empty']['sync']:.2f}× "
            f"empty view; first frame {b['render']['frame'] / b['render_empty']['frame']:.2f}×",
        ],
        [
            f"DOM row elements (`[data-dom-id]`) with {n:,} rows held",
            f"{b['render']['domRows']} (first row correct: {mark(b['render']['firstRowOk'])})",
            "rows in a 400 px view (28 px rows, header, 8 rows overscan)",
            f"{b['render']['domRows'] / n:.6f} per row held",
        ],
        [
            "JS heap kept per row held (V8 heap)",
            f"{b['heap']['used_per_row']:.0f} B",
            f"wire bytes per row {d['one_bytes'] / n:.0f} B",
            f"{b['heap']['used_per_row'] / (d['one_bytes'] / n):.2f}× wire",
        ],
        [
            "ArrayBuffers kept per row held (Arrow data)",
            f"{b['heap']['backing_per_row']:.0f} B",
            f"wire bytes per row {d['one_bytes'] / n:.0f} B",
            f"{b['heap']['backing_per_row'] / (d['one_bytes'] / n):.2f}× wire",
        ],
    ]
    for mode, label in (("sweep", "jumps across all rows"), ("step", "140 px per frame")):
        s = b[f"scroll_{mode}"]
        rows.append(
            [
                f"scroll, {s['intervals_n']} positions ({label}): frame interval p50 / p95 / max",
                f"{ms(s['intervals_p50'])} / {ms(s['intervals_p95'])} / "
                f"{ms(s['intervals_max'])} ms",
                f"idle page {ms(idle['intervals_p50'])} / {ms(idle['intervals_p95'])} / "
                f"{ms(idle['intervals_max'])} ms",
                f"{s['intervals_p95'] / idle['intervals_p95']:.2f}× idle p95",
            ]
        )
        rows.append(
            [
                f"scroll ({mode}): busy time per frame p50 / p95 (rAF callback → after paint); "
                "view `draw()` p50 / p95",
                f"{ms(s['busy_p50'])} / {ms(s['busy_p95'])} ms; "
                f"{ms(s['draws_p50'])} / {ms(s['draws_p95'])} ms",
                f"idle page busy {ms(idle['busy_p50'])} / {ms(idle['busy_p95'])} ms",
                f"p95 busy = {s['busy_p95'] / frame:.0%} of a frame",
            ]
        )
    notes = [
        f"- {d['one_bytes'] / n:.0f} wire bytes per row; the Python side queued the "
        f"{n:,}-row DataFrame in {d['queue_s']:.2f} s and encoded it in {d['encode_one_s']:.2f} s "
        f"(one message) / {d['encode_split_s']:.2f} s ({d['split_messages']} messages, largest "
        f"{mib(d['split_max_message_bytes'])} MiB).",
        "- Sweep scroll ends at the bottom: last row shown "
        f"{mark(bool(b['scroll_sweep'].get('lastRowShown')))}.",
    ]
    if b.get("page_errors"):
        notes.append(f"- Page errors: {b['page_errors'][:3]}")
    return (
        table(["measure", "livestream-widget", "floor (same page, same run)", "ratio"], rows)
        + "\n\n"
        + f"Decode+apply runs (ms): one message {' / '.join(ms(x) for x in one['all'])}; "
        + f"split {' / '.join(ms(x) for x in split['all'])}.\n\n"
        + "\n".join(notes)
    )
