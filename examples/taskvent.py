#!/usr/bin/env python3
"""Task ventilator: hands out a batch of tasks to the workers over PUSH.

Binds a PUSH socket (default tcp://*:5557) that the workers (taskwork.py)
connect to, waits until you press Enter -- start the sink and the workers
first, so that they are all connected and the batch is shared between them --
then sends the batch: first a "0" that the sink takes as the start of the
batch, then --tasks tasks, each a random workload in milliseconds. PUSH deals
the tasks out round-robin among the connected workers (load balancing).

    python examples/taskvent.py
    python examples/taskvent.py --bind tcp://127.0.0.1:6003 --tasks 20 --delay 1

--delay N waits N seconds instead of asking for Enter. At the end the
ventilator lingers until every task has been handed over.

Set ZMQCORE_EXAMPLES_IMPL=zmq to run the same program on pyzmq.
"""

import argparse
import os
import random
import time

if os.environ.get("ZMQCORE_EXAMPLES_IMPL", "zmqcore").strip().lower() in ("zmq", "pyzmq"):
    import zmq
else:
    import zmqcore as zmq


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bind", default="tcp://*:5557",
                        help="endpoint the workers connect to")
    parser.add_argument("--tasks", type=int, default=100, help="tasks in the batch")
    parser.add_argument("--max-work", type=int, default=100,
                        help="largest workload of a task in ms (smallest is 1)")
    parser.add_argument("--delay", type=float, default=None,
                        help="wait this many seconds instead of asking for Enter")
    parser.add_argument("--seed", type=int, default=None, help="random seed")
    args = parser.parse_args(argv)
    if args.max_work < 1:
        parser.error("--max-work must be at least 1")

    context = zmq.Context()
    sender = context.socket(zmq.PUSH)
    sender.bind(args.bind)

    if args.delay is None:
        print("Press Enter when the workers are ready: ", end="", flush=True)
        try:
            input()
        except EOFError:  # stdin closed: take it as Enter
            print()
    else:
        print("Starting in %g s..." % args.delay, flush=True)
        time.sleep(args.delay)
    print("Sending tasks to workers...", flush=True)

    # "0" opens the batch: the worker that gets it passes it straight on to
    # the sink, which starts its clock.
    sender.send_string("0")

    rng = random.Random(args.seed)
    total_msec = 0
    for _ in range(args.tasks):
        workload = rng.randint(1, args.max_work)
        total_msec += workload
        sender.send_string(str(workload))
    print("Total expected cost: %d msec" % total_msec, flush=True)

    # Closing with the default LINGER waits until every queued task has been
    # handed to a worker: no need to sleep and hope.
    sender.close()
    context.term()


if __name__ == "__main__":
    main()
