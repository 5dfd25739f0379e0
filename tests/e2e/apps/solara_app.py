"""A Solara app with a live StreamWidget (tests/e2e/test_apphosts.py runs it with `solara run`).

The widget is created once per page session (`use_memo`) and shown with `solara.display`; the
"next step" button sends the next batch of ops, as later cells would in a notebook, and the
last step streams from a thread. Clicks on cells reach `on_click`, which sets a reactive
variable that the page shows.
"""

import json
import threading

import pandas as pd
import solara

from livestream_widget import StreamWidget

# Module-level reactive variables are per session in Solara: each page sees its own.
clicks = solara.reactive([])
step = solara.reactive(0)


def make_table() -> StreamWidget:
    w = StreamWidget(height=300)
    # Sent while Page renders: the page is already connected, so its front end gets them.
    w.stream(pd.DataFrame({"id": range(2000), "v": [i * 0.5 for i in range(2000)]}))

    @w.on_click
    def record(dom_id, column, value):
        clicks.value = [*clicks.value, [dom_id, column, value]]

    return w


def feed(w: StreamWidget) -> None:
    for i in range(2001, 2101):
        w.insert({"id": i, "v": float(i)})


STEPS = {
    1: lambda w: w.insert({"id": 2000, "v": -1.0}, at=0, limit=2000),  # the last row goes
    2: lambda w: w.insert({"id": 5, "v": 55.5}),  # a known dom id: updated in place
    3: lambda w: w.delete_by_dom_id("items-1"),
    4: lambda w: threading.Thread(target=feed, args=(w,)).start(),
}


@solara.component
def Page():
    w = solara.use_memo(make_table, dependencies=[])

    def next_step():
        STEPS[step.value + 1](w)
        step.value += 1

    solara.Button("next step", on_click=next_step)
    solara.display(w)
    solara.Text(str(step.value), classes=["step-done"])
    solara.Text(json.dumps(clicks.value), classes=["py-clicks"])
