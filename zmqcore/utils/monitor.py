"""Reading socket monitor events, as pyzmq's zmq.utils.monitor."""

import struct

from zmqcore.constants import Event


def parse_monitor_message(msg):
    """Decode a two-frame monitor message into a dict with 'event' (an
    Event), 'value' (int) and 'endpoint' (bytes)."""
    if len(msg) != 2 or len(msg[0]) != 6:
        raise RuntimeError(f"Invalid event message format: {msg}")
    event, value = struct.unpack("=hi", msg[0])
    try:
        event = Event(event & 0xFFFF)
    except ValueError:
        pass
    return {"event": event, "value": value, "endpoint": msg[1]}


def recv_monitor_message(socket, flags=0):
    """Receive and decode one event from a monitor socket."""
    return parse_monitor_message(socket.recv_multipart(flags))


__all__ = ["parse_monitor_message", "recv_monitor_message"]
