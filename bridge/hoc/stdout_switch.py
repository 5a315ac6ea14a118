"""`hoc_stdout("name")` and `hoc_stdout()`: what the model prints goes into a file, then back to stdout.

NEURON (src/oc/fileio.cpp `hoc_stdout`) opens the file "wb" and `dup2`s it onto file descriptor 1, so
everything printed from then on (print, printf, Vector.printf, pwd(), ...) lands in the file until
`hoc_stdout()` restores the saved descriptor; a second switch while one is active is an error
("stdout already switched"); both forms return `fileno(stdout)`, 1. In bridge the file is opened in
the output folder the user names (`bridge.hoc.outfiles`), like every other file a model writes, and
`Interpreter.write` sends printed text there while it is open.
"""

from __future__ import annotations

from bridge.errors import HocRefusal
from bridge.hoc.arguments import string_arg
from bridge.hoc.loader import _expand


def hoc_stdout(interp, args, loc):
    """hoc_stdout("name") switches printed output into `name` (in the output folder); hoc_stdout() back."""
    files = interp.files
    if args:
        name = string_arg(interp, args, 0, loc, "hoc_stdout")
        if files.stdout_file is not None:
            raise interp.error("hoc_stdout: stdout already switched", loc)
        try:
            files.stdout_file = files.output.open(_expand(interp, name, loc))
        except HocRefusal as err:
            raise interp.refuse(f"hoc_stdout({name!r}): {err.message}", loc) from None
        except OSError:
            raise interp.error(f"hoc_stdout: Unable to open {name}", loc) from None
    elif files.stdout_file is not None:
        files.stdout_file.close()
        files.stdout_file = None
    return 1.0


def write_printed(interp, text: str) -> None:
    """Printed text to the file hoc_stdout switched to, else to the session's stdout."""
    out = interp.files.stdout_file
    if out is None:
        interp.model.write(text)
        return
    try:
        out.write(text.encode("utf-8", "surrogateescape"))
    except HocRefusal as err:
        raise interp.refuse(err.message, None) from None
