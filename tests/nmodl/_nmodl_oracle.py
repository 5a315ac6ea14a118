"""Run as a script: read NMODL sources as JSON on stdin, parse each with NEURON's C++ NMODL
framework (`neuron.nmodl`, shipped in the neuron wheel) and print what it found as JSON.

Kept in its own process so NEURON's global state never touches the test process.
Input: [{"name": ..., "text": ...}, ...]. Output, written to the file named by the first
argument (NEURON prints notices on stdout): one object per input with `accepted`, `error`
and, when accepted, the declared names (see `facts`).
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path


def _setup() -> None:
    import importlib.util

    spec = importlib.util.find_spec("neuron")
    os.environ.setdefault("NMODLHOME", str(Path(spec.origin).parent / ".data"))


SKIP = {"BlockComment", "LineComment", "Model", "UnitState", "Verbatim", "Define", "Include", "LocalListStatement"}


def facts(tree, dsl, ast, visitor) -> dict:
    lookup = visitor.AstLookupVisitor()
    T = ast.AstNodeType

    def names(kind):
        return [dsl.to_nmodl(n) for n in lookup.lookup(tree, getattr(T, kind))]

    suffix = names("SUFFIX")
    kind, name = suffix[0].split() if suffix else (None, None)
    states = []
    for block in lookup.lookup(tree, T.STATE_BLOCK):
        for d in block.definitions:
            states.append(re.split(r"[\s\[]", dsl.to_nmodl(d).strip())[0])
    ions = []
    for u in lookup.lookup(tree, T.USEION):
        ions.append([dsl.to_nmodl(u.name), [dsl.to_nmodl(r) for r in u.readlist], [dsl.to_nmodl(w) for w in u.writelist]])
    blocks = []
    for b in tree.blocks:
        t = type(b).__name__
        if t in SKIP:
            continue
        try:
            n = b.get_node_name()
        except Exception:
            n = ""
        blocks.append([t, n])
    return {
        "kind": kind,
        "mechanism": name,
        "range": names("RANGE_VAR"),
        "global": names("GLOBAL_VAR"),
        "nonspecific": names("NONSPECIFIC_CUR_VAR"),
        "electrode": names("ELECTRODE_CUR_VAR"),
        "pointer": names("POINTER_VAR"),
        "bbcore_pointer": names("BBCORE_POINTER_VAR"),
        "external": names("EXTERN_VAR"),
        "random": names("RANDOM_VAR"),
        "states": states,
        "ions": ions,
        "blocks": blocks,
    }


def main() -> None:
    _setup()
    from neuron.nmodl import dsl
    from neuron.nmodl.dsl import ast, visitor

    out = []
    for item in json.load(sys.stdin):
        driver = dsl.NmodlDriver()
        try:
            tree = driver.parse_string(item["text"])
        except Exception as err:  # the driver raises RuntimeError with a message and location
            msg = str(err)
            m = re.search(r"Location\s*:\s*(\d+)\.(\d+)", msg)
            out.append({"name": item["name"], "accepted": False, "error": msg.splitlines()[0] if msg else "",
                        "line": int(m.group(1)) if m else None, "column": int(m.group(2)) if m else None})
            continue
        out.append({"name": item["name"], "accepted": True, **facts(tree, dsl, ast, visitor)})
    Path(sys.argv[1]).write_text(json.dumps(out))


if __name__ == "__main__":
    main()
