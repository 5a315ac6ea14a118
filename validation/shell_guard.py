"""NEURON's side of a HOC case runs only the shell commands bridge answered, no other.

HOC's `system(cmd)` and `system(cmd, strdef)` (NEURON's `hoc_System`, src/oc/fileio.cpp) call the C
library's `system()` and `popen()`. bridge answers a fixed list of read-only informational commands
itself (`bridge.hoc.shell_info`) and refuses any other. A model may also call `system()` in code bridge
never runs (a procedure of grvec.hoc that no one calls, a computed `system(st.s)`), which the static
scan (`validation.hoc_scan`) cannot judge. So NEURON's process gets a small library preloaded
(`LD_PRELOAD`) that replaces `system()` and `popen()`: a command equal to one that bridge's run of the
same model answered goes on to the C library's own function; any other command is not run, the
library prints `bridge: NEURON's system("...") was stopped ...` on stderr and ends the process with
status `EXIT_STATUS` (the case then fails with that message). The list is read once, when the library
loads, from `BRIDGE_SHELL_ALLOWED` (commands separated by newlines: an answered command never holds
one), and the variable is removed from NEURON's environment.

`LD_PRELOAD` is the dynamic loader's of Linux: elsewhere (`GUARDED` false) NEURON gets no guard, and the
static scan refuses every `system()` in the model's HOC instead (`validation.hoc_scan`).

The library is compiled once per machine with the C compiler nrnivmodl uses (`cc`), into the
nrnivmodl cache (`validation.neuron_run.cache_root`), under the digest of its source.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from bridge.errors import BridgeError

EXIT_STATUS = 86
GUARDED = sys.platform.startswith("linux")  # LD_PRELOAD replaces the C library's functions (glibc's ld.so)
ENV_NAME = "BRIDGE_SHELL_ALLOWED"

_SOURCE = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *allowed_list = NULL;

__attribute__((constructor)) static void bridge_guard_init(void) {
    const char *list = getenv("BRIDGE_SHELL_ALLOWED");
    allowed_list = strdup(list ? list : "");
    unsetenv("BRIDGE_SHELL_ALLOWED");
}

static int bridge_allowed(const char *cmd) {
    if (cmd == NULL || allowed_list == NULL || strchr(cmd, '\n') != NULL) return 0;
    size_t n = strlen(cmd);
    const char *p = allowed_list;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && n > 0 && strncmp(p, cmd, n) == 0) return 1;
        if (e == NULL) break;
        p = e + 1;
    }
    return 0;
}

static void bridge_stop(const char *fn, const char *cmd) {
    fprintf(stderr, "bridge: NEURON's %s(\"%s\") was stopped: bridge lets NEURON run only the commands "
            "bridge's own run of the model answered (bridge.hoc.shell_info)\n", fn, cmd ? cmd : "");
    fflush(stderr);
    _exit(EXIT_STATUS);
}

int system(const char *cmd) {
    if (cmd == NULL) return 0; /* "is there a shell?": no */
    if (!bridge_allowed(cmd)) bridge_stop("system", cmd);
    int (*real)(const char *) = (int (*)(const char *))dlsym(RTLD_NEXT, "system");
    if (real == NULL) bridge_stop("system", cmd);
    return real(cmd);
}

FILE *popen(const char *cmd, const char *type) {
    if (!bridge_allowed(cmd)) bridge_stop("popen", cmd);
    FILE *(*real)(const char *, const char *) = (FILE *(*)(const char *, const char *))dlsym(RTLD_NEXT, "popen");
    if (real == NULL) bridge_stop("popen", cmd);
    return real(cmd, type);
}
""".replace("EXIT_STATUS);", f"{EXIT_STATUS});")


def library() -> Path:
    """The compiled guard library (built on first use); BridgeError when it cannot be built, so that
    NEURON is not started unguarded."""
    return compiled(_SOURCE, "shell-guard", "keeps NEURON from running shell commands")


def compiled(source: str, stem: str, what: str) -> Path:
    """`source` (C) compiled into a shared library `stem-<digest>.so` in the nrnivmodl cache (built on first
    use); BridgeError naming the guard (`what` it does) when it cannot be built."""
    from validation.neuron_run import cache_root

    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    target = cache_root() / f"{stem}-{digest}.so"
    if target.is_file():
        return target
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        raise BridgeError(f"no C compiler (cc) to build the guard that {what}; NEURON was not started")
    cache_root().mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{stem}-", dir=cache_root()) as tmp:
        src, out = Path(tmp) / "guard.c", Path(tmp) / "guard.so"
        src.write_text(source)
        proc = subprocess.run([cc, "-shared", "-fPIC", "-O2", "-o", str(out), str(src), "-ldl"],
                              capture_output=True, text=True, timeout=120)
        if proc.returncode != 0 or not out.is_file():
            raise BridgeError(f"the guard that {what} did not compile; NEURON was not started:\n"
                              f"{proc.stderr[-2000:]}")
        os.replace(out, target)
    return target


def guarded_env(env: dict[str, str], commands: Iterable[str]) -> dict[str, str]:
    """`env` for NEURON's process with the guard preloaded and `commands` (those bridge answered) allowed;
    `env` itself where there is no guard (`GUARDED`: the scan refused every system() then)."""
    if not GUARDED:
        return env
    allowed = sorted({c for c in commands if c and "\n" not in c})
    preload = " ".join(filter(None, [str(library()), env.get("LD_PRELOAD")]))
    return {**env, "LD_PRELOAD": preload, ENV_NAME: "\n".join(allowed)}
