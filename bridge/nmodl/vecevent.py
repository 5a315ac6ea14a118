"""Recognising NEURON's vecevent.mod (VecStim), which reads a HOC Vector in C: bridge substitutes its own.

Published models carry a copy of the vecevent.mod of NEURON's examples
(share/examples/nrniv/netcon/vecevent.mod in neuronsimulator/nrn); its VERBATIM C reads the times of
`vs.play(vec)`, which bridge cannot run. A file is recognised only when its text, normalised (comments
outside VERBATIM removed, every run of white space one space), has the SHA-256 of one of the versions
NEURON has shipped (its 8 versions, 2007 to 2021: `POINTER`/`BBCOREPOINTER ptr`, `space`); then bridge's
own VecStim (`builtin/vecstim.mod`, the same behaviour: docs/events.md) replaces it, with a warning. Any
other text, however close, is translated as it is (and its VERBATIM refused).
"""

from __future__ import annotations

import hashlib
import re

# sha256 of `normalised(text)` of each version of NEURON's share/examples/nrniv/netcon/vecevent.mod
KNOWN = frozenset({
    "5721427674a8959ed2b193016b4fe715be4b0f7a828e4572f92780d30783cdd8",  # 2007-11 (1f6563798)
    "81b7400bdaae750203a9a686df1d4aa20e4f706f9704505edf7a71bc3d533c78",  # 2009-06 (a5f8c3421)
    "c965a584169c623c8fb64f02234a617989affe7ad27b071af8e1d8ae1ca52414",  # 2015-01 (c677eaa5d)
    "253465fc71123f230252fcb8b340994653fa1e42242e9b8c5c05a16ef2ddf0a8",  # 2015-02, 2019-02 (0da5470d9, 03271703a)
    "5a06df3b3f0081c8ee6879296a788f7e7e20d97940aaad13c341a4367412dc6c",  # 2019-02 (7adabc176)
    "7361ea0550fe18a3d4e022edb7c5657369d1b7dbd3399a60c27d906c67980f94",  # 2021-05 (b92ba72cb)
    "838b666f7502b6e21cd57786ab0166f5d363507b08b357b643531f9ac41866fa",  # 2021-10, NEURON 9.0.2 (3ebf32d27)
})

_VERBATIM = re.compile(r"(VERBATIM.*?ENDVERBATIM)", re.S)
_COMMENT_BLOCK = re.compile(r"\bCOMMENT\b.*?\bENDCOMMENT\b", re.S)
_LINE_COMMENT = re.compile(r":[^\n]*")


def normalised(text: str) -> str:
    """The text without COMMENT blocks (first: their prose may say VERBATIM) and `:` comments outside
    VERBATIM, white space runs as one space."""
    text = _COMMENT_BLOCK.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    out = []
    for k, part in enumerate(_VERBATIM.split(text)):
        out.append(_LINE_COMMENT.sub("", part) if k % 2 == 0 else part)  # `:` comments outside VERBATIM
    return " ".join("".join(out).split())


def is_vecevent(text: str) -> bool:
    """True when `text` is one of the versions of NEURON's vecevent.mod (module docstring)."""
    if "VecStim" not in text or len(text) > 100_000:
        return False
    return hashlib.sha256(normalised(text).encode()).hexdigest() in KNOWN
