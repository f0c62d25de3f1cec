"""Device, and its launchers in a thread (ThreadDevice) or a process
(ProcessDevice)."""

import errno
import multiprocessing
import threading
import time

from zmqcore.backend._zmq import proxy
from zmqcore.constants import ETERM, PUSH, QUEUE
from zmqcore.context import Context
from zmqcore.error import ZMQBindError, ZMQError

__all__ = ["Device", "ThreadDevice", "ProcessDevice"]


class _SocketPlan:
    """What to do to one socket once it exists: options, binds, connects."""

    def __init__(self):
        self.sockopts = []
        self.binds = []
        self.connects = []

    def apply(self, sock):
        # Options first: ROUTING_ID and friends only count before connecting.
        for opt, value in self.sockopts:
            sock.setsockopt(opt, value)
        for addr in self.binds:
            sock.bind(addr)
        for addr in self.connects:
            sock.connect(addr)


class Device:
    """A proxy between two sockets, to be run in the background.

    ``Device(device_type, in_type, out_type)`` takes socket *types*; the
    sockets are made by the thread that runs the device (a socket belongs
    to one thread), configured from the ``bind_in``, ``connect_out``,
    ``setsockopt_in``... calls made beforehand::

        dev = ThreadDevice(zmq.QUEUE, zmq.ROUTER, zmq.DEALER)
        dev.bind_in("tcp://*:5555")
        dev.bind_out("tcp://*:5556")
        dev.start()

    Parameters
    ----------
    device_type : int
        QUEUE, FORWARDER or STREAMER; all run zmq.proxy.
    in_type, out_type : int
        Socket types of the two sides.  An out_type < 0 uses the in
        socket for both sides.

    Attributes
    ----------
    daemon : bool
        Whether the thread or process is a daemon (default True, so that
        a device never keeps the program alive).
    context_factory : callable
        Makes the Context the sockets belong to: Context.instance for
        devices in this process, a new Context in a ProcessDevice.
    done : bool
        True once the device has stopped.
    """

    context_factory = Context.instance

    def __init__(self, device_type=QUEUE, in_type=None, out_type=None):
        if in_type is None:
            raise TypeError("in_type must be specified")
        if out_type is None:
            raise TypeError("out_type must be specified")
        self.device_type = device_type
        self.in_type = in_type
        self.out_type = out_type
        self.daemon = True
        self.done = False
        self._plans = {"in": _SocketPlan(), "out": _SocketPlan()}
        self._random_addrs = []
        self._sockets = []

    # --- what to do to the sockets ------------------------------------------

    def bind_in(self, addr):
        """Bind the in socket to addr when the device starts."""
        self._plans["in"].binds.append(addr)

    def connect_in(self, addr):
        """Connect the in socket to addr when the device starts."""
        self._plans["in"].connects.append(addr)

    def setsockopt_in(self, opt, value):
        """Set an option on the in socket when the device starts."""
        self._plans["in"].sockopts.append((opt, value))

    def bind_in_to_random_port(self, addr, *args, **kwargs):
        """Pick a free port on addr now, bind the in socket to it when the
        device starts; returns the port."""
        port = self._reserve_random_port(addr, *args, **kwargs)
        self.bind_in("%s:%i" % (addr, port))
        return port

    def bind_out(self, addr):
        """Bind the out socket to addr when the device starts."""
        self._plans["out"].binds.append(addr)

    def connect_out(self, addr):
        """Connect the out socket to addr when the device starts."""
        self._plans["out"].connects.append(addr)

    def setsockopt_out(self, opt, value):
        """Set an option on the out socket when the device starts."""
        self._plans["out"].sockopts.append((opt, value))

    def bind_out_to_random_port(self, addr, *args, **kwargs):
        """Pick a free port on addr now, bind the out socket to it when the
        device starts; returns the port."""
        port = self._reserve_random_port(addr, *args, **kwargs)
        self.bind_out("%s:%i" % (addr, port))
        return port

    def _reserve_random_port(self, addr, *args, **kwargs):
        # The port is found by binding a throwaway socket, then let go so
        # that the device's socket can take it; never hand out one twice.
        ctx = Context()
        try:
            sock = ctx.socket(PUSH)
            try:
                for _ in range(5):
                    port = sock.bind_to_random_port(addr, *args, **kwargs)
                    if "%s:%i" % (addr, port) not in self._random_addrs:
                        break
                else:
                    raise ZMQBindError("Could not reserve random port.")
            finally:
                sock.close(linger=0)
        finally:
            ctx.term()
        self._random_addrs.append("%s:%i" % (addr, port))
        return port

    # --- running -------------------------------------------------------------

    def _setup_sockets(self):
        """Make and configure the sockets (in the running thread)."""
        self._context = self.context_factory()
        ins = self._context.socket(self.in_type)
        self._sockets.append(ins)
        if self.out_type < 0:
            outs = ins
        else:
            outs = self._context.socket(self.out_type)
            self._sockets.append(outs)
        # Every option before any endpoint, as pyzmq does.
        for opt, value in self._plans["in"].sockopts:
            ins.setsockopt(opt, value)
        for opt, value in self._plans["out"].sockopts:
            outs.setsockopt(opt, value)
        for side, sock in (("in", ins), ("out", outs)):
            for addr in self._plans[side].binds:
                sock.bind(addr)
        for side, sock in (("in", ins), ("out", outs)):
            for addr in self._plans[side].connects:
                sock.connect(addr)
        return ins, outs

    def run_device(self):
        """Make the sockets and run the proxy (called by run())."""
        ins, outs = self._setup_sockets()
        proxy(ins, outs)

    def _close_sockets(self):
        for sock in self._sockets:
            if sock is not None and not sock.closed:
                sock.close()

    def run(self):
        """Run the device here until its context ends (or its sockets are
        closed, or a steerable proxy is told TERMINATE)."""
        try:
            self.run_device()
        except ZMQError as e:
            # The context ending (or a socket closed under the proxy) is
            # how a device is stopped: not an error.
            if e.errno not in (ETERM, errno.ENOTSOCK):
                raise
        finally:
            self.done = True
            self._close_sockets()

    def start(self):
        """Start the device.  Device runs in the calling thread (and so
        blocks); ThreadDevice and ProcessDevice return at once."""
        return self.run()

    def join(self, timeout=None):
        """Wait until the device is done, or timeout seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.done:
            if deadline is not None and time.monotonic() >= deadline:
                return
            time.sleep(0.001)


class BackgroundDevice(Device):
    """A Device run by a launcher (a Thread or a Process class)."""

    launcher = None
    _launch_class = None

    def start(self):
        self.launcher = self._launch_class(target=self.run)
        self.launcher.daemon = self.daemon
        return self.launcher.start()

    def join(self, timeout=None):
        return self.launcher.join(timeout=timeout)


class ThreadDevice(BackgroundDevice):
    """A Device run in a background thread; see Device."""

    _launch_class = threading.Thread


class ProcessDevice(BackgroundDevice):
    """A Device run in a background process; see Device.

    The process makes its own Context: one inherited over fork must never
    be used by the child.
    """

    _launch_class = multiprocessing.Process
    context_factory = Context
