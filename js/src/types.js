// @ts-check
// Types shared across modules, for `tsc` only: JSDoc typedefs and no code. The wire messages
// are those of docs/protocol.md; keep the two in step. Import one with
// `@typedef {import("./types.js").Name} Name`.

// ---- kernel -> browser ------------------------------------------------------------------

/**
 * One `diff` message as it arrives, before decodeDiff checks it (any field may be missing or
 * of the wrong type: decodeDiff says which).
 * @typedef {object} DiffContent
 * @property {"diff"} kind
 * @property {number} protocol wire protocol version (2)
 * @property {number} seq 1, 2, 3, ... per widget; a jump means messages were lost
 * @property {string | null} [prefix] the widget's name + "-": default dom ids are prefix + key
 * @property {WireOp[]} ops applied in list order
 * @property {boolean} [resent] a diff sent again after a `gap`
 */

/**
 * @typedef {WireInsert | WireDelete | WireReset} WireOp
 */

/**
 * Insert `rows` rows from the Arrow IPC stream in buffers[buffer]: one insert per row, each
 * with these at / limit / update_only (docs/protocol.md).
 * @typedef {object} WireInsert
 * @property {"insert"} op
 * @property {number} buffer index into the message's buffers
 * @property {number} rows row count, for checking
 * @property {number} [at] -1 (default): end; 0: start; N: before the row now at N
 * @property {number | null} [limit] < 0: keep the last -limit rows; >= 0: the first limit
 * @property {boolean} [update_only] drop rows whose dom id is not held
 * @property {string | null} [key] integer column the dom ids are made from (prefix + value);
 *   absent: a utf8 `__dom_id` column holds them
 */

/**
 * @typedef {object} WireDelete
 * @property {"delete"} op
 * @property {string[]} dom_ids removed in order; unknown ids are ignored
 */

/**
 * @typedef {object} WireReset
 * @property {"reset"} op
 */

/**
 * A diff after decodeDiff: checked, defaults filled in, Arrow tables decoded.
 * @typedef {object} Diff
 * @property {number} seq
 * @property {string | null} prefix
 * @property {Op[]} ops
 */

/** @typedef {InsertOp | DeleteOp | ResetOp} Op */

/**
 * @typedef {object} InsertOp
 * @property {"insert"} op
 * @property {import("apache-arrow").Table} table
 * @property {number} at
 * @property {number | null} limit
 * @property {boolean} update_only
 * @property {number} rows
 * @property {string | null} key
 */

/**
 * @typedef {object} DeleteOp
 * @property {"delete"} op
 * @property {string[]} dom_ids
 */

/**
 * @typedef {object} ResetOp
 * @property {"reset"} op
 */

/**
 * Reply to `hello`.
 * @typedef {object} WelcomeMessage
 * @property {"welcome"} kind
 * @property {number} protocol
 * @property {number} seq the last diff already sent
 * @property {boolean} [replay] the widget has a replay= loader and reloads its rows from it
 * @property {number} [resend_from] the kernel kept the diffs from here and resends them now
 */

/**
 * Answer to a `gap` for diffs the kernel no longer keeps.
 * @typedef {object} LostMessage
 * @property {"lost"} kind
 * @property {number} from
 * @property {number} to
 */

/**
 * The kernel asks for the rows this front end holds (`w.fetch_rows()`): replies are `rows`.
 * @typedef {object} FetchMessage
 * @property {"fetch"} kind
 * @property {string} request id the replies carry
 * @property {"display" | "stream"} order display: the user's sort and filter applied
 */

/**
 * The kernel has what it asked for (or gave up): stop sending rows for this request.
 * @typedef {object} FetchEndMessage
 * @property {"fetch_end"} kind
 * @property {string} request
 */

/** @typedef {DiffContent | WelcomeMessage | LostMessage | FetchMessage | FetchEndMessage} KernelMessage */

/**
 * What anywidget hands a custom message's binary buffers as (JupyterLab: DataViews, Colab:
 * Uint8Arrays); protocol.toBytes accepts each.
 * @typedef {ArrayBuffer | ArrayBufferView} WireBuffer
 */

// ---- browser -> kernel ------------------------------------------------------------------

/**
 * @typedef {object} HelloMessage
 * @property {"hello"} kind
 * @property {string} frontend random per front-end instance
 * @property {number} expected the next seq it wants
 * @property {number | null} first the first seq it applied (not 1: it began late)
 * @property {number} count rows it holds (0 for a new page: the kernel's `count` follows)
 */

/**
 * @typedef {object} AckMessage
 * @property {"ack"} kind
 * @property {string} frontend
 * @property {number} seq the diff just applied
 * @property {number} count rows the browser now holds
 */

/**
 * Diffs expected..received-1 never arrived: please resend them.
 * @typedef {object} GapMessage
 * @property {"gap"} kind
 * @property {number} expected
 * @property {number} received
 */

/**
 * @typedef {object} ErrorMessage
 * @property {"error"} kind
 * @property {string} frontend
 * @property {number | null} seq the diff that could not be applied
 * @property {string} message
 */

/**
 * The Retry / Cancel buttons of a `stream_async` load.
 * @typedef {{ kind: "retry" } | { kind: "cancel" }} LoadMessage
 */

/**
 * A click on a cell (column null: the row, e.g. Enter on the focused row).
 * @typedef {object} ClickMessage
 * @property {"click"} kind
 * @property {string} dom_id
 * @property {string | null} column
 * @property {JsonValue} value
 */

/**
 * A row button of `actions` was pressed.
 * @typedef {object} ActionMessage
 * @property {"action"} kind
 * @property {string} name
 * @property {string} dom_id
 */

/**
 * The first ("top") or last ("bottom") row came into view (infinite scroll).
 * @typedef {object} ViewportMessage
 * @property {"viewport"} kind
 * @property {Edge} edge
 * @property {string} dom_id
 */

/**
 * The first rows this front end holds (buffers: Arrow IPC streams, runs of rows in order).
 * @typedef {object} SnapshotMessage
 * @property {"snapshot"} kind
 * @property {string} frontend
 * @property {string[]} ids dom ids of the rows, in order
 * @property {number} total rows it holds
 */

/**
 * One chunk of the rows a `fetch` asked for: buffers[0] is one Arrow IPC stream of `rows` rows
 * (none with `error`); chunks are numbered from 0 and the last says so.
 * @typedef {object} RowsMessage
 * @property {"rows"} kind
 * @property {string} frontend
 * @property {string} request the `fetch` it answers
 * @property {number} chunk 0, 1, 2, ...
 * @property {boolean} last
 * @property {number} rows rows in this chunk
 * @property {number} total rows in all chunks
 * @property {string} [error] why the rows could not be sent (then last is true)
 */

/**
 * @typedef {RowsMessage | SnapshotMessage | HelloMessage | AckMessage | (GapMessage & { frontend: string }) | ErrorMessage
 *   | LoadMessage | ClickMessage | ActionMessage | ViewportMessage} BrowserMessage
 */

/** A value as JSON for Python (events.jsonValue). @typedef {number | string | boolean | null} JsonValue */

/** @typedef {"top" | "bottom"} Edge */

// ---- synced traits ------------------------------------------------------------------------

/**
 * Display options of one column (`column_options` in Python).
 * @typedef {object} ColumnOptions
 * @property {string} [label]
 * @property {number | null} [width] px
 * @property {string | null} [format] a Python number spec (",.2f") or strftime pattern
 * @property {"left" | "right" | "center"} [align]
 * @property {boolean} [hidden]
 * @property {string | null} [timezone] "UTC" or an IANA zone to show zoned times in
 * @property {boolean} [summary] false: no summary under this column's header
 */

/**
 * The kernel's async loading state, as the trait holds it (status.normalize makes it whole).
 * @typedef {object} AsyncState
 * @property {"idle" | "loading" | "ok" | "failed"} status
 * @property {boolean} ok
 * @property {boolean} loading
 * @property {boolean} skeleton hide the rows behind skeleton rows (stream_async(reset=True))
 * @property {string | null} failed
 * @property {number} rows
 * @property {boolean} can_retry
 * @property {number | null} total
 * @property {number | null} rate
 * @property {boolean} progress
 */

/** @typedef {{ column: string, descending: boolean }} Sort */

/**
 * The traits the front end reads (and the few it writes: selected, sort, filter). Values may
 * be null or missing before the kernel sets them, hence the fallbacks where they are read.
 * @typedef {object} Traits
 * @property {string | number} height CSS height of the scroller, e.g. "400px"
 * @property {string} empty_message
 * @property {string[] | null} columns column names before any row arrived
 * @property {Partial<AsyncState> | null} async_state
 * @property {DataView | null} _snapshot saved first rows (Arrow IPC), shown where no kernel streams
 * @property {{ rows?: number, total?: number, partial?: boolean } | null} snapshot_info
 * @property {number} snapshot_rows
 * @property {number} snapshot_bytes
 * @property {string[]} selected dom ids
 * @property {"none" | "single" | "multiple"} selection
 * @property {Sort | null} sort
 * @property {string} filter
 * @property {boolean} filter_box
 * @property {boolean} export_buttons
 * @property {string} name the stream's name (files are named after it)
 * @property {boolean} summaries live column summaries under the header
 * @property {boolean} follow
 * @property {boolean} highlight_updates
 * @property {string[]} actions
 * @property {Record<string, ColumnOptions>} column_options
 * @property {string | null} template
 * @property {number | null} row_height
 * @property {Partial<Record<Edge, "" | "loading" | "end">>} edges
 * @property {Edge[]} _viewport_handlers
 */

/**
 * The part of anywidget's model the front end uses.
 * @typedef {object} Model
 * @property {<K extends keyof Traits>(name: K) => Traits[K] | undefined} get
 * @property {<K extends keyof Traits>(name: K, value: Traits[K]) => void} set
 * @property {() => void} save_changes
 * @property {(content: BrowserMessage, callbacks?: unknown, buffers?: ArrayBuffer[] | ArrayBufferView[]) => void} send
 * @property {(event: string, callback: (...args: unknown[]) => void) => void} on
 *   (msg:custom gives content and buffers, change:name nothing the view uses)
 * @property {(event: string, callback: (...args: unknown[]) => void) => void} off
 */

// ---- view ---------------------------------------------------------------------------------

/** A visible message about the stream's health. @typedef {{ level: "info" | "warn" | "error", text: string }} Notice */

/**
 * The notices of a model, shared by its views (index.js).
 * @typedef {object} NoticeBoard
 * @property {() => Notice[]} list
 * @property {(fn: () => void) => () => void} onChange calls fn on every change; returns "stop"
 */

/**
 * A shown column with its options resolved (columns.layoutColumns).
 * @typedef {object} Column
 * @property {string} name
 * @property {string} label
 * @property {number | null} width
 * @property {string | null} format
 * @property {string} align
 * @property {import("apache-arrow").DataType | undefined} type its newest Arrow type
 * @property {string | null} timezone
 * @property {boolean} summary whether it gets a summary (when the `summaries` trait is on)
 */

/**
 * Rows in display order, as Controls and Follow read them (order.RowOrder).
 * @typedef {object} DisplayOrder
 * @property {number} size
 * @property {(domId: string) => number} indexOf -1 when absent or filtered out
 * @property {(i: number) => string | undefined} domIdAt
 */

/**
 * What events.Controls may use of its view: the elements it listens on, the model, the
 * display order and a few callbacks; never the view's own fields.
 * @typedef {object} ControlsHost
 * @property {{ scroller: HTMLElement, rowsBox: HTMLElement, header: HTMLElement,
 *   filterInput: HTMLInputElement, badge: HTMLElement, summaries?: HTMLElement }} elements
 *   (summaries: the row of column summaries under the header, sticky like it)
 * @property {Model} model
 * @property {DisplayOrder} order
 * @property {(j: number) => Column | undefined} columnAt the column shown at index j
 * @property {(domId: string, column: string) => unknown} valueOf a row's value
 * @property {() => number} rowHeight px
 * @property {() => void} schedule redraw at the next frame
 * @property {(column: string, px: number) => void} setWidth the user resized a column
 * @property {() => void} jumpToEnd follow the tail again, reposition at the next draw
 */

export {};
