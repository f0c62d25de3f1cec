"""LINGER: a sender that closes with messages still queued delivers them all.

A subprocess (``sys.executable -c``, implementation chosen by ZMQCORE_TEST_IMPL like
the `zmq` fixture) PUSHes 200,000 numbered messages as fast as it can, then closes
its socket (default LINGER: wait) and terminates its context. The receiver, in this
process, is slow (RCVHWM 100, pauses while reading), so the sender spends its time
at HWM and still has a full queue when it closes. Pinned: the receiver gets all
200,000, in order, and the sender exits 0 after term() returned.

The receiver is a libzmq PULL (interop) or a `zmq`-fixture PULL (the sender's own
implementation on both ends).

ipc:// and libzmq#4660: libzmq loses the tail over ipc. Measured here, the loss is on
the *receiving* side: with a libzmq PULL, 1-3 % of the messages are lost whichever
implementation sends (libzmq or zmqcore); with a zmqcore PULL nothing is lost from
either sender. (Presumably libzmq's receiving engine, throttled by the HWM, takes the
hang-up of the closed unix socket as an error and drops what is still buffered; tcp
reports no hang-up on a half-close. Not verified in libzmq's source.) So:
- ipc with a libzmq receiver is xfail (non-strict) for every implementation;
- ipc with a `zmq` receiver is xfail under ZMQCORE_TEST_IMPL=zmq only -- zmqcore must
  pass it.
"""

import os
import struct
import subprocess
import sys
import time

import pytest

from interop.helpers import requires_linux

N = 200_000

SENDER = r'''
import os, struct, sys
if os.environ.get("ZMQCORE_TEST_IMPL", "zmqcore").strip().lower() in ("zmq", "pyzmq", "libzmq"):
    import zmq
else:
    import zmqcore as zmq
endpoint, n, binds = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "bind"
ctx = zmq.Context()
s = ctx.socket(zmq.PUSH)
if binds:
    s.bind(endpoint)
    print("endpoint", s.last_endpoint.decode(), flush=True)
else:
    s.connect(endpoint)
pack = struct.Struct(">Q").pack
send = s.send
for i in range(n):
    send(pack(i))
print("sent", flush=True)
s.close()
ctx.term()
print("terminated", flush=True)
'''


ISSUE_4660 = "libzmq loses the tail of the queue on ipc at close (libzmq#4660)"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("receiver", ["libzmq", "zmq"], ids=["libzmq-receives", "zmq-receives"])
@pytest.mark.parametrize("sender_binds", [False, True], ids=["sender-connects", "sender-binds"])
@pytest.mark.parametrize("transport", ["tcp", pytest.param("ipc", marks=requires_linux)])
def test_linger_delivers_everything_queued_at_close(request, zmq, ctx, lctx, libzmq, endpoint,
                                                    impl_name, transport, sender_binds,
                                                    receiver):
    if transport == "ipc" and (receiver == "libzmq" or impl_name == "zmq"):
        request.applymarker(pytest.mark.xfail(strict=False, reason=ISSUE_4660))
    if receiver == "libzmq":
        pull = lctx.socket(libzmq.PULL)
    else:
        pull = ctx.socket(zmq.PULL)
    pull.rcvhwm = 100
    env = dict(os.environ)
    env["ZMQCORE_TEST_IMPL"] = impl_name
    if sender_binds:
        target = endpoint(transport)
    else:
        pull.bind(endpoint(transport))
        target = pull.last_endpoint.decode()
    proc = subprocess.Popen(
        [sys.executable, "-c", SENDER, target, str(N), "bind" if sender_binds else "connect"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        if sender_binds:
            line = proc.stdout.readline()
            if not line.startswith("endpoint "):
                proc.wait(10)
                pytest.fail("sender did not bind: %r %s" % (line, proc.stderr.read()[-2000:]))
            pull.connect(line.split()[1])

        unpack = struct.Struct(">Q").unpack
        got = 0
        out_of_order = 0
        idle_since = None
        deadline = time.monotonic() + 45
        while got < N and time.monotonic() < deadline:
            if not pull.poll(100):
                # Nothing for a while: give up once the sender has exited and
                # 1.5 s passed with no message (the rest will never come).
                if proc.poll() is not None:
                    idle_since = idle_since or time.monotonic()
                    if time.monotonic() - idle_since > 1.5:
                        break
                continue
            idle_since = None
            (value,) = unpack(pull.recv())
            if value != got:
                out_of_order += 1
            got += 1
            if got % 2000 == 0:
                time.sleep(0.002)  # a slow receiver: the sender waits at HWM

        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, "sender failed (rc=%s): %s" % (proc.returncode, err[-2000:])
    assert out.split()[-2:] == ["sent", "terminated"], out
    assert out_of_order == 0
    assert got == N, "received %d of %d messages" % (got, N)
    assert not pull.poll(100), "more messages than were sent"
