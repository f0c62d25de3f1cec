"""MonitoredQueue devices: monitored_queue run in the background."""

from zmqcore.constants import PUB
from zmqcore.devices.monitoredqueue import monitored_queue
from zmqcore.devices.proxydevice import ProcessProxy, Proxy, ProxyBase, ThreadProxy

__all__ = ["MonitoredQueue", "ThreadMonitoredQueue", "ProcessMonitoredQueue"]


class MonitoredQueueBase(ProxyBase):
    """The prefixes of a MonitoredQueue."""

    _in_prefix = b""
    _out_prefix = b""

    def __init__(self, in_type, out_type, mon_type=PUB, in_prefix=b"in",
                 out_prefix=b"out"):
        ProxyBase.__init__(self, in_type=in_type, out_type=out_type, mon_type=mon_type)
        self._in_prefix = in_prefix
        self._out_prefix = out_prefix

    def run_device(self):
        ins, outs, mons = self._setup_sockets()
        monitored_queue(ins, outs, mons, self._in_prefix, self._out_prefix)


class MonitoredQueue(MonitoredQueueBase, Proxy):
    """A Proxy whose monitor copies start with a prefix frame telling the
    direction: in_prefix for messages that came in on the in socket,
    out_prefix for those from the out socket.  Unlike zmq.proxy, both
    sides may be ROUTERs (the routing ids are swapped on the way).
    """


class ThreadMonitoredQueue(MonitoredQueueBase, ThreadProxy):
    """A MonitoredQueue in a background thread; see MonitoredQueue."""


class ProcessMonitoredQueue(MonitoredQueueBase, ProcessProxy):
    """A MonitoredQueue in a background process; see MonitoredQueue."""
