"""zmqcore: ZeroMQ rebuilt for Python, with pyzmq's API.

``import zmqcore as zmq`` runs code written for pyzmq.
"""

from zmqcore._version import __version__
from zmqcore import constants
from zmqcore.constants import *  # noqa: F401,F403
from zmqcore.error import *  # noqa: F401,F403
from zmqcore.error import strerror
from zmqcore.backend._zmq import Frame, Message, MessageTracker
from zmqcore.socket import Socket
from zmqcore.context import Context
from zmqcore.poll import Poller, poll, select, zmq_poll
from zmqcore.backend._zmq import device, proxy, proxy_steerable

# The libzmq release whose behaviour (and wire) zmqcore matches.
_LIBZMQ_VERSION = (4, 3, 5)

# What has() answers True for; grows as transports and mechanisms land.
_CAPABILITIES = frozenset({"ipc"})

version_info = tuple(int(x) for x in __version__.split(".")[:3])


def zmq_version_info():
    """The libzmq version zmqcore behaves like: (4, 3, 5)."""
    return _LIBZMQ_VERSION


def zmq_version():
    return "%i.%i.%i" % _LIBZMQ_VERSION


def pyzmq_version_info():
    return version_info


def pyzmq_version():
    return __version__


def has(capability):
    """Whether a capability ('ipc', 'pgm', 'tipc', 'norm', 'curve',
    'gssapi', 'draft') is available."""
    return capability in _CAPABILITIES


def get_includes():
    import os
    return [os.path.join(os.path.dirname(__file__), os.pardir, "include")]


__all__ = (
    ["__version__", "Context", "Socket", "Frame", "Message", "MessageTracker",
     "Poller", "poll", "select", "zmq_poll", "zmq_version_info", "zmq_version",
     "pyzmq_version_info", "pyzmq_version", "has", "strerror", "constants"]
    + ["device", "proxy", "proxy_steerable"]
    + constants.__all__
    + ["ZMQBaseError", "ZMQError", "ZMQBindError", "NotDone", "Again",
       "ContextTerminated", "InterruptedSystemCall", "ZMQVersionError"]
)
