"""Events from the browser reach Python callbacks (real kernel, real comm), bad ones are ignored,
view-state traits are checked, and `paginate` streams pages as LiveView's infinite scroll does
without the kernel keeping a row."""

import time

import pytest
import traitlets

from livestream_widget import StreamWidget


def send(s, **content):
    s.kernel.send_comm(s.comm_id, content)
    s.kernel.run("pass")  # let the kernel read it


def test_clicks_actions_and_edges_call_their_handlers(stream):
    s = stream("actions=['delete', 'pin']")
    s.run(
        "got = []\n"
        "w.on_click(lambda *a: got.append(('click',) + a))\n"
        "w.on_action('delete')(lambda d: got.append(('delete', d)))\n"
        "w.on_viewport_bottom(lambda d: got.append(('bottom', d)))\n"
        "w.on_viewport_top(lambda d: got.append(('top', d)))"
    )
    send(s, kind="click", dom_id="items-1", column="price", value=1.5)
    send(s, kind="click", dom_id="items-2", column=None, value=None)
    send(s, kind="action", name="delete", dom_id="items-3")
    send(s, kind="viewport", edge="bottom", dom_id="items-9")
    send(s, kind="viewport", edge="top", dom_id="items-0")
    assert s.kernel.eval("got") == [
        ("click", "items-1", "price", 1.5),
        ("click", "items-2", None, None),
        ("delete", "items-3"),
        ("bottom", "items-9"),
        ("top", "items-0"),
    ]
    assert s.kernel.eval("w._viewport_handlers") == ["bottom", "top"]


@pytest.mark.parametrize(
    "content",
    [
        {"kind": "click", "column": "x"},  # no dom id
        {"kind": "click", "dom_id": 5},
        {"kind": "click", "dom_id": "items-1", "column": ["x"]},
        {"kind": "action", "name": "rm -rf", "dom_id": "items-1"},  # not in `actions`
        {"kind": "action", "name": "pin", "dom_id": "items-1"},  # no handler: nothing to call
        {"kind": "viewport", "edge": "left", "dom_id": "items-1"},
    ],
)
def test_bad_event_messages_are_ignored(stream, content):
    s = stream("actions=['pin']")
    s.run("got = []\nw.on_click(lambda *a: got.append(a))")
    send(s, **content)
    assert s.kernel.eval("got") == []
    send(s, kind="click", dom_id="items-1", column="v", value={"not": "json scalar"})
    assert s.kernel.eval("got") == [("items-1", "v", None)]  # the kernel still answers


def test_a_failing_handler_is_logged_and_the_widget_goes_on(stream):
    s = stream()
    s.run("w.on_click(lambda *a: 1 / 0)\nok = []\nw.on_click(lambda *a: ok.append(a[0]))")
    send(s, kind="click", dom_id="items-1", column=None, value=None)
    assert s.kernel.eval("ok") == ["items-1"]


def test_view_state_traits_are_checked():
    w = StreamWidget(columns=["id", {"name": "price", "label": "Price", "format": ",.2f"}])
    assert w.columns == ["id", "price"]
    assert w.column_options == {"price": {"label": "Price", "format": ",.2f"}}
    w.sort = {"column": "price", "descending": 1}
    assert w.sort == {"column": "price", "descending": True}
    assert w.summaries is True
    w.column_options = {"id": {"summary": False}}
    assert w.column_options == {"id": {"summary": False}}
    for trait, bad in [
        ("column_options", {"id": {"summary": "no"}}),
        ("sort", {"col": "price"}),
        ("column_options", {"price": {"colour": "red"}}),
        ("column_options", {"price": {"align": "middle"}}),
        ("column_options", {"price": {"width": -3}}),
        ("row_height", 4),
        ("selection", "many"),
    ]:
        with pytest.raises((traitlets.TraitError, ValueError, TypeError)):
            setattr(w, trait, bad)
    with pytest.raises(TypeError, match="name"):
        StreamWidget(columns=[{"label": "no name"}])
    with pytest.raises(TypeError, match="on_action"):
        w.on_action(None)
    w.close()


def test_paginate_streams_pages_both_ways_and_keeps_no_rows(stream):
    s = stream()
    s.run(
        "import weakref\nmade = []\n"
        "def fetch(page):\n"
        "    n = 3 if page < 4 else 1\n"
        "    df = pd.DataFrame({'id': range(page * 3, page * 3 + n), 'page': page})\n"
        "    made.append(weakref.ref(df))\n"
        "    return df\n"
        "pages = w.paginate(fetch, per_page=3, keep_pages=2)"
    )

    def state():
        s.kernel.drain(0.2)
        return s.kernel.eval("[pages.top, pages.bottom, pages.at_end, w.edges['bottom']]")

    def edge(where, dom_id):
        send(s, kind="viewport", edge=where, dom_id=dom_id)
        deadline = time.monotonic() + 10
        while s.kernel.eval("pages._busy.locked()") and time.monotonic() < deadline:
            time.sleep(0.05)

    deadline = time.monotonic() + 10
    while s.kernel.eval("pages.bottom") < 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert state() == [0, 0, False, ""]
    assert s.sync().keys() == [0, 1, 2]
    edge("bottom", "items-2")
    edge("bottom", "items-5")  # keep 2 pages: page 0 is pruned
    assert state() == [1, 2, False, ""]
    assert s.sync().keys() == [3, 4, 5, 6, 7, 8]
    edge("top", "items-3")  # page 0 comes back above, in its own order; page 2 is pruned
    assert state() == [0, 1, False, ""]
    assert s.sync().keys() == [0, 1, 2, 3, 4, 5]
    edge("top", "items-0")  # nothing before page 0
    for where, dom_id in [("bottom", "items-5"), ("bottom", "items-8"), ("bottom", "items-11")]:
        edge(where, dom_id)
    assert state() == [3, 4, True, "end"]  # page 4 had 1 row: the end
    assert s.sync().keys() == [7, 8, 9, 10, 11, 12]  # limit=-6: the last 6 rows
    edge("bottom", "items-12")  # at the end: nothing more is fetched
    assert s.kernel.eval("len(made)") == 7  # pages 0 1 2, 0 again, 2 3 4
    s.run("import gc; gc.collect()")
    assert s.kernel.eval("[r() is None for r in made]") == [True] * 7


def test_paginate_with_a_coroutine_and_a_failing_page(stream):
    s = stream()
    s.run(
        "import asyncio\n"
        "async def fetch(page):\n"
        "    await asyncio.sleep(0.01)\n"
        "    if page == 1: raise RuntimeError('db down')\n"
        "    return [{'id': page * 2 + i} for i in range(2)]\n"
        "pages = w.paginate(fetch, per_page=2)"
    )
    s.kernel.run("time.sleep(0.1)")
    s.kernel.drain(0.3)
    assert s.sync().keys() == [0, 1]
    send(s, kind="viewport", edge="bottom", dom_id="items-1")
    s.kernel.drain(0.3)
    s.kernel.run("pass")
    assert s.kernel.eval("[repr(pages.error), pages.bottom, w.edges['bottom']]") == [
        "RuntimeError('db down')",
        0,
        "",
    ]


def test_viewport_handlers_can_load_pages_with_stream_async(stream):
    s = stream()
    s.run(
        "from livestream_widget import StreamItems\n"
        "page = [0]\n"
        "def load():\n"
        "    page[0] += 1\n"
        "    rows = [{'id': page[0] * 10 + i} for i in range(10)]\n"
        "    return StreamItems(rows, at=-1, limit=-20)\n"
        "w.on_viewport_bottom(lambda dom_id: w.stream_async(load))\n"
        "w.stream([{'id': i} for i in range(10)])"
    )
    for last in ("items-9", "items-19", "items-29"):
        send(s, kind="viewport", edge="bottom", dom_id=last)
        deadline = time.monotonic() + 10
        while s.kernel.eval("w.async_result.loading") and time.monotonic() < deadline:
            time.sleep(0.05)
    assert s.sync().keys() == list(range(20, 40))
    assert s.kernel.eval("w.async_result.ok")
