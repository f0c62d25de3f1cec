"""pyzmq's Socket: the compiled backend plus multipart, strings, JSON,
pickles and attribute options.  send() and recv() are the backend's own
methods, reached without a Python-level wrapper."""

import errno as _errno
import json
import pickle
import random

from zmqcore.attrsettr import AttributeSetter
from zmqcore.backend._zmq import Frame, Socket as SocketBase
from zmqcore.constants import SNDMORE, SocketOption, SocketType
from zmqcore.error import ZMQBindError, ZMQError

_DEFAULT_PROTOCOL = pickle.DEFAULT_PROTOCOL


class _SocketContext:
    """What bind()/connect() return: ``with s.bind(url):`` unbinds after."""

    def __init__(self, socket, addr, undo):
        self.socket = socket
        self.addr = addr
        self._undo = undo

    def __enter__(self):
        return self.socket

    def __exit__(self, *exc):
        if not self.socket.closed:
            self._undo(self.addr)

    def __repr__(self):
        return f"<SocketContext({self.addr!r})>"


class Socket(SocketBase, AttributeSetter):
    """A ZeroMQ socket (pyzmq-compatible).

    Make one with ``ctx.socket(zmqcore.PUSH)``.
    """

    def __init__(self, *args, **kwargs):
        # Everything was done by the backend's __cinit__.
        pass

    def __del__(self):
        if not self.closed:
            self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        state = "closed " if self.closed else ""
        try:
            kind = SocketType(self.get(SocketOption.TYPE)).name if not self.closed else "?"
        except Exception:
            kind = "?"
        return f"<{type(self).__module__}.{type(self).__name__}({kind}) {state}at {hex(id(self))}>"

    def __copy__(self):
        raise TypeError("zmqcore sockets cannot be copied")

    __deepcopy__ = __copy__

    # --- attribute options ------------------------------------------------

    def _set_attr_opt(self, name, opt, value):
        if name == "HWM":
            self.set_hwm(value)
        else:
            self.set(opt, value)

    def _get_attr_opt(self, name, opt):
        if name == "HWM":
            return self.get_hwm()
        return self.get(opt)

    def set_hwm(self, value):
        """Set SNDHWM and RCVHWM together."""
        self.set(SocketOption.SNDHWM, value)
        self.set(SocketOption.RCVHWM, value)

    def get_hwm(self):
        """SNDHWM (pyzmq returns it for the legacy HWM)."""
        return self.get(SocketOption.SNDHWM)

    hwm = property(get_hwm, set_hwm)

    def setsockopt_string(self, option, optval, encoding="utf-8"):
        if not isinstance(optval, str):
            raise TypeError(f"strings only, not {type(optval)}")
        self.set(option, optval.encode(encoding))

    set_string = setsockopt_string

    def getsockopt_string(self, option, encoding="utf-8"):
        value = self.get(option)
        if not isinstance(value, bytes):
            raise TypeError(f"option {option} will not return a string")
        return value.decode(encoding)

    get_string = getsockopt_string

    def subscribe(self, topic):
        """Subscribe to a topic prefix (SUB sockets); str is encoded as UTF-8."""
        if isinstance(topic, str):
            topic = topic.encode("utf8")
        self.set(SocketOption.SUBSCRIBE, topic)

    def unsubscribe(self, topic):
        """Cancel one subscription to a topic prefix (SUB sockets)."""
        if isinstance(topic, str):
            topic = topic.encode("utf8")
        self.set(SocketOption.UNSUBSCRIBE, topic)

    @property
    def socket_type(self):
        return self.type

    # --- endpoints --------------------------------------------------------

    def bind(self, addr):
        """Bind to ``transport://address``.  The result can be used as a
        context manager that unbinds on exit."""
        super().bind(addr)
        return _SocketContext(self, addr, self.unbind)

    def connect(self, addr):
        """Connect to ``transport://address``.  The result can be used as a
        context manager that disconnects on exit."""
        super().connect(addr)
        return _SocketContext(self, addr, self.disconnect)

    _monitor_socket = None

    def get_monitor_socket(self, events=None, addr=None):
        """Start monitoring and return a PAIR socket that receives the
        events (read them with zmqcore.utils.monitor.recv_monitor_message)."""
        if self._monitor_socket is not None and not self._monitor_socket.closed:
            return self._monitor_socket
        if addr is None:
            addr = f"inproc://monitor.s-{self.underlying:x}"
        if events is None:
            events = 0xffff
        self.monitor(addr, events)
        sock = self.context.socket(SocketType.PAIR)
        sock.connect(addr)
        self._monitor_socket = sock
        return sock

    def disable_monitor(self):
        """Stop monitoring (a MONITOR_STOPPED event is sent first)."""
        self._monitor_socket = None
        self.monitor(None, 0)

    def recv_into(self, buffer, nbytes=0, flags=0):
        """Receive into a writable buffer; returns the message's full size
        (the copy is truncated to the buffer, or to nbytes if given)."""
        view = memoryview(buffer).cast("B")
        if nbytes < 0:
            raise ValueError("nbytes must be non-negative")
        limit = len(view) if nbytes == 0 else min(nbytes, len(view))
        frame = self.recv(flags, copy=False)
        n = len(frame)
        m = min(n, limit)
        view[:m] = frame.buffer[:m]
        return n

    def bind_to_random_port(self, addr, min_port=49152, max_port=65536, max_tries=100):
        """Bind to a random port of addr; returns the port."""
        if min_port == 49152 and max_port == 65536:
            self.bind(f"{addr}:*")
            return int(self.get(SocketOption.LAST_ENDPOINT).decode().rsplit(":", 1)[-1])
        for _ in range(max_tries):
            port = random.randrange(min_port, max_port)
            try:
                self.bind(f"{addr}:{port}")
            except ZMQError as e:
                if e.errno not in (_errno.EADDRINUSE, _errno.EACCES):
                    raise
            else:
                return port
        raise ZMQBindError("Could not bind socket to random port.")

    # --- multipart and typed messages -------------------------------------

    def send_multipart(self, msg_parts, flags=0, copy=True, track=False, **kwargs):
        """Send a sequence of parts as one atomic message."""
        parts = list(msg_parts)
        for i, part in enumerate(parts):
            if isinstance(part, (Frame, bytes, memoryview, bytearray)):
                continue
            try:
                memoryview(part)
            except Exception:
                raise TypeError(
                    f"Frames must be bytes, buffers or Frames, not {type(part)!r} (part {i})"
                ) from None
        if not parts:
            raise ValueError("a message has at least one part")
        last = len(parts) - 1
        for part in parts[:last]:
            self.send(part, flags | SNDMORE, copy=copy, track=track)
        return self.send(parts[last], flags, copy=copy, track=track)

    def recv_multipart(self, flags=0, copy=True, track=False):
        """Receive every part of one message, as a list."""
        parts = [self.recv(flags, copy=copy, track=track)]
        while self.get(SocketOption.RCVMORE):
            parts.append(self.recv(flags, copy=copy, track=track))
        return parts

    def send_string(self, u, flags=0, copy=True, encoding="utf-8", **kwargs):
        if not isinstance(u, str):
            raise TypeError("str objects only")
        return self.send(u.encode(encoding), flags=flags, copy=copy, **kwargs)

    send_unicode = send_string

    def recv_string(self, flags=0, encoding="utf-8"):
        return self.recv(flags=flags).decode(encoding)

    recv_unicode = recv_string

    def send_pyobj(self, obj, flags=0, protocol=_DEFAULT_PROTOCOL, **kwargs):
        return self.send(pickle.dumps(obj, protocol), flags=flags, **kwargs)

    def recv_pyobj(self, flags=0):
        return pickle.loads(self.recv(flags))

    def send_json(self, obj, flags=0, **kwargs):
        send_kwargs = {k: kwargs.pop(k) for k in ("copy", "track", "routing_id", "group")
                       if k in kwargs}
        return self.send(json.dumps(obj, **kwargs).encode("utf-8"), flags=flags, **send_kwargs)

    def recv_json(self, flags=0, **kwargs):
        return json.loads(self.recv(flags), **kwargs)

    def send_serialized(self, msg, serialize, flags=0, copy=True, **kwargs):
        return self.send_multipart(serialize(msg), flags=flags, copy=copy, **kwargs)

    def recv_serialized(self, deserialize, flags=0, copy=True):
        return deserialize(self.recv_multipart(flags, copy=copy))

    def poll(self, timeout=None, flags=1):
        """Wait until the socket can recv (POLLIN) or send (POLLOUT);
        returns the events (0 on timeout).  timeout in ms."""
        if self.closed:
            raise ZMQError(_errno.ENOTSUP)
        from zmqcore.poll import Poller
        p = Poller()
        p.register(self, flags)
        evts = dict(p.poll(timeout))
        return evts.get(self, 0)
