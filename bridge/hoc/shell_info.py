"""HOC's `system(cmd)` and `system(cmd, strdef)` for a fixed list of read-only informational commands,
answered in Python: no shell runs, nothing is executed.

NEURON's `hoc_System` (src/oc/fileio.cpp) gives `cmd` to /bin/sh: with one argument the command's
output goes to stdout, with a strdef the strdef gets the command's whole standard output (its final
newline kept); the value is the shell's wait status (0 for these commands). Models of the nrnoc
library family (grvec.hoc, decvec.hoc) ask at load time for the machine (`uname -m`) and the date
(`date +%y%b%d`). bridge answers exactly these commands (words separated by blanks, nothing else):

- `uname` with any of the options -s -n -r -v -m (single or combined, as `-sm`): the fields in
  GNU uname's order (kernel name, node name, release, version, machine), separated by one blank;
- `date` (C locale, `%a %b %e %H:%M:%S %Z %Y`) and `date +FORMAT` with the strftime conversions of
  `DATE_CONVERSIONS` and no blank in FORMAT;
- `hostname`, `pwd` (the working directory the model sees: `getcwd()`), `whoami`.

A word may be quoted whole ('...' or "..."), which the shell reads as the same word: the characters
allowed in a word have no meaning to the shell inside quotes. Anything else (a pipe, a redirection, a
variable, another program) is refused, naming the command.
The commands answered are kept (`ModelState.shell_commands`), so `validation` lets NEURON run those and no other.
"""

from __future__ import annotations

import os
import re
import time

# conversions of `date +FORMAT` answered through the C library's strftime, as GNU date does for them
DATE_CONVERSIONS = frozenset("aAbBcCdDeFgGhHIjklmMnprRsStTuUVwWxXyYzZ%")
_UNAME_FIELDS = "snrvm"  # GNU uname's order of the fields these options print
_WORD = re.compile(r"[A-Za-z0-9%+:/_.-]+\Z")
ALLOWED = "uname [-snrvm], date, date +FORMAT, hostname, pwd and whoami"


def _uname(options: list[str]) -> str | None:
    letters = set()
    for opt in options:
        if not opt.startswith("-") or len(opt) < 2 or not set(opt[1:]) <= set(_UNAME_FIELDS):
            return None
        letters |= set(opt[1:])
    u = os.uname()
    values = dict(zip(_UNAME_FIELDS, (u.sysname, u.nodename, u.release, u.version, u.machine), strict=True))
    return " ".join(values[c] for c in _UNAME_FIELDS if c in (letters or {"s"}))


def _date(args: list[str]) -> str | None:
    if not args:
        return time.strftime("%a %b %e %H:%M:%S %Z %Y")  # GNU date's default format in the C locale
    if len(args) != 1 or not args[0].startswith("+"):
        return None
    fmt = args[0][1:]
    i = 0
    while i < len(fmt):
        if fmt[i] == "%":
            if i + 1 >= len(fmt) or fmt[i + 1] not in DATE_CONVERSIONS:
                return None
            i += 2
        else:
            i += 1
    return time.strftime(fmt)


def answer(command: str, cwd: str) -> str | None:
    """The standard output `command` would print (its final newline included), or None when it is
    not one bridge answers. `cwd`: the working directory the model sees."""
    words = [w for w in re.split(r"[ \t]+", command) if w]  # the shell's blanks; a newline is refused
    words = [w[1:-1] if len(w) > 2 and w[0] == w[-1] and w[0] in "'\"" else w for w in words]  # "+%m%d%Y"
    if not words or any(_WORD.match(w) is None for w in words):
        return None
    name, args = words[0], words[1:]
    if name == "uname":
        text = _uname(args)
    elif name == "date":
        text = _date(args)
    elif name == "hostname" and not args:
        text = os.uname().nodename
    elif name == "pwd" and not args:
        text = str(cwd)
    elif name == "whoami" and not args:
        import pwd

        text = pwd.getpwuid(os.geteuid()).pw_name
    else:
        text = None
    return None if text is None else text + "\n"


def system(interp, args, loc):
    """HOC's `system(cmd[, strdef])` for the commands `answer` knows; refused for any other."""
    from bridge.hoc.arguments import string_arg
    from bridge.hoc.values import StrVar

    command = string_arg(interp, args, 0, loc, "system")
    if len(args) > 1 and not isinstance(args[1], StrVar):
        raise interp.error("system: argument 2 must be a strdef variable", loc)
    text = answer(command, str(interp.files.cwd))
    if text is None:
        raise interp.refuse(f'system() is refused: "{command}" is not a command bridge answers; bridge runs no '
                            f"command for a model and answers only {ALLOWED} (read-only information, without a "
                            "shell)", loc)
    interp.model.shell_commands.append(command)
    if len(args) > 1:
        args[1].value = text
    else:
        interp.write(text)
    return 0.0  # the shell's wait status: these commands succeed
