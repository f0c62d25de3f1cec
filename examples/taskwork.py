#!/usr/bin/env python3
"""Task worker: pulls tasks from the ventilator, does them, pushes results to
the sink.

Connects a PULL socket to the ventilator (default tcp://localhost:5557) and a
PUSH socket to the sink (default tcp://localhost:5558). A task is a workload
in milliseconds; the worker sleeps that long and sends the sink
"<worker name> <workload>". Start as many workers as you like, before
pressing Enter in the ventilator. A dot is printed per task.

Runs until Ctrl-C, or until it has done --count tasks, or until no task has
come for --max-idle seconds.

    python examples/taskwork.py
    python examples/taskwork.py --tasks-from tcp://127.0.0.1:6003 \\
        --results-to tcp://127.0.0.1:6004 --max-idle 2

Set ZMQCORE_EXAMPLES_IMPL=zmq to run the same program on pyzmq.
"""

import argparse
import os
import sys
import time

if os.environ.get("ZMQCORE_EXAMPLES_IMPL", "zmqcore").strip().lower() in ("zmq", "pyzmq"):
    import zmq
else:
    import zmqcore as zmq


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks-from", default="tcp://localhost:5557",
                        help="ventilator endpoint")
    parser.add_argument("--results-to", default="tcp://localhost:5558",
                        help="sink endpoint")
    parser.add_argument("--name", default="worker-%d" % os.getpid(),
                        help="name reported to the sink")
    parser.add_argument("--count", type=int, default=0,
                        help="stop after this many tasks (0 = never)")
    parser.add_argument("--max-idle", type=float, default=0,
                        help="stop when no task has come for this many seconds "
                             "(0 = wait forever)")
    args = parser.parse_args(argv)

    context = zmq.Context()
    receiver = context.socket(zmq.PULL)
    receiver.connect(args.tasks_from)
    sender = context.socket(zmq.PUSH)
    sender.linger = 10000  # at exit, up to 10 s for the last results to get out
    sender.connect(args.results_to)
    print("%s ready" % args.name, flush=True)

    idle_ms = int(args.max_idle * 1000) if args.max_idle > 0 else None
    done = 0
    worked_msec = 0
    try:
        while args.count <= 0 or done < args.count:
            if not receiver.poll(idle_ms):
                break  # idle for too long: the batch is over
            workload = int(receiver.recv_string())
            sys.stdout.write(".")  # progress for the viewer
            sys.stdout.flush()
            time.sleep(workload / 1000.0)  # the work
            sender.send_string("%s %d" % (args.name, workload))
            done += 1
            worked_msec += workload
    except KeyboardInterrupt:
        pass
    finally:
        receiver.close()
        sender.close()
        context.term()
    print()
    print("%s: %d tasks done, %d msec of work" % (args.name, done, worked_msec))


if __name__ == "__main__":
    main()
