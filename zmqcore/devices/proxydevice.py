"""Proxy devices: a QUEUE whose traffic is also copied to a third socket."""

from zmqcore.backend._zmq import proxy
from zmqcore.constants import PUB
from zmqcore.devices.basedevice import Device, ProcessDevice, ThreadDevice, _SocketPlan

__all__ = ["Proxy", "ThreadProxy", "ProcessProxy"]


class ProxyBase:
    """The monitor socket's part of a Proxy; mixed in ahead of a Device."""

    def __init__(self, in_type, out_type, mon_type=PUB):
        Device.__init__(self, in_type=in_type, out_type=out_type)
        self.mon_type = mon_type
        self._plans["mon"] = _SocketPlan()

    def bind_mon(self, addr):
        """Bind the monitor socket to addr when the device starts."""
        self._plans["mon"].binds.append(addr)

    def connect_mon(self, addr):
        """Connect the monitor socket to addr when the device starts."""
        self._plans["mon"].connects.append(addr)

    def setsockopt_mon(self, opt, value):
        """Set an option on the monitor socket when the device starts."""
        self._plans["mon"].sockopts.append((opt, value))

    def bind_mon_to_random_port(self, addr, *args, **kwargs):
        """Pick a free port on addr now, bind the monitor socket to it when
        the device starts; returns the port."""
        port = self._reserve_random_port(addr, *args, **kwargs)
        self.bind_mon("%s:%i" % (addr, port))
        return port

    def _setup_sockets(self):
        ins, outs = Device._setup_sockets(self)
        mons = self._context.socket(self.mon_type)
        self._sockets.append(mons)
        self._plans["mon"].apply(mons)
        return ins, outs, mons

    def run_device(self):
        ins, outs, mons = self._setup_sockets()
        proxy(ins, outs, mons)


class Proxy(ProxyBase, Device):
    """A QUEUE device that also sends a copy of every message part to a
    monitor socket (``mon_type``, PUB by default).

    Configure the monitor socket with bind_mon, connect_mon and
    setsockopt_mon, like the in and out sockets; see Device.
    """


class ThreadProxy(ProxyBase, ThreadDevice):
    """A Proxy in a background thread; see Proxy."""


class ProcessProxy(ProxyBase, ProcessDevice):
    """A Proxy in a background process; see Proxy."""
