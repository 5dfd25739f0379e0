"""Every message between the kernel and the browser, typed (docs/protocol.md is the prose).

The JS side declares the same shapes as JSDoc typedefs in js/src/types.js, checked by tsc;
golden messages (tests/write_golden.py) keep both ends agreeing.
"""

from __future__ import annotations

from typing import Literal, TypedDict

from typing_extensions import NotRequired

#: Version of the `diff` format; the browser refuses any other. The one definition: encoder.py
#: and delivery.py import it. 3: insert buffers may be compressed (LZ4 frame, ZSTD) and hold
#: dictionary-encoded string columns.
PROTOCOL_VERSION = 3

# -- kernel -> browser ------------------------------------------------------------------------


class InsertOp(TypedDict):
    op: Literal["insert"]
    buffer: int  # index into the message's buffers: one Arrow IPC stream (payload.py)
    rows: int
    at: int
    limit: int | None
    update_only: bool
    key: NotRequired[str]  # integer column the browser makes dom ids from


class DeleteOp(TypedDict):
    op: Literal["delete"]
    dom_ids: list[str]


class ResetOp(TypedDict):
    op: Literal["reset"]


Op = InsertOp | DeleteOp | ResetOp


class Diff(TypedDict):
    kind: Literal["diff"]
    protocol: int
    seq: int
    prefix: str
    ops: list[Op]
    resent: NotRequired[bool]


class Welcome(TypedDict):
    kind: Literal["welcome"]
    protocol: int
    seq: int  # the last diff sent so far
    replay: bool  # the rows are being sent again from `replay=`
    resend_from: NotRequired[int]  # diffs sent before this front end existed follow


class FetchRequest(TypedDict):
    kind: Literal["fetch"]
    request: str  # the replies carry it
    order: Literal["display", "stream"]  # display: the user's sort and filter applied


class FetchEnd(TypedDict):
    kind: Literal["fetch_end"]
    request: str  # over (done, failed, timed out, cancelled): stop sending its rows


# Diffs `from`..`to` can no longer be sent again. `from` is a Python keyword, hence this form.
Lost = TypedDict("Lost", {"kind": Literal["lost"], "from": int, "to": int})

# -- browser -> kernel ------------------------------------------------------------------------


class Ack(TypedDict):
    kind: Literal["ack"]
    frontend: str
    seq: int  # every diff up to it is applied
    count: int  # rows the front end holds


class Hello(TypedDict):
    kind: Literal["hello"]
    frontend: str
    expected: int  # the next diff it needs
    first: int | None  # the first diff it applied (not 1: it began late)
    count: NotRequired[int]  # rows it holds: a new page holds none, and `count` says so


class Gap(TypedDict):
    kind: Literal["gap"]
    frontend: str
    expected: int  # first missing diff
    received: int  # the diff that arrived after the hole


class Button(TypedDict):
    kind: Literal["retry", "cancel"]
    frontend: str


class Click(TypedDict):
    kind: Literal["click"]
    frontend: str
    dom_id: str
    column: str | None
    value: object


class Viewport(TypedDict):
    kind: Literal["viewport"]
    frontend: str
    dom_id: str
    edge: Literal["top", "bottom"]


class Action(TypedDict):
    kind: Literal["action"]
    frontend: str
    dom_id: str
    name: str


class FrontEndError(TypedDict):
    kind: Literal["error"]
    frontend: str
    seq: int | None
    message: str


class SnapshotParts(TypedDict):
    kind: Literal["snapshot"]
    frontend: str
    ids: list[str]  # dom ids of the rows in the buffers (Arrow IPC streams), in order
    total: int  # rows the front end holds


class RowsReply(TypedDict):
    kind: Literal["rows"]
    frontend: str
    request: str  # the `fetch` it answers
    chunk: int  # 0, 1, 2, ...
    last: bool
    rows: int  # rows in this chunk's buffers (Arrow IPC streams)
    total: int  # rows in all chunks
    error: NotRequired[str]  # why the page could not send them (then `last`)


FromBrowser = (
    RowsReply | SnapshotParts | Ack | Hello | Gap | Button | Click | Viewport | Action
) | FrontEndError
