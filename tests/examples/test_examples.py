"""The talk's programs in examples/, run end to end as separate processes over
tcp (free loopback ports), each group checked by what the programs print.

The programs run on zmqcore by default (the implementation of the suite,
ZMQCORE_TEST_IMPL); ZMQCORE_TEST_IMPL=zmq runs them on pyzmq instead, which
checks the programs and these tests themselves. ZMQCORE_EXAMPLES_TEST_IMPLS=
zmqcore,zmq runs every test on both. The implementation reaches the programs
through ZMQCORE_EXAMPLES_IMPL.

A group needing a socket type or function zmqcore does not have yet (PUB/SUB,
zmq.device) is skipped with the reason, decided by a probe: ctx.socket(type)
failing with EINVAL, or the function missing. Nothing is skipped on pyzmq.

Every process has a deadline (RUN_TIMEOUT); whatever is still running at the end
of a test is killed. Long-running servers are stopped with SIGINT, as Ctrl-C
would, and must then exit cleanly.
"""

import importlib
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(REPO, "examples")

# Seconds a program may take to do its part (its own timeouts are shorter, so
# that a lost message shows up as the program's own error message).
RUN_TIMEOUT = 40
# Seconds a server may take to stop after SIGINT.
STOP_TIMEOUT = 10
# Seconds of inactivity after which workers consider the batch over.
WORKER_IDLE = "2"
CLIENT_TIMEOUT = "20"

pytestmark = pytest.mark.timeout(120)


def _impls():
    """[the suite's implementation (conftest.py)], or those listed in
    ZMQCORE_EXAMPLES_TEST_IMPLS."""
    names = (os.environ.get("ZMQCORE_EXAMPLES_TEST_IMPLS", "").strip()
             or os.environ.get("ZMQCORE_TEST_IMPL", "zmqcore"))
    impls = []
    for name in names.split(","):
        name = {"pyzmq": "zmq", "libzmq": "zmq"}.get(name.strip().lower(),
                                                    name.strip().lower())
        if name not in ("zmqcore", "zmq"):
            raise pytest.UsageError("ZMQCORE_EXAMPLES_TEST_IMPLS: unknown %r" % name)
        impls.append(name)
    return impls


@pytest.fixture(params=_impls())
def impl(request):
    return request.param


# --------------------------------------------------------------------------
# What the implementation has (PUB/SUB and devices are still being written)
# --------------------------------------------------------------------------

def _missing(impl, socket_types=(), functions=()):
    """Why this group cannot run on `impl` yet, or None."""
    module = importlib.import_module(impl)
    if impl != "zmqcore":
        return None
    for name in functions:
        if not hasattr(module, name):
            return "zmqcore has no zmq.%s() yet" % name
    ctx = module.Context()
    try:
        for name in socket_types:
            try:
                s = ctx.socket(getattr(module, name))
            except module.ZMQError as exc:
                if exc.errno == module.EINVAL:
                    return "zmqcore has no %s sockets yet" % name
                raise
            s.close(linger=0)
    finally:
        ctx.term()
    return None


def need(impl, *socket_types, functions=()):
    reason = _missing(impl, socket_types, functions)
    if reason:
        pytest.skip(reason)


# --------------------------------------------------------------------------
# Running the programs
# --------------------------------------------------------------------------

def free_endpoint():
    """tcp://127.0.0.1:<a port nobody listens on right now>."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return "tcp://127.0.0.1:%d" % s.getsockname()[1]


def _default_sigint():
    # Ctrl-C must reach the program even if the test run itself was started in
    # the background (where SIGINT is ignored, and that is inherited).
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Program:
    """One example running as a child process; its stdout and stderr go to
    files, so they can be read while it runs and shown when a check fails."""

    def __init__(self, impl, tmp_path, script, args, stdin):
        self.label = "%s %s" % (script, " ".join(args))
        self.name = script
        stem = "%s-%d" % (script, id(self))
        self._out_path = tmp_path / (stem + ".out")
        self._err_path = tmp_path / (stem + ".err")
        env = dict(os.environ, ZMQCORE_EXAMPLES_IMPL=impl, PYTHONUNBUFFERED="1")
        with open(self._out_path, "wb") as out, open(self._err_path, "wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, os.path.join(EXAMPLES, script)] + list(args),
                cwd=EXAMPLES, env=env, stdout=out, stderr=err,
                stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                preexec_fn=_default_sigint)

    @property
    def stdout(self):
        return self._out_path.read_text(errors="replace")

    @property
    def stderr(self):
        return self._err_path.read_text(errors="replace")

    def describe(self):
        return "%s (exit %s)\n--- stdout ---\n%s--- stderr ---\n%s" % (
            self.label, self.proc.returncode, self.stdout, self.stderr)

    def wait_for_line(self, pattern, timeout=RUN_TIMEOUT):
        """Block until stdout has a line matching `pattern`; return the match."""
        deadline = time.monotonic() + timeout
        while True:
            for line in self.stdout.splitlines():
                m = re.search(pattern, line)
                if m:
                    return m
            if self.proc.poll() is not None:
                pytest.fail("exited before printing %r:\n%s" % (pattern, self.describe()))
            if time.monotonic() > deadline:
                self.kill()
                pytest.fail("nothing matching %r within %d s:\n%s"
                            % (pattern, timeout, self.describe()))
            time.sleep(0.05)

    def send_line(self, text=""):
        self.proc.stdin.write((text + "\n").encode())
        self.proc.stdin.close()

    def finish(self, timeout=RUN_TIMEOUT, expect_rc=0):
        """Wait for the program to end by itself; check its exit code; return
        its stdout."""
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail("still running after %d s:\n%s" % (timeout, self.describe()))
        if expect_rc is not None and self.proc.returncode != expect_rc:
            pytest.fail("exit code %s, expected %s:\n%s"
                        % (self.proc.returncode, expect_rc, self.describe()))
        return self.stdout

    def interrupt(self, timeout=STOP_TIMEOUT):
        """Ctrl-C: the program must stop cleanly (exit 0); return its stdout."""
        if self.proc.poll() is not None:
            pytest.fail("exited before being stopped:\n%s" % self.describe())
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail("did not stop within %d s of SIGINT:\n%s"
                        % (timeout, self.describe()))
        return self.finish(0)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            pass


@pytest.fixture
def run(impl, tmp_path):
    """``run(script, *args, stdin=False)`` starts examples/<script> on `impl`;
    everything still running at the end of the test is killed."""
    started = []

    def start(script, *args, stdin=False):
        program = Program(impl, tmp_path, script, [str(a) for a in args], stdin)
        started.append(program)
        return program

    yield start
    for program in started:
        program.kill()
        if program.proc.stdin is not None and not program.proc.stdin.closed:
            program.proc.stdin.close()


def lines_matching(pattern, text):
    return [m for m in (re.search(pattern, ln) for ln in text.splitlines()) if m]


# Temperatures wuserver.py draws from, in Fahrenheit.
TEMPERATURE_RANGE = (-80, 134)


def check_weather_client(out, zipcode, updates):
    """The client printed `updates` updates for `zipcode` and their average."""
    seen = lines_matching(r"^Update (\d+): (\d{5}) (-?\d+)F (\d+)%$", out)
    assert [int(m.group(1)) for m in seen] == list(range(1, updates + 1)), out
    assert {m.group(2) for m in seen} == {zipcode}, out
    temperatures = [int(m.group(3)) for m in seen]
    for t in temperatures:
        assert TEMPERATURE_RANGE[0] <= t <= TEMPERATURE_RANGE[1], out
    avg = lines_matching(r"^Average temperature for zipcode '(\d{5})' was "
                         r"(-?\d+\.\d)F \((\d+) updates\)$", out)
    assert len(avg) == 1, out
    assert avg[0].group(1) == zipcode and int(avg[0].group(3)) == updates
    average = float(avg[0].group(2))
    assert TEMPERATURE_RANGE[0] <= average <= TEMPERATURE_RANGE[1]
    assert abs(average - sum(temperatures) / len(temperatures)) <= 0.05 + 1e-9, out


def start_weather_server(run, endpoint, *extra):
    # Ten zip codes, so that a client's comes every ~10 updates; a modest rate,
    # to leave the CPUs to the other programs.
    server = run("wuserver.py", "--bind", endpoint, "--zipcodes", "10000-10009",
                 "--rate", "2000", *extra)
    server.wait_for_line(r"^Publishing weather updates")
    return server


# --------------------------------------------------------------------------
# Hello World: REQ/REP
# --------------------------------------------------------------------------

def test_hello_world(impl, run):
    need(impl, "REQ", "REP")
    ep = free_endpoint()
    server = run("hwserver.py", "--bind", ep, "--count", 6, "--work", 0)
    server.wait_for_line(r"^Hello World server listening")
    clients = [run("hwclient.py", "--connect", ep, "--requests", 3,
                   "--timeout", CLIENT_TIMEOUT) for _ in range(2)]
    for client in clients:
        out = client.finish()
        replies = lines_matching(r"^Received reply (\d+) \[ (.*) \]$", out)
        assert [(int(m.group(1)), m.group(2)) for m in replies] == \
            [(1, "World"), (2, "World"), (3, "World")], out
    out = server.finish()  # --count 6: stops by itself
    assert len(lines_matching(r"^Received request: Hello$", out)) == 6, out
    assert "Served 6 requests" in out


# --------------------------------------------------------------------------
# Weather updates: PUB/SUB, and the proxy in between
# --------------------------------------------------------------------------

def test_weather_updates(impl, run):
    need(impl, "PUB", "SUB")
    ep = free_endpoint()
    server = start_weather_server(run, ep)
    clients = {z: run("wuclient.py", z, "--connect", ep, "--updates", 5,
                      "--timeout", CLIENT_TIMEOUT) for z in ("10001", "10007")}
    for zipcode, client in clients.items():
        check_weather_client(client.finish(), zipcode, 5)
    out = server.interrupt()
    published = lines_matching(r"^Published (\d+) updates$", out)
    assert published and int(published[0].group(1)) >= 10, out


def test_weather_server_count(impl, run):
    need(impl, "PUB")
    server = run("wuserver.py", "--bind", free_endpoint(), "--count", 2000)
    assert "Published 2000 updates" in server.finish()


@pytest.mark.parametrize("mode", ["loop", "device"])
def test_weather_proxy(impl, run, mode):
    need(impl, "PUB", "SUB", functions=("device",) if mode == "device" else ())
    upstream, public = free_endpoint(), free_endpoint()
    server = start_weather_server(run, upstream)
    proxy = run("wuproxy.py", "--frontend", upstream, "--backend", public,
                *(["--device"] if mode == "device" else []))
    proxy.wait_for_line(r"^Forwarding ")
    client = run("wuclient.py", "10003", "--connect", public, "--updates", 5,
                 "--timeout", CLIENT_TIMEOUT)
    check_weather_client(client.finish(), "10003", 5)
    out = proxy.interrupt()
    if mode == "loop":
        forwarded = lines_matching(r"^Forwarded (\d+) messages$", out)
        assert forwarded and int(forwarded[0].group(1)) >= 5, out
    else:
        assert "Proxy stopped" in out
    server.interrupt()


def test_weather_proxy_count(impl, run):
    """With --count, the hand-written forwarding loop stops by itself."""
    need(impl, "PUB", "SUB")
    upstream = free_endpoint()
    server = start_weather_server(run, upstream)
    proxy = run("wuproxy.py", "--frontend", upstream, "--backend", free_endpoint(),
                "--count", 300)
    assert "Forwarded 300 messages" in proxy.finish()
    server.interrupt()


# --------------------------------------------------------------------------
# Divide and conquer: ventilator -> workers -> sink (PUSH/PULL)
# --------------------------------------------------------------------------

def test_pipeline(impl, run):
    need(impl, "PUSH", "PULL")
    tasks, max_work, nworkers = 20, 20, 3
    vent_ep, sink_ep = free_endpoint(), free_endpoint()
    sink = run("tasksink.py", "--bind", sink_ep, "--tasks", tasks,
               "--timeout", CLIENT_TIMEOUT)
    sink.wait_for_line(r"^Waiting for the batch")
    vent = run("taskvent.py", "--bind", vent_ep, "--tasks", tasks,
               "--max-work", max_work, stdin=True)
    vent.wait_for_line(r"Press Enter when the workers are ready")
    workers = [run("taskwork.py", "--tasks-from", vent_ep, "--results-to", sink_ep,
                   "--name", "w%d" % i, "--max-idle", WORKER_IDLE)
               for i in range(nworkers)]
    for w in workers:
        w.wait_for_line(r"^w\d ready$")
    time.sleep(1.0)  # let the connections come up, as a person would
    vent.send_line()  # "Enter": the workers are ready

    out = vent.finish()
    assert "Sending tasks to workers..." in out
    cost = lines_matching(r"^Total expected cost: (\d+) msec$", out)
    assert cost, out
    expected_msec = int(cost[0].group(1))
    assert tasks <= expected_msec <= tasks * max_work

    out = sink.finish()
    elapsed = lines_matching(r"^Total elapsed time: (\d+) msec$", out)
    assert elapsed, out
    elapsed_msec = int(elapsed[0].group(1))
    # The busiest worker sleeps at least its share of the batch.
    assert expected_msec / nworkers - max_work - 50 <= elapsed_msec <= 20000, out
    assert ("Tasks completed: %d, %d msec of work reported" % (tasks, expected_msec)
            in out)
    spread = lines_matching(r"^Tasks per worker: (.*)$", out)
    per_worker = dict((k, int(v)) for k, v in
                      (item.split("=") for item in spread[0].group(1).split(", ")))
    assert set(per_worker) <= {"w%d" % i for i in range(nworkers)}, out
    assert sum(per_worker.values()) == tasks, out
    # Everyone was connected before the start: PUSH shares the batch out.
    assert len(per_worker) == nworkers, out

    done = worked = 0
    for i, w in enumerate(workers):
        out = w.finish()  # --max-idle: stops once the batch is over
        m = lines_matching(r"^w%d: (\d+) tasks done, (\d+) msec of work$" % i, out)
        assert m, out
        done += int(m[0].group(1))
        worked += int(m[0].group(2))
    assert done == tasks + 1  # and the start-of-batch "0"
    assert worked == expected_msec


# --------------------------------------------------------------------------
# Reading from several sockets: zmq.Poller over PULL and SUB
# --------------------------------------------------------------------------

def test_multi_socket_poller(impl, run):
    need(impl, "PULL", "PUSH", "PUB", "SUB")
    weather_ep, vent_ep = free_endpoint(), free_endpoint()
    server = start_weather_server(run, weather_ep)
    vent = run("taskvent.py", "--bind", vent_ep, "--tasks", 5, "--max-work", 5,
               "--delay", "0.5")
    poller = run("mspoller.py", "--tasks-from", vent_ep, "--weather-from", weather_ep,
                 "--zipcode", "10001", "--tasks", 6, "--updates", 3,
                 "--timeout", CLIENT_TIMEOUT)
    out = vent.finish()
    expected_msec = int(lines_matching(r"^Total expected cost: (\d+) msec$",
                                       out)[0].group(1))
    out = poller.finish()
    # It stops once it has both: 6 tasks (5 and the start-of-batch "0") and at
    # least 3 updates (more may come while it waits for the tasks).
    summary = lines_matching(r"^Received 6 tasks \((\d+) msec of work\) and "
                             r"(\d+) weather updates for 10001$", out)
    assert summary, out
    assert int(summary[0].group(1)) == expected_msec, out
    updates = lines_matching(r"^Weather update \d+: (\d{5}) (-?\d+) (\d+)$", out)
    assert len(updates) == int(summary[0].group(2)) >= 3, out
    assert {m.group(1) for m in updates} == {"10001"}, out
    assert len(lines_matching(r"^Task \d+: \d+ msec$", out)) == 6, out
    server.interrupt()


# --------------------------------------------------------------------------
# Request-reply broker: ROUTER/DEALER (XREP/XREQ), QUEUE device or poll loop
# --------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["loop", "device"])
def test_request_reply_broker(impl, run, mode):
    need(impl, "ROUTER", "DEALER", "REQ", "REP",
         functions=("device",) if mode == "device" else ())
    nclients, requests, nworkers = 2, 4, 2
    front, back = free_endpoint(), free_endpoint()
    args = ["--frontend", front, "--backend", back, "--mode", mode]
    if mode == "loop":
        args += ["--count", nclients * requests]
    broker = run("msgqueue.py", *args)
    broker.wait_for_line(r"^Broker \(%s\)" % mode)
    workers = [run("rrworker.py", "--connect", back, "--name", "w%d" % i,
                   "--work", 0, "--max-idle", WORKER_IDLE) for i in range(nworkers)]
    for w in workers:
        w.wait_for_line(r"^w\d ready$")
    clients = [run("rrclient.py", "--connect", front, "--requests", requests,
                   "--timeout", CLIENT_TIMEOUT) for _ in range(nclients)]
    for client in clients:
        out = client.finish()
        replies = lines_matching(r"^Received reply (\d+) \[ World from (w\d) \]$", out)
        assert [int(m.group(1)) for m in replies] == list(range(1, requests + 1)), out
    served = 0
    for i, w in enumerate(workers):
        out = w.finish()
        m = lines_matching(r"^w%d: served (\d+) requests$" % i, out)
        assert m, out
        served += int(m[0].group(1))
        assert len(lines_matching(r"^Received request: \[ Hello \]$", out)) == \
            int(m[0].group(1)), out
    assert served == nclients * requests
    if mode == "loop":
        assert "Relayed %d replies" % (nclients * requests) in broker.finish()
    else:
        assert "Broker stopped" in broker.interrupt()
