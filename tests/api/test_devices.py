"""zmq.devices: Device, ThreadDevice, ProcessDevice, the Proxy, ProxySteerable and
MonitoredQueue families and monitored_queue, pinned against pyzmq.

pyzmq behaviour pinned here:
- Devices take socket *types*; bind_*/connect_*/setsockopt_* calls are queued and
  applied by the thread (or process) that runs the device, options first.
- A device stops cleanly (no exception, ``done`` set, its sockets closed) when its
  context is terminated, or destroyed (its sockets closed under it), or -- steerable
  ones -- when told TERMINATE.
- ``*_to_random_port`` reserve a port at once and return it.
- monitored_queue copies each message to the monitor socket behind a prefix frame
  for its direction (b"in"/b"out" by default), and between two ROUTERs swaps the
  two routing-id frames.
- Proxy's monitor socket defaults to PUB; MonitoredQueue's too.
"""

import multiprocessing
import threading
import time

import pytest

from api.helpers import make_socket, term_bounded

TIMEOUT_MS = 5000
JOIN_S = 10.0


@pytest.fixture
def devices(zmq):
    if zmq.__name__ == "zmq":
        import zmq.devices as module
    else:
        import zmqcore.devices as module
    return module


@pytest.fixture
def make(ctx):
    def do(socket_type):
        return make_socket(ctx, socket_type, TIMEOUT_MS)

    return do


def join_device(dev):
    dev.join(JOIN_S)
    assert dev.done
    launcher = getattr(dev, "launcher", None)
    if launcher is not None:
        assert not launcher.is_alive()


def use_ctx(dev, ctx):
    """Run the device's sockets in the test's context (the fixture ends it)."""
    dev.context_factory = lambda: ctx
    return dev


# --- API surface ---------------------------------------------------------------


def test_names(devices):
    for name in ("Device", "ThreadDevice", "ProcessDevice", "Proxy", "ThreadProxy",
                 "ProcessProxy", "ProxySteerable", "ThreadProxySteerable",
                 "ProcessProxySteerable", "MonitoredQueue", "ThreadMonitoredQueue",
                 "ProcessMonitoredQueue", "monitored_queue"):
        assert name in devices.__all__
        assert hasattr(devices, name)
    from importlib import import_module
    base = import_module(devices.__name__ + ".basedevice")
    assert base.ThreadDevice is devices.ThreadDevice


def test_device_attributes(zmq, devices):
    dev = devices.ThreadDevice(zmq.QUEUE, zmq.ROUTER, zmq.DEALER)
    assert (dev.device_type, dev.in_type, dev.out_type) == (zmq.QUEUE, zmq.ROUTER, zmq.DEALER)
    assert dev.daemon is True
    assert dev.done is False
    assert devices.Device.context_factory == zmq.Context.instance
    assert devices.ThreadDevice.context_factory == zmq.Context.instance
    assert devices.ProcessDevice.context_factory is zmq.Context
    with pytest.raises(TypeError):
        devices.Device(zmq.QUEUE, zmq.PULL)
    with pytest.raises(TypeError):
        devices.Device(zmq.QUEUE, out_type=zmq.PUSH)
    p = devices.Proxy(zmq.PULL, zmq.PUSH)
    assert p.mon_type == zmq.PUB
    ps = devices.ProxySteerable(zmq.PULL, zmq.PUSH, ctrl_type=zmq.PAIR)
    assert (ps.mon_type, ps.ctrl_type) == (zmq.PUB, zmq.PAIR)
    mq = devices.MonitoredQueue(zmq.ROUTER, zmq.DEALER)
    assert mq.mon_type == zmq.PUB


def test_random_ports(zmq, devices):
    dev = devices.Proxy(zmq.PULL, zmq.PUSH)
    ports = [dev.bind_in_to_random_port("tcp://127.0.0.1"),
             dev.bind_out_to_random_port("tcp://127.0.0.1"),
             dev.bind_mon_to_random_port("tcp://127.0.0.1")]
    assert all(isinstance(p, int) and 0 < p < 65536 for p in ports)
    assert len(set(ports)) == 3
    ps = devices.ProxySteerable(zmq.PULL, zmq.PUSH, ctrl_type=zmq.PAIR)
    assert isinstance(ps.bind_ctrl_to_random_port("tcp://127.0.0.1"), int)


# --- thread devices ----------------------------------------------------------------


def test_thread_device_queue(zmq, ctx, devices, make, inproc):
    """pyzmq's example: a ROUTER/DEALER QUEUE between REQ and REP, over tcp."""
    dev = use_ctx(devices.ThreadDevice(zmq.QUEUE, zmq.ROUTER, zmq.DEALER), ctx)
    in_port = dev.bind_in_to_random_port("tcp://127.0.0.1")
    out_ep = inproc("workers")
    dev.bind_out(out_ep)
    dev.setsockopt_in(zmq.ROUTER_MANDATORY, 1)
    dev.start()
    rep = make(zmq.REP)
    req = make(zmq.REQ)
    # inproc connect before bind is fine: the device binds when it starts.
    rep.connect(out_ep)
    req.connect("tcp://127.0.0.1:%i" % in_port)
    for i in range(5):
        req.send(b"request %d" % i)
        assert rep.recv() == b"request %d" % i
        rep.send(b"reply %d" % i)
        assert req.recv() == b"reply %d" % i
    assert not dev.done
    term_bounded(ctx, req, rep)
    join_device(dev)


def test_thread_device_out_type_negative(zmq, ctx, devices, make, inproc):
    """out_type < 0: one socket serves both sides (an echo through ROUTER)."""
    dev = use_ctx(devices.ThreadDevice(zmq.QUEUE, zmq.ROUTER, -1), ctx)
    ep = inproc()
    dev.bind_in(ep)
    dev.start()
    dealer = make(zmq.DEALER)
    dealer.connect(ep)
    dealer.send_multipart([b"", b"echo"])
    assert dealer.recv_multipart() == [b"", b"echo"]
    term_bounded(ctx, dealer)
    join_device(dev)


def test_device_in_calling_thread(zmq, ctx, devices, make, inproc, spawn):
    """Device.start() runs the device in the thread that calls it."""
    dev = use_ctx(devices.Device(zmq.STREAMER, zmq.PULL, zmq.PUSH), ctx)
    a, b = inproc("in"), inproc("out")
    dev.bind_in(a)
    dev.bind_out(b)
    w = spawn(dev.start)
    push, pull = make(zmq.PUSH), make(zmq.PULL)
    push.connect(a)
    pull.connect(b)
    push.send(b"streamed")
    assert pull.recv() == b"streamed"
    term_bounded(ctx, push, pull)
    w.join()
    join_device(dev)


def test_thread_device_stopped_by_destroy(zmq, ctx, devices, make, inproc):
    """Context.destroy() closes the device's sockets under the running proxy:
    the device ends quietly, as pyzmq's does."""
    dev = use_ctx(devices.ThreadDevice(zmq.QUEUE, zmq.PULL, zmq.PUSH), ctx)
    a, b = inproc("in"), inproc("out")
    dev.bind_in(a)
    dev.bind_out(b)
    dev.start()
    push, pull = make(zmq.PUSH), make(zmq.PULL)
    push.connect(a)
    pull.connect(b)
    push.send(b"x")
    assert pull.recv() == b"x"
    t = threading.Thread(target=ctx.destroy, kwargs={"linger": 0}, daemon=True)
    t.start()
    t.join(JOIN_S)
    assert not t.is_alive(), "ctx.destroy() hung"
    join_device(dev)


def test_thread_proxy_monitor(zmq, ctx, devices, make, inproc):
    dev = use_ctx(devices.ThreadProxy(zmq.PULL, zmq.PUSH, zmq.PUSH), ctx)
    a, b, m = inproc("in"), inproc("out"), inproc("mon")
    dev.bind_in(a)
    dev.bind_out(b)
    dev.bind_mon(m)
    dev.setsockopt_mon(zmq.SNDHWM, 100)
    dev.start()
    push, pull, tap = make(zmq.PUSH), make(zmq.PULL), make(zmq.PULL)
    push.connect(a)
    pull.connect(b)
    tap.connect(m)
    push.send_multipart([b"k", b"v"])
    assert pull.recv_multipart() == [b"k", b"v"]
    assert tap.recv_multipart() == [b"k", b"v"]
    term_bounded(ctx, push, pull, tap)
    join_device(dev)


def test_thread_proxy_steerable(zmq, ctx, devices, make, inproc):
    dev = use_ctx(devices.ThreadProxySteerable(zmq.PULL, zmq.PUSH, zmq.PUSH, zmq.PAIR), ctx)
    a, b, m, c = inproc("in"), inproc("out"), inproc("mon"), inproc("ctrl")
    dev.bind_in(a)
    dev.bind_out(b)
    dev.connect_mon(m)
    dev.bind_ctrl(c)
    tap = make(zmq.PULL)
    tap.bind(m)
    dev.start()
    push, pull, steer = make(zmq.PUSH), make(zmq.PULL), make(zmq.PAIR)
    push.connect(a)
    pull.connect(b)
    steer.connect(c)
    push.send(b"abc")
    assert pull.recv() == b"abc"
    assert tap.recv() == b"abc"
    steer.send(b"STATISTICS")
    stats = steer.recv_multipart()
    assert len(stats) == 8
    steer.send(b"TERMINATE")
    assert steer.recv() == b""
    # TERMINATE ends the device by itself, its sockets closed.
    join_device(dev)
    term_bounded(ctx, push, pull, steer, tap)


# --- monitored queue ------------------------------------------------------------------


def test_thread_monitored_queue(zmq, ctx, devices, make, inproc):
    dev = use_ctx(devices.ThreadMonitoredQueue(zmq.ROUTER, zmq.DEALER, zmq.PUSH,
                                               b"req", b"rep"), ctx)
    a, b, m = inproc("in"), inproc("out"), inproc("mon")
    dev.bind_in(a)
    dev.bind_out(b)
    dev.bind_mon(m)
    dev.start()
    req, rep, tap = make(zmq.REQ), make(zmq.REP), make(zmq.PULL)
    req.setsockopt(zmq.ROUTING_ID, b"client")
    req.connect(a)
    rep.connect(b)
    tap.connect(m)
    req.send(b"question")
    assert rep.recv() == b"question"
    rep.send(b"answer")
    assert req.recv() == b"answer"
    assert tap.recv_multipart() == [b"req", b"client", b"", b"question"]
    assert tap.recv_multipart() == [b"rep", b"client", b"", b"answer"]
    term_bounded(ctx, req, rep, tap)
    join_device(dev)


def test_monitored_queue_router_router(zmq, ctx, devices, make, inproc, spawn):
    """Between two ROUTERs the routing ids trade places."""
    ins, outs, mons = make(zmq.ROUTER), make(zmq.ROUTER), make(zmq.PUSH)
    a, b, m = inproc("in"), inproc("out"), inproc("mon")
    ins.bind(a)
    outs.bind(b)
    mons.bind(m)

    def run():
        try:
            devices.monitored_queue(ins, outs, mons)
        except zmq.ZMQError as e:
            return e
        finally:
            for s in (ins, outs, mons):
                s.close(linger=0)

    w = spawn(run)
    client, worker, tap = make(zmq.DEALER), make(zmq.DEALER), make(zmq.PULL)
    client.setsockopt(zmq.ROUTING_ID, b"C")
    worker.setsockopt(zmq.ROUTING_ID, b"W")
    worker.connect(b)
    client.connect(a)
    tap.connect(m)
    # Until the out ROUTER has met W, messages for W are dropped: retry.
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not worker.poll(50):
        assert time.monotonic() < deadline, "worker never reached"
        client.send_multipart([b"W", b"hello"])
    assert worker.recv_multipart() == [b"C", b"hello"]
    worker.send_multipart([b"C", b"world"])
    assert client.recv_multipart() == [b"W", b"world"]
    seen = []
    while True:
        msg = tap.recv_multipart()
        seen.append(msg)
        if msg[0] == b"out":
            break
    assert seen[-2] == [b"in", b"W", b"C", b"hello"]
    assert seen[-1] == [b"out", b"C", b"W", b"world"]
    term_bounded(ctx, client, worker, tap)
    e = w.join()
    assert isinstance(e, zmq.ContextTerminated)


def test_monitored_queue_arguments(zmq, ctx, devices, make):
    a, b = make(zmq.ROUTER), make(zmq.DEALER)
    with pytest.raises(TypeError):
        devices.monitored_queue(a, b, None)


# --- process devices (tcp) -------------------------------------------------------------


@pytest.fixture(params=["fork", "spawn"])
def start_method(request):
    if request.param not in multiprocessing.get_all_start_methods():
        pytest.skip("no %s start method here" % request.param)
    return request.param


def test_process_device(zmq, ctx, devices, make, start_method):
    dev = devices.ProcessDevice(zmq.STREAMER, zmq.PULL, zmq.PUSH)
    dev._launch_class = multiprocessing.get_context(start_method).Process
    in_port = dev.bind_in_to_random_port("tcp://127.0.0.1")
    out_port = dev.bind_out_to_random_port("tcp://127.0.0.1")
    push, pull = make(zmq.PUSH), make(zmq.PULL)
    push.connect("tcp://127.0.0.1:%i" % in_port)
    pull.connect("tcp://127.0.0.1:%i" % out_port)
    dev.start()
    try:
        pull.rcvtimeo = 20000       # a spawned child imports zmq first
        for i in range(10):
            push.send(b"via process %d" % i)
        for i in range(10):
            assert pull.recv() == b"via process %d" % i
    finally:
        dev.launcher.terminate()
        dev.launcher.join(JOIN_S)
    assert not dev.launcher.is_alive()


def test_process_proxy_steerable(zmq, ctx, devices, make, start_method):
    dev = devices.ProcessProxySteerable(zmq.PULL, zmq.PUSH, zmq.PUSH, zmq.PAIR)
    dev._launch_class = multiprocessing.get_context(start_method).Process
    ports = {side: getattr(dev, "bind_%s_to_random_port" % side)("tcp://127.0.0.1")
             for side in ("in", "out", "mon", "ctrl")}
    push, pull, tap, steer = make(zmq.PUSH), make(zmq.PULL), make(zmq.PULL), make(zmq.PAIR)
    for sock, side in ((push, "in"), (pull, "out"), (tap, "mon"), (steer, "ctrl")):
        sock.rcvtimeo = 20000
        sock.connect("tcp://127.0.0.1:%i" % ports[side])
    dev.start()
    try:
        push.send(b"one")
        assert pull.recv() == b"one"
        assert tap.recv() == b"one"
        steer.send(b"TERMINATE")
        # The child exits without terminating its context, so the answer
        # to TERMINATE may die with it: only the exit is certain.
        dev.launcher.join(JOIN_S)
        assert dev.launcher.exitcode == 0
    finally:
        if dev.launcher.is_alive():
            dev.launcher.terminate()
            dev.launcher.join(JOIN_S)
