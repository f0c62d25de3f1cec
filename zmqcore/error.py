"""Exceptions, with pyzmq's names and hierarchy."""

import errno as _errno_mod
import os

from zmqcore.constants import Errno

_MESSAGES = {
    Errno.EFSM: "Operation cannot be accomplished in current state",
    Errno.ENOCOMPATPROTO: "The protocol is not compatible with the socket type",
    Errno.ETERM: "Context was terminated",
    Errno.EMTHREAD: "No thread available",
}


def strerror(errno):
    """The message for an errno, libzmq's own numbers included."""
    try:
        return _MESSAGES[errno]
    except KeyError:
        return os.strerror(errno)


class ZMQBaseError(Exception):
    """Base of every zmqcore exception."""


class ZMQError(ZMQBaseError):
    """An error with an errno, as libzmq reports them.

    Attributes
    ----------
    errno : int
        The error number (libzmq's numbers for ETERM, EFSM, ...).
    strerror : str
        Its description.
    """

    errno = None
    strerror = None

    def __init__(self, errno=None, msg=None):
        if errno is None:
            errno = _errno_mod.EINVAL
        if isinstance(errno, int):
            self.errno = errno
            self.strerror = msg if msg is not None else strerror(errno)
        else:
            self.errno = None
            self.strerror = msg if msg is not None else str(errno)
        super().__init__(self.strerror)

    def __str__(self):
        return self.strerror

    def __repr__(self):
        return f"{self.__class__.__name__}({str(self)!r})"


class ZMQBindError(ZMQBaseError):
    """bind_to_random_port found no free port."""


class NotDone(ZMQBaseError):
    """A MessageTracker's wait timed out."""


class Again(ZMQError):
    """EAGAIN: the operation would block."""

    def __init__(self, errno=_errno_mod.EAGAIN, msg=None):
        super().__init__(_errno_mod.EAGAIN, msg)


class ContextTerminated(ZMQError):
    """ETERM: the context was terminated."""

    def __init__(self, errno=Errno.ETERM, msg=None):
        super().__init__(Errno.ETERM, msg)


class InterruptedSystemCall(ZMQError, InterruptedError):
    """EINTR."""

    def __init__(self, errno=_errno_mod.EINTR, msg=None):
        super().__init__(_errno_mod.EINTR, msg)


class ZMQVersionError(NotImplementedError):
    """The requested feature needs a newer libzmq."""

    def __init__(self, min_version, msg="Feature"):
        self.min_version = min_version
        self.msg = msg
        super().__init__(f"{msg} requires libzmq >= {min_version}")


_BY_ERRNO = {
    _errno_mod.EAGAIN: Again,
    Errno.ETERM: ContextTerminated,
    _errno_mod.EINTR: InterruptedSystemCall,
}


def _error_for(errno):
    """The exception to raise for an errno."""
    return _BY_ERRNO.get(errno, ZMQError)(errno)


__all__ = [
    "strerror", "ZMQBaseError", "ZMQError", "ZMQBindError", "NotDone", "Again",
    "ContextTerminated", "InterruptedSystemCall", "ZMQVersionError",
]
