"""Acknowledgements during a busy cell: route them to the kernel subshell the page sent them on.

JupyterLab >= 4.4 and Notebook 7 send comm messages on a kernel subshell when the kernel
supports subshells (ipykernel >= 7): the JupyterLab setting "Kernel Comms over subshells"
(`@jupyterlab/apputils-extension:kernels-settings`, `commsOverSubshells`, default
`perCommTarget`; also `perComm`, `disabled`). A subshell handles its messages in a thread of
its own while the main shell runs a cell, so the page's acknowledgements could reach the widget
during a busy loop and pace it.

ipykernel 7.4 decides where a comm message goes by itself, though: to the subshell of the
request that was being handled when the kernel last *published* on that comm
(`BaseComm._reply_subshell_for`, ipykernel/comm/comm.py, consulted by
`Kernel.shell_channel_thread_main`), so that a reply reaches the loop that awaits it. A widget
fed from a cell publishes from the main shell, so every acknowledgement is sent back to the
main shell, where it waits behind the running cell: measured in JupyterLab 4.6 and Notebook 7.6
with ipykernel 7.4, no acknowledgement arrived during a 4 s busy cell, whatever the setting.

So `route_delivery_messages` keeps ipykernel's rule for every message but the delivery
protocol's (`hello`, `ack`, `gap`): those go to the subshell the page sent them on (the message
header's `subshell_id`, None for the main shell: a host without subshells, or the setting off,
is unchanged). The hello matters too: it tells the kernel, before the first acknowledgement, that
this page's messages are read while cells run (delivery.py, `may_wait`).

This is the one ipykernel internal the package touches; a comm without that hook (another
kernel, an older ipykernel) is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: Front-end message kinds handled on the page's own subshell (the rest follow ipykernel).
DURING_CELLS = frozenset({"hello", "ack", "gap"})

Route = Callable[[Any, "str | None"], "str | None"]


def route_delivery_messages(comm: Any) -> bool:
    """Send this comm's hellos, acknowledgements and gap reports to the subshell they came on;
    whether the kernel offers the hook for it."""
    keep: Route | None = getattr(comm, "_reply_subshell_for", None)
    if keep is None or not callable(keep):
        return False

    def route(data: Any, sent_on: str | None) -> str | None:
        content = data.get("content") if isinstance(data, dict) else None
        if isinstance(content, dict) and content.get("kind") in DURING_CELLS:
            return sent_on
        return keep(data, sent_on)

    comm._reply_subshell_for = route
    return True
