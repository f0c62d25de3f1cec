#!/usr/bin/env python3
"""Task sink: collects the results of a batch from the workers over PULL and
times the batch.

Binds a PULL socket (default tcp://*:5558) that the workers push results to;
PULL takes from all of them in turn (fair queuing). The first result is the
ventilator's "0" start-of-batch message, which starts the clock; then the
sink waits for --tasks results (as many as the ventilator sends), printing ':'
every ten and '.' for the others, and reports the total elapsed time, the
work the results account for and how the tasks were spread over the workers.

    python examples/tasksink.py
    python examples/tasksink.py --bind tcp://127.0.0.1:6004 --tasks 20

Set ZMQCORE_EXAMPLES_IMPL=zmq to run the same program on pyzmq.
"""

import argparse
import collections
import os
import sys
import time

if os.environ.get("ZMQCORE_EXAMPLES_IMPL", "zmqcore").strip().lower() in ("zmq", "pyzmq"):
    import zmq
else:
    import zmqcore as zmq


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bind", default="tcp://*:5558",
                        help="endpoint the workers push results to")
    parser.add_argument("--tasks", type=int, default=100,
                        help="results to wait for after the start of the batch")
    parser.add_argument("--timeout", type=float, default=0,
                        help="give up if no result comes for this many seconds "
                             "(0 = wait forever)")
    args = parser.parse_args(argv)

    context = zmq.Context()
    receiver = context.socket(zmq.PULL)
    receiver.linger = 0
    if args.timeout > 0:
        receiver.rcvtimeo = int(args.timeout * 1000)
    receiver.bind(args.bind)
    print("Waiting for the batch on %s..." % args.bind, flush=True)

    per_worker = collections.Counter()
    reported_msec = 0
    received = 0
    status = 0
    try:
        # Wait for the start of the batch, then start the clock.
        name, workload = receiver.recv_string().split()
        reported_msec += int(workload)
        tstart = time.time()
        for received in range(1, args.tasks + 1):
            name, workload = receiver.recv_string().split()
            per_worker[name] += 1
            reported_msec += int(workload)
            sys.stdout.write(":" if received % 10 == 0 else ".")
            sys.stdout.flush()
        tend = time.time()
    except zmq.Again:
        print("\nNo result within %g s, giving up after %d of %d"
              % (args.timeout, received - 1 if received else 0, args.tasks),
              file=sys.stderr)
        status = 1
    except KeyboardInterrupt:
        status = 130
    finally:
        receiver.close()
        context.term()
    if status:
        return status
    print()
    print("Total elapsed time: %d msec" % ((tend - tstart) * 1000))
    print("Tasks completed: %d, %d msec of work reported" % (args.tasks, reported_msec))
    print("Tasks per worker: %s" % ", ".join(
        "%s=%d" % item for item in sorted(per_worker.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
