#!/usr/bin/env python3
"""Reading from two sockets at once with zmq.Poller: tasks from the
ventilator (PULL) and weather updates from the weather server (SUB).

Connects a PULL socket to the task ventilator (default tcp://localhost:5557)
and a SUB socket, subscribed to one zip code, to the weather server (default
tcp://localhost:5556), and serves whichever has a message ready. Neither
socket can starve the other, and nothing is busy-waiting.

Runs until Ctrl-C, or until --tasks tasks and --updates updates have come
(a limit of 0 is not waited for; the ventilator's "0" start-of-batch message
counts as a task here).

    python examples/mspoller.py
    python examples/mspoller.py --tasks-from tcp://127.0.0.1:6003 \\
        --weather-from tcp://127.0.0.1:6001 --tasks 21 --updates 5

Set ZMQCORE_EXAMPLES_IMPL=zmq to run the same program on pyzmq.
"""

import argparse
import os
import sys

if os.environ.get("ZMQCORE_EXAMPLES_IMPL", "zmqcore").strip().lower() in ("zmq", "pyzmq"):
    import zmq
else:
    import zmqcore as zmq


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks-from", default="tcp://localhost:5557",
                        help="task ventilator endpoint")
    parser.add_argument("--weather-from", default="tcp://localhost:5556",
                        help="weather server endpoint")
    parser.add_argument("--zipcode", default="10001",
                        help="zip code of the weather updates to take")
    parser.add_argument("--tasks", type=int, default=0,
                        help="stop once this many tasks have come (with --updates)")
    parser.add_argument("--updates", type=int, default=0,
                        help="stop once this many updates have come (with --tasks)")
    parser.add_argument("--timeout", type=float, default=0,
                        help="give up if nothing comes for this many seconds "
                             "(0 = wait forever)")
    args = parser.parse_args(argv)

    context = zmq.Context()
    receiver = context.socket(zmq.PULL)    # tasks from the ventilator
    receiver.connect(args.tasks_from)
    subscriber = context.socket(zmq.SUB)   # weather updates
    subscriber.connect(args.weather_from)
    subscriber.setsockopt_string(zmq.SUBSCRIBE, args.zipcode + " ")
    for s in (receiver, subscriber):
        s.linger = 0

    poller = zmq.Poller()
    poller.register(receiver, zmq.POLLIN)
    poller.register(subscriber, zmq.POLLIN)
    print("Polling tasks from %s and weather updates for %s from %s"
          % (args.tasks_from, args.zipcode, args.weather_from), flush=True)

    def finished():
        if args.tasks <= 0 and args.updates <= 0:
            return False
        return tasks >= args.tasks and updates >= args.updates

    tasks = updates = 0
    workload = 0
    status = 0
    timeout_ms = int(args.timeout * 1000) if args.timeout > 0 else None
    try:
        while not finished():
            ready = dict(poller.poll(timeout_ms))
            if not ready:
                print("Nothing within %g s, giving up" % args.timeout, file=sys.stderr)
                status = 1
                break
            if ready.get(receiver) == zmq.POLLIN:
                message = receiver.recv_string()
                tasks += 1
                workload += int(message)
                print("Task %d: %s msec" % (tasks, message), flush=True)
            if ready.get(subscriber) == zmq.POLLIN:
                message = subscriber.recv_string()
                updates += 1
                print("Weather update %d: %s" % (updates, message), flush=True)
    except KeyboardInterrupt:
        status = 130
    finally:
        receiver.close()
        subscriber.close()
        context.term()
    print("Received %d tasks (%d msec of work) and %d weather updates for %s"
          % (tasks, workload, updates, args.zipcode))
    return status


if __name__ == "__main__":
    sys.exit(main())
