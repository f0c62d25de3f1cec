"""pyzmq's Context: the compiled backend plus instance(), socket(),
destroy() and the context manager."""

import atexit
import threading
import weakref

from zmqcore.attrsettr import ContextAttributeSetter
from zmqcore.backend._zmq import Context as ContextBase
import errno

from zmqcore.constants import ContextOption, SocketOption
from zmqcore.error import ZMQError
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
    sockopts = None

    def __init__(self, io_threads=1, **kwargs):
        self._sockets = weakref.WeakSet()
        self._sockets_lock = threading.Lock()
        self.sockopts = {}

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
        if self.closed:
            raise ZMQError(errno.ENOTSUP)
        cls = socket_class or self._socket_class
        s = cls(self, socket_type, **kwargs)
        for opt, value in self.sockopts.items():
            try:
                s.set(opt, value)
            except ZMQError:
                pass    # not valid for this socket type
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
        """A default option for sockets this context makes from now on."""
        self.sockopts[opt] = value

    def getsockopt(self, opt):
        """The default set with setsockopt (KeyError if none)."""
        return self.sockopts[opt]

    def __setattr__(self, key, value):
        if not key.startswith("_") and key not in self.__dict__ and not hasattr(type(self), key):
            name = key.upper()
            if name in SocketOption.__members__ and name not in ContextOption.__members__:
                self.sockopts[SocketOption[name]] = value
                return
        super().__setattr__(key, value)

    def __getattr__(self, key):
        name = key.upper()
        if not key.startswith("_") and name in SocketOption.__members__ \
                and name not in ContextOption.__members__:
            try:
                return self.sockopts[SocketOption[name]]
            except KeyError:
                raise AttributeError(key) from None
        return super().__getattr__(key)
