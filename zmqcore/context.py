"""pyzmq's Context: the compiled backend plus instance(), socket(),
destroy() and the context manager."""

import atexit
import threading
import weakref

from zmqcore.attrsettr import ContextAttributeSetter
from zmqcore.backend._zmq import Context as ContextBase
from zmqcore.constants import SocketOption
from zmqcore.socket import Socket

_exiting = False


@atexit.register
def _notice_exit():
    global _exiting
    _exiting = True


class Context(ContextBase, ContextAttributeSetter):
    """Creates sockets; owns the I/O threads.  ``Context(io_threads=1)``."""

    _instance = None
    _instance_lock = threading.Lock()
    _instance_pid = None
    _socket_class = Socket

    def __init__(self, io_threads=1, **kwargs):
        self._sockets = weakref.WeakSet()
        self._sockets_lock = threading.Lock()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.destroy()

    def __repr__(self):
        state = "terminated " if self.closed else ""
        return f"<{type(self).__module__}.{type(self).__name__}() {state}at {hex(id(self))}>"

    @classmethod
    def instance(cls, io_threads=1):
        """The process-wide shared Context, made on first use."""
        import os
        with cls._instance_lock:
            inst = cls._instance
            if inst is None or inst.closed or cls._instance_pid != os.getpid():
                inst = cls(io_threads=io_threads)
                cls._instance = inst
                cls._instance_pid = os.getpid()
        return inst

    def socket(self, socket_type, socket_class=None, **kwargs):
        """A new socket of socket_type (zmqcore.PUSH, ...)."""
        cls = socket_class or self._socket_class
        s = cls(self, socket_type, **kwargs)
        with self._sockets_lock:
            self._sockets.add(s)
        return s

    def term(self):
        """Terminate: blocking calls on every socket raise ContextTerminated,
        then wait until all sockets are closed."""
        super().term()

    def destroy(self, linger=None):
        """Close every socket made by this context (with linger, if given),
        then terminate."""
        if self.closed:
            return
        with self._sockets_lock:
            sockets = list(self._sockets)
            self._sockets = weakref.WeakSet()
        for s in sockets:
            if not s.closed:
                s.close(linger=linger)
        self.term()

    def setsockopt(self, opt, value):
        raise NotImplementedError("default socket options are not supported yet")

    def _set_attr_opt(self, name, opt, value):
        self.set(opt, value)

    def _get_attr_opt(self, name, opt):
        return self.get(opt)
