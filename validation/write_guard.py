"""NEURON's side of a HOC case writes only inside the output folder: a guard in NEURON's own process.

A model's HOC writes through NEURON's `wopen`/`File.wopen`/`printfile`/`save_session`/`hoc_stdout`/
`unlink`/... (src/oc/fileio.cpp, src/ivoc/ocfile.cpp), often under a name computed at run time or in a
procedure no one calls, which the static scan (`validation.hoc_scan`) cannot judge. So NEURON's process gets
a small library preloaded (`LD_PRELOAD`, beside `validation.shell_guard`'s) that replaces the C library's
entry points a write goes through: `fopen`/`fopen64`/`freopen`/`freopen64` with a mode holding `w`, `a`
or `+`; `open`/`open64`/`openat`/`openat64` (and their `_FORTIFY_SOURCE` forms `__open_2`, ...) and
`creat`/`creat64` with `O_WRONLY`, `O_RDWR`, `O_CREAT`, `O_TRUNC` or `O_APPEND`; `unlink`, `unlinkat`,
`remove`, `rmdir`, `mkdir`, `mkdirat`, `rename`, `renameat`, `renameat2`, `link`, `linkat`, `symlink`,
`symlinkat`, `truncate`, `truncate64`, `mkfifo`, `mknod`, and `mkstemp`'s family (`mkstemp`, `mkostemp`,
`mkstemps`, `mkostemps`, their `64` forms, `mkdtemp`: the template's folder). C++'s `std::ofstream`
(libstdc++) opens through `fopen`; glibc's own internal calls (`fopen` to `open`) do not go through the
replaced names, which is why each outer name is replaced.

Each name is made absolute (the working directory, or the folder of `dirfd` for the `*at` forms), its
folder resolved with `realpath` (all symlinks followed), and the entry itself added: the result must lie
strictly inside one of the allowed folders, or equal one of the allowed files (`/dev/null` always). Where
the call follows a last symlink (an open, `truncate`, `link`'s source) the symlink's fully resolved target
must lie inside too, and a dangling one (an open with `O_CREAT` would create its target) is refused. A
name whose folder does not exist goes on to the C library's function (it fails there with `ENOENT`). Any
other write is not made: the library prints `bridge: NEURON's fopen("...", "w") was stopped ...` on stderr
and ends the process with `shell_guard.EXIT_STATUS`.

The allowed places are read once, when the library loads, from `BRIDGE_WRITE_ALLOWED` (lines `D<folder>`
or `F<file>`), and the variable is removed from NEURON's environment. `validation.neuron_case` allows the
copy of the model folder NEURON runs on (whose written files are moved into the user's output folder,
`validation.output_files`) and the file NEURON's results go to; with no output folder, only the latter, so
every write of the model stops NEURON. Python's own bytecode cache and bridge's JAX compilation cache are
turned off (`PYTHONDONTWRITEBYTECODE`, `BRIDGE_NO_JAX_CACHE`).

`GUARDED` is `shell_guard.GUARDED` (Linux); elsewhere NEURON gets no guard and the static scan refuses every
write it cannot check (`validation.hoc_scan`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from validation import shell_guard

GUARDED = shell_guard.GUARDED
ENV_NAME = "BRIDGE_WRITE_ALLOWED"

_SOURCE = r"""
#undef _FORTIFY_SOURCE
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *allowed = NULL; /* "D<folder>\n" / "F<file>\n" lines, folders and files resolved */
static int loaded = 0;

static void bridge_load(void) {
    if (loaded) return;
    loaded = 1;
    const char *list = getenv("BRIDGE_WRITE_ALLOWED");
    size_t cap = 16 + (list ? 2 * strlen(list) + 2 * PATH_MAX : 0);
    allowed = calloc(1, cap);
    if (allowed == NULL) return;
    strcat(allowed, "F/dev/null\n");
    if (list == NULL) return;
    const char *p = list;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len > 1 && len < PATH_MAX && (p[0] == 'D' || p[0] == 'F')) {
            char name[PATH_MAX], real[PATH_MAX];
            memcpy(name, p + 1, len - 1);
            name[len - 1] = 0;
            if (p[0] == 'D' && realpath(name, real) != NULL && strlen(allowed) + strlen(real) + 3 < cap) {
                strcat(allowed, "D"); strcat(allowed, real); strcat(allowed, "\n");
            } else if (p[0] == 'F' && name[0] == '/' && strlen(allowed) + strlen(name) + 3 < cap) {
                strcat(allowed, "F"); strcat(allowed, name); strcat(allowed, "\n");
            }
        }
        if (e == NULL) break;
        p = e + 1;
    }
}

__attribute__((constructor)) static void bridge_write_guard_init(void) {
    bridge_load();
    unsetenv("BRIDGE_WRITE_ALLOWED");
}

static int bridge_listed(const char *full) {
    if (allowed == NULL) return 0;
    size_t n = strlen(full);
    const char *p = allowed;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t len = (size_t)(e - p) - 1;
        if (p[0] == 'F' && len == n && strncmp(p + 1, full, n) == 0) return 1;
        if (p[0] == 'D' && n > len + 1 && strncmp(p + 1, full, len) == 0 && full[len] == '/') return 1;
        p = e + 1;
    }
    return 0;
}

/* 1: allowed; 0: not; -1: its folder does not exist (the call fails in the C library). */
static int bridge_inside(int dirfd, const char *path, int follow) {
    char abs[2 * PATH_MAX + 2], parent[PATH_MAX], real[PATH_MAX], full[2 * PATH_MAX + 2];
    bridge_load();
    if (path == NULL || path[0] == 0 || strlen(path) >= PATH_MAX) return 0;
    if (path[0] == '/') {
        strcpy(abs, path);
    } else {
        char base[PATH_MAX];
        if (dirfd == AT_FDCWD) {
            if (getcwd(base, sizeof base) == NULL) return 0;
        } else {
            char link[64];
            snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
            ssize_t k = readlink(link, base, sizeof base - 1);
            if (k <= 0) return 0;
            base[k] = 0;
        }
        snprintf(abs, sizeof abs, "%s/%s", base, path);
    }
    size_t n = strlen(abs);
    while (n > 1 && abs[n - 1] == '/') abs[--n] = 0;
    char *slash = strrchr(abs, '/');
    const char *last = slash + 1;
    if (strcmp(last, ".") == 0 || strcmp(last, "..") == 0 || last[0] == 0) {
        if (realpath(abs, real) == NULL) return 0;
        return bridge_listed(real);
    }
    if (slash == abs) strcpy(parent, "/");
    else { memcpy(parent, abs, (size_t)(slash - abs)); parent[slash - abs] = 0; }
    if (realpath(parent, real) == NULL) return (errno == ENOENT || errno == ENOTDIR) ? -1 : 0;
    snprintf(full, sizeof full, "%s/%s", strcmp(real, "/") == 0 ? "" : real, last);
    if (!bridge_listed(full)) return 0;
    struct stat st;
    if (follow && lstat(full, &st) == 0 && S_ISLNK(st.st_mode)) {
        if (realpath(full, real) == NULL) return 0; /* dangling: creating it would write its target */
        return bridge_listed(real);
    }
    return 1;
}

static void bridge_stop(const char *fn, const char *path, const char *how) {
    fprintf(stderr, "bridge: NEURON's %s(\"%s\"%s%s%s) was stopped: bridge lets NEURON write only inside the "
            "output folder (validation.write_guard)\n", fn, path ? path : "(null)", how ? ", \"" : "",
            how ? how : "", how ? "\"" : "");
    fflush(stderr);
    _exit(EXIT_STATUS);
}

#define REAL(name, type) ((type)dlsym(RTLD_NEXT, name))
/* 1: go on to the C library; 0: fail with ENOENT (the folder does not exist); stops on anything else */
static int bridge_check(const char *fn, int dirfd, const char *path, int follow, const char *how) {
    int r = bridge_inside(dirfd, path, follow);
    if (r == 0) bridge_stop(fn, path, how);
    if (r < 0) { errno = ENOENT; return 0; }
    return 1;
}

static int bridge_mode_writes(const char *mode) {
    return mode != NULL && (strchr(mode, 'w') || strchr(mode, 'a') || strchr(mode, '+'));
}
static int bridge_flags_write(int flags) {
    return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC | O_APPEND)) != 0
        || (flags & O_TMPFILE) == O_TMPFILE;
}

typedef FILE *(*fopen_t)(const char *, const char *);
typedef FILE *(*freopen_t)(const char *, const char *, FILE *);
#define FOPEN(name) \
FILE *name(const char *path, const char *mode) { \
    if (bridge_mode_writes(mode) && !bridge_check(#name, AT_FDCWD, path, 1, mode)) return NULL; \
    fopen_t real = REAL(#name, fopen_t); \
    if (real == NULL) bridge_stop(#name, path, mode); \
    return real(path, mode); \
}
FOPEN(fopen)
FOPEN(fopen64)
#define FREOPEN(name) \
FILE *name(const char *path, const char *mode, FILE *f) { \
    if (bridge_mode_writes(mode)) { \
        if (path == NULL) bridge_stop(#name, path, mode); \
        if (!bridge_check(#name, AT_FDCWD, path, 1, mode)) return NULL; \
    } \
    freopen_t real = REAL(#name, freopen_t); \
    if (real == NULL) bridge_stop(#name, path, mode); \
    return real(path, mode, f); \
}
FREOPEN(freopen)
FREOPEN(freopen64)

static mode_t bridge_mode_arg(int flags, va_list ap) {
    return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}
typedef int (*openat_t)(int, const char *, int, ...);
typedef int (*open_t)(const char *, int, ...);
#define OPEN(name) \
int name(const char *path, int flags, ...) { \
    va_list ap; va_start(ap, flags); mode_t mode = bridge_mode_arg(flags, ap); va_end(ap); \
    if (bridge_flags_write(flags) && !bridge_check(#name, AT_FDCWD, path, 1, NULL)) return -1; \
    open_t real = REAL(#name, open_t); \
    if (real == NULL) bridge_stop(#name, path, NULL); \
    return real(path, flags, mode); \
}
OPEN(open)
OPEN(open64)
#define OPENAT(name) \
int name(int dirfd, const char *path, int flags, ...) { \
    va_list ap; va_start(ap, flags); mode_t mode = bridge_mode_arg(flags, ap); va_end(ap); \
    if (bridge_flags_write(flags) && !bridge_check(#name, dirfd, path, 1, NULL)) return -1; \
    openat_t real = REAL(#name, openat_t); \
    if (real == NULL) bridge_stop(#name, path, NULL); \
    return real(dirfd, path, flags, mode); \
}
OPENAT(openat)
OPENAT(openat64)
/* _FORTIFY_SOURCE's forms (no mode: O_CREAT is not allowed there) */
#define OPEN2(name, real_name) \
int name(const char *path, int flags) { \
    if (bridge_flags_write(flags) && !bridge_check(#name, AT_FDCWD, path, 1, NULL)) return -1; \
    open_t real = REAL(real_name, open_t); \
    if (real == NULL) bridge_stop(#name, path, NULL); \
    return real(path, flags); \
}
OPEN2(__open_2, "open")
OPEN2(__open64_2, "open64")
#define OPENAT2(name, real_name) \
int name(int dirfd, const char *path, int flags) { \
    if (bridge_flags_write(flags) && !bridge_check(#name, dirfd, path, 1, NULL)) return -1; \
    openat_t real = REAL(real_name, openat_t); \
    if (real == NULL) bridge_stop(#name, path, NULL); \
    return real(dirfd, path, flags); \
}
OPENAT2(__openat_2, "openat")
OPENAT2(__openat64_2, "openat64")

typedef int (*creat_t)(const char *, mode_t);
#define CREAT(name) \
int name(const char *path, mode_t mode) { \
    if (!bridge_check(#name, AT_FDCWD, path, 1, NULL)) return -1; \
    creat_t real = REAL(#name, creat_t); \
    if (real == NULL) bridge_stop(#name, path, NULL); \
    return real(path, mode); \
}
CREAT(creat)
CREAT(creat64)
CREAT(mkdir)
CREAT(mkfifo)

typedef int (*path_t)(const char *);
#define ONE_PATH(name) \
int name(const char *path) { \
    if (!bridge_check(#name, AT_FDCWD, path, 0, NULL)) return -1; \
    path_t real = REAL(#name, path_t); \
    if (real == NULL) bridge_stop(#name, path, NULL); \
    return real(path); \
}
ONE_PATH(unlink)
ONE_PATH(remove)
ONE_PATH(rmdir)

typedef int (*truncate_t)(const char *, off_t);
int truncate(const char *path, off_t length) {
    if (!bridge_check("truncate", AT_FDCWD, path, 1, NULL)) return -1;
    truncate_t real = REAL("truncate", truncate_t);
    if (real == NULL) bridge_stop("truncate", path, NULL);
    return real(path, length);
}
typedef int (*truncate64_t)(const char *, off64_t);
int truncate64(const char *path, off64_t length) {
    if (!bridge_check("truncate64", AT_FDCWD, path, 1, NULL)) return -1;
    truncate64_t real = REAL("truncate64", truncate64_t);
    if (real == NULL) bridge_stop("truncate64", path, NULL);
    return real(path, length);
}

/* mkstemp's family makes its file through the C library's own open (not the replaced names): the template's
   folder must be allowed (NEURON's File.mktemp, pwman.cpp ivoc_get_temp_file: $TEMP/nrnXXXXXX) */
typedef int (*mkstemp_t)(char *);
typedef int (*mkostemp_t)(char *, int);
typedef int (*mkstemps_t)(char *, int, int);
typedef char *(*mkdtemp_t)(char *);
#define MKSTEMP(name) \
int name(char *t) { \
    if (!bridge_check(#name, AT_FDCWD, t, 0, NULL)) return -1; \
    mkstemp_t real = REAL(#name, mkstemp_t); \
    if (real == NULL) bridge_stop(#name, t, NULL); \
    return real(t); \
}
MKSTEMP(mkstemp)
MKSTEMP(mkstemp64)
#define MKOSTEMP(name) \
int name(char *t, int a) { \
    if (!bridge_check(#name, AT_FDCWD, t, 0, NULL)) return -1; \
    mkostemp_t real = REAL(#name, mkostemp_t); \
    if (real == NULL) bridge_stop(#name, t, NULL); \
    return real(t, a); \
}
MKOSTEMP(mkostemp)
MKOSTEMP(mkostemp64)
MKOSTEMP(mkstemps)
MKOSTEMP(mkstemps64)
#define MKOSTEMPS(name) \
int name(char *t, int a, int b) { \
    if (!bridge_check(#name, AT_FDCWD, t, 0, NULL)) return -1; \
    mkstemps_t real = REAL(#name, mkstemps_t); \
    if (real == NULL) bridge_stop(#name, t, NULL); \
    return real(t, a, b); \
}
MKOSTEMPS(mkostemps)
MKOSTEMPS(mkostemps64)
char *mkdtemp(char *t) {
    if (!bridge_check("mkdtemp", AT_FDCWD, t, 0, NULL)) return NULL;
    mkdtemp_t real = REAL("mkdtemp", mkdtemp_t);
    if (real == NULL) bridge_stop("mkdtemp", t, NULL);
    return real(t);
}

typedef int (*mknod_t)(const char *, mode_t, dev_t);
int mknod(const char *path, mode_t mode, dev_t dev) {
    if (!bridge_check("mknod", AT_FDCWD, path, 0, NULL)) return -1;
    mknod_t real = REAL("mknod", mknod_t);
    if (real == NULL) bridge_stop("mknod", path, NULL);
    return real(path, mode, dev);
}

typedef int (*unlinkat_t)(int, const char *, int);
int unlinkat(int dirfd, const char *path, int flags) {
    if (!bridge_check("unlinkat", dirfd, path, 0, NULL)) return -1;
    unlinkat_t real = REAL("unlinkat", unlinkat_t);
    if (real == NULL) bridge_stop("unlinkat", path, NULL);
    return real(dirfd, path, flags);
}
typedef int (*mkdirat_t)(int, const char *, mode_t);
int mkdirat(int dirfd, const char *path, mode_t mode) {
    if (!bridge_check("mkdirat", dirfd, path, 0, NULL)) return -1;
    mkdirat_t real = REAL("mkdirat", mkdirat_t);
    if (real == NULL) bridge_stop("mkdirat", path, NULL);
    return real(dirfd, path, mode);
}

typedef int (*two_t)(const char *, const char *);
#define TWO_PATHS(name, follow_first) \
int name(const char *a, const char *b) { \
    if (!bridge_check(#name, AT_FDCWD, a, follow_first, NULL)) return -1; \
    if (!bridge_check(#name, AT_FDCWD, b, 0, NULL)) return -1; \
    two_t real = REAL(#name, two_t); \
    if (real == NULL) bridge_stop(#name, b, NULL); \
    return real(a, b); \
}
TWO_PATHS(rename, 0)
TWO_PATHS(link, 1)

typedef int (*renameat_t)(int, const char *, int, const char *);
int renameat(int da, const char *a, int db, const char *b) {
    if (!bridge_check("renameat", da, a, 0, NULL) || !bridge_check("renameat", db, b, 0, NULL)) return -1;
    renameat_t real = REAL("renameat", renameat_t);
    if (real == NULL) bridge_stop("renameat", b, NULL);
    return real(da, a, db, b);
}
typedef int (*renameat2_t)(int, const char *, int, const char *, unsigned int);
int renameat2(int da, const char *a, int db, const char *b, unsigned int flags) {
    if (!bridge_check("renameat2", da, a, 0, NULL) || !bridge_check("renameat2", db, b, 0, NULL)) return -1;
    renameat2_t real = REAL("renameat2", renameat2_t);
    if (real == NULL) bridge_stop("renameat2", b, NULL);
    return real(da, a, db, b, flags);
}
typedef int (*linkat_t)(int, const char *, int, const char *, int);
int linkat(int da, const char *a, int db, const char *b, int flags) {
    if (!bridge_check("linkat", da, a, 1, NULL) || !bridge_check("linkat", db, b, 0, NULL)) return -1;
    linkat_t real = REAL("linkat", linkat_t);
    if (real == NULL) bridge_stop("linkat", b, NULL);
    return real(da, a, db, b, flags);
}
int symlink(const char *target, const char *path) {
    if (!bridge_check("symlink", AT_FDCWD, path, 0, NULL)) return -1;
    two_t real = REAL("symlink", two_t);
    if (real == NULL) bridge_stop("symlink", path, NULL);
    return real(target, path);
}
typedef int (*symlinkat_t)(const char *, int, const char *);
int symlinkat(const char *target, int dirfd, const char *path) {
    if (!bridge_check("symlinkat", dirfd, path, 0, NULL)) return -1;
    symlinkat_t real = REAL("symlinkat", symlinkat_t);
    if (real == NULL) bridge_stop("symlinkat", path, NULL);
    return real(target, dirfd, path);
}
""".replace("EXIT_STATUS);", f"{shell_guard.EXIT_STATUS});")


def library() -> Path:
    """The compiled write guard (built on first use); BridgeError when it cannot be built, so that NEURON
    is not started unguarded."""
    return shell_guard.compiled(_SOURCE, "write-guard", "keeps NEURON's writes inside the output folder")


def guarded_env(env: dict[str, str], folders: Iterable[Path], files: Iterable[Path]) -> dict[str, str]:
    """`env` for NEURON's process with the write guard preloaded, writes allowed strictly inside `folders`
    and to exactly `files` (and /dev/null); `env` itself where there is no guard (`GUARDED`)."""
    if not GUARDED:
        return env
    lines = [f"D{Path(f).resolve()}" for f in folders] + [f"F{Path(f).parent.resolve() / Path(f).name}" for f in files]
    if any("\n" in line for line in lines):
        raise ValueError("a folder or file name with a newline cannot be given to the write guard")
    preload = " ".join(filter(None, [str(library()), env.get("LD_PRELOAD")]))
    # no bytecode cache, and no JAX compilation cache (`bridge.solver.compile_cache`): bridge.solver, which
    # the subprocess imports for its probe names, turns it on in ~/.cache
    return {**env, "LD_PRELOAD": preload, ENV_NAME: "\n".join(lines), "PYTHONDONTWRITEBYTECODE": "1",
            "BRIDGE_NO_JAX_CACHE": "1"}
