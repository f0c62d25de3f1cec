"""pyzmq's Poller and select() over zmq_poll."""

from zmqcore.backend._zmq import zmq_poll
from zmqcore.constants import POLLERR, POLLIN, POLLOUT


class Poller:
    """Register sockets or fds with events; poll() returns [(obj, events)]."""

    def __init__(self):
        self.sockets = []
        self._map = {}

    def __contains__(self, socket):
        return socket in self._map

    def register(self, socket, flags=POLLIN | POLLOUT):
        """Watch socket for flags; flags=0 unregisters."""
        if flags:
            if socket in self._map:
                self.sockets[self._map[socket]] = (socket, flags)
            else:
                self.sockets.append((socket, flags))
                self._map[socket] = len(self.sockets) - 1
        elif socket in self._map:
            self.unregister(socket)

    def modify(self, socket, flags=POLLIN | POLLOUT):
        """Change the events watched for socket."""
        self.register(socket, flags)

    def unregister(self, socket):
        """Stop watching socket (KeyError if it is not registered)."""
        idx = self._map.pop(socket)
        self.sockets.pop(idx)
        for s, i in self._map.items():
            if i > idx:
                self._map[s] = i - 1

    def poll(self, timeout=None):
        """Wait up to timeout ms (None or negative: forever)."""
        if timeout is None or timeout < 0:
            timeout = -1
        elif isinstance(timeout, float):
            timeout = int(timeout)
        return zmq_poll(self.sockets, timeout=timeout)


def select(rlist, wlist, xlist, timeout=None):
    """select() for sockets and fds; timeout in seconds."""
    if timeout is None:
        timeout = -1
    timeout = int(timeout * 1000.0) if timeout >= 0 else -1
    sockets = []
    for s in set(rlist + wlist + xlist):
        flags = 0
        if s in rlist:
            flags |= POLLIN
        if s in wlist:
            flags |= POLLOUT
        if s in xlist:
            flags |= POLLERR
        sockets.append((s, flags))
    ready = zmq_poll(sockets, timeout=timeout)
    rl, wl, xl = [], [], []
    for s, flags in ready:
        if flags & POLLIN:
            rl.append(s)
        if flags & POLLOUT:
            wl.append(s)
        if flags & POLLERR:
            xl.append(s)
    return rl, wl, xl


def poll(sockets, timeout=-1):
    """zmq_poll: [(socket_or_fd, events)] -> [(socket_or_fd, revents)]."""
    if timeout is None:
        timeout = -1
    return zmq_poll(sockets, timeout=int(timeout))


__all__ = ["Poller", "select", "poll"]
