"""monitored_queue: a queue between two sockets that reports every message,
with its direction, on a third (runs in the core, without the GIL)."""

from zmqcore.backend._zmq import monitored_queue

__all__ = ["monitored_queue"]
