"""Build of zmqcore: the C core as one static library, linked into two
Cython extensions (the backend and the private test module).

Environment knobs:
  ZMQCORE_DEBUG=1                -O0 -g and ZC_DEBUG checks
  ZMQCORE_SANITIZE=address,...   build everything with -fsanitize=...
  ZMQCORE_POLLER=epoll|poll      pick the readiness poller (default: epoll on Linux)
  ZMQCORE_CFLAGS="..."           extra flags for every C file
  ZMQCORE_WERROR=1               warnings are errors (CI)
"""
import glob
import os
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from Cython.Build import cythonize

HERE = os.path.dirname(os.path.abspath(__file__))
DEBUG = os.environ.get("ZMQCORE_DEBUG") == "1"
SANITIZE = os.environ.get("ZMQCORE_SANITIZE", "")
POLLER = os.environ.get("ZMQCORE_POLLER") or ("epoll" if sys.platform.startswith("linux") else "poll")
if POLLER not in ("epoll", "poll"):
    raise SystemExit(f"ZMQCORE_POLLER must be epoll or poll, not {POLLER!r}")

opt = ["-O0", "-g", "-DZC_DEBUG=1"] if DEBUG else ["-O2", "-g0"]
san = [f"-fsanitize={SANITIZE}", "-fno-omit-frame-pointer"] if SANITIZE else []
extra = os.environ.get("ZMQCORE_CFLAGS", "").split()
werror = ["-Werror"] if os.environ.get("ZMQCORE_WERROR") == "1" else []
poller_define = [f"-DZC_POLLER_{POLLER.upper()}=1"]

# The core: strict C11, no Python.h, one poller chosen.
core_sources = sorted(
    os.path.relpath(p, HERE)
    for p in glob.glob(os.path.join(HERE, "zmqcore", "core", "*.c"))
    if not os.path.basename(p).startswith("poller_")
)
core_sources.append(os.path.join("zmqcore", "core", f"poller_{POLLER}.c"))
core_cflags = (["-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-fPIC",
                "-fvisibility=hidden"] + opt + san + poller_define + werror + extra)

# Cython output: -Wall -Wextra too, minus the warnings generated code trips.
ext_cflags = (["-Wall", "-Wextra",
               # Cython's generated code declares unused helpers and parameters.
               "-Wno-unused-function", "-Wno-unused-parameter",
               # Cython compares signed and unsigned lengths in generated loops.
               "-Wno-sign-compare",
               # Cython casts between function pointer types in method tables.
               "-Wno-cast-function-type"]
              + opt + san + poller_define + extra)
ext_ldflags = san + ["-lpthread"]

include_dirs = [os.path.join(HERE, "include")]
# The extensions link the core statically: relink them whenever it changes.
core_depends = core_sources + sorted(
    os.path.relpath(p, HERE) for p in glob.glob(os.path.join(HERE, "include", "zmqcore", "*.h")))


def extension(name, source):
    return Extension(
        name,
        sources=[source],
        include_dirs=include_dirs,
        libraries=["zmqcore_core"],
        depends=core_depends,
        extra_compile_args=ext_cflags,
        extra_link_args=ext_ldflags,
    )


extensions = cythonize(
    [
        extension("zmqcore.backend._zmq", "zmqcore/backend/_zmq.pyx"),
        extension("zmqcore._testing", "zmqcore/_testing.pyx"),
    ],
    compiler_directives={
        "language_level": "3",
        "boundscheck": False,
        "wraparound": False,
        "cdivision": True,
        "embedsignature": True,
    },
    include_path=[HERE, os.path.join(HERE, "zmqcore", "backend")],
    annotate=DEBUG,
)

class build_ext_with_core(build_ext):
    """Build the core library first: plain build_ext (and editable
    installs) would otherwise link against a library nobody built."""

    def run(self):
        self.run_command("build_clib")
        super().run()


setup(
    cmdclass={"build_ext": build_ext_with_core},
    libraries=[("zmqcore_core", {
        "sources": core_sources,
        "include_dirs": include_dirs,
        "cflags": core_cflags,
    })],
    ext_modules=extensions,
)
