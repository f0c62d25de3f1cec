"""zmqcore.perf: benchmarks as a product (``python -m zmqcore.perf``).

cli.py runs the cells and prints the tables; worker.py is one run in a process
of its own (the only place an implementation is imported, by name); thr.py,
lat.py, fanout.py and rr.py are the benchmarks; harness.py what they share;
twohost.py the libzmq-style scripts for runs between two machines; report.py
the tables and plot.py the --plot figure. Importing this package imports no
ZeroMQ module.
"""
