"""Steerable proxy devices: a Proxy that also obeys a control socket
(PAUSE, RESUME, TERMINATE, STATISTICS)."""

from zmqcore.backend._zmq import proxy_steerable
from zmqcore.constants import PUB
from zmqcore.devices.basedevice import _SocketPlan
from zmqcore.devices.proxydevice import ProcessProxy, Proxy, ThreadProxy

__all__ = ["ProxySteerable", "ThreadProxySteerable", "ProcessProxySteerable"]


class ProxySteerableBase:
    """The control socket's part of a ProxySteerable."""

    def __init__(self, in_type, out_type, mon_type=PUB, ctrl_type=None):
        super().__init__(in_type=in_type, out_type=out_type, mon_type=mon_type)
        self.ctrl_type = ctrl_type
        self._plans["ctrl"] = _SocketPlan()

    def bind_ctrl(self, addr):
        """Bind the control socket to addr when the device starts."""
        self._plans["ctrl"].binds.append(addr)

    def connect_ctrl(self, addr):
        """Connect the control socket to addr when the device starts."""
        self._plans["ctrl"].connects.append(addr)

    def setsockopt_ctrl(self, opt, value):
        """Set an option on the control socket when the device starts."""
        self._plans["ctrl"].sockopts.append((opt, value))

    def bind_ctrl_to_random_port(self, addr, *args, **kwargs):
        """Pick a free port on addr now, bind the control socket to it when
        the device starts; returns the port."""
        port = self._reserve_random_port(addr, *args, **kwargs)
        self.bind_ctrl("%s:%i" % (addr, port))
        return port

    def _setup_sockets(self):
        ins, outs, mons = super()._setup_sockets()
        ctrls = self._context.socket(self.ctrl_type)
        self._sockets.append(ctrls)
        self._plans["ctrl"].apply(ctrls)
        return ins, outs, mons, ctrls

    def run_device(self):
        ins, outs, mons, ctrls = self._setup_sockets()
        proxy_steerable(ins, outs, mons, ctrls)


class ProxySteerable(ProxySteerableBase, Proxy):
    """A Proxy steered through a control socket (``ctrl_type``).

    PAUSE stops forwarding, RESUME restarts it, TERMINATE ends the device,
    STATISTICS is answered with eight uint64 frames.  Configure the control
    socket with bind_ctrl, connect_ctrl and setsockopt_ctrl.
    """


class ThreadProxySteerable(ProxySteerableBase, ThreadProxy):
    """A ProxySteerable in a background thread; see ProxySteerable."""


class ProcessProxySteerable(ProxySteerableBase, ProcessProxy):
    """A ProxySteerable in a background process; see ProxySteerable."""
