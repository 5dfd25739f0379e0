"""Launch a stock ipykernel whose IOPub send queue is unbounded (ZMQ SNDHWM = 0).

ipykernel's IOPub socket keeps ZMQ's default high-water mark (1000 messages per subscriber)
and silently drops above it. A benchmark must not lose messages, so every contender runs in a
kernel started by this file (the same condition as the peers in REFERENCE §3). Nothing else
about the kernel changes.
"""

import zmq
from ipykernel.kernelapp import IPKernelApp

_init_iopub = IPKernelApp.init_iopub


def _init_iopub_unbounded(self, context):
    # Sockets created after this (the IOPub XPUB and its thread pipes) get no send limit.
    context.setsockopt(zmq.SNDHWM, 0)
    _init_iopub(self, context)


IPKernelApp.init_iopub = _init_iopub_unbounded

if __name__ == "__main__":
    IPKernelApp.launch_instance()
