"""Run a HOC file in real NEURON (in this subprocess) and print probes' traces as JSON.

Usage: python extracellular_neuron.py model.hoc 'sec(x).var,...'
`var` is a range variable (`v`, `i_membrane`) or `vext[k]`, recorded from HOC with `&vext[k](x)`
(NEURON 9.0.2's Python `seg._ref_vext[1]` gives vext[0]).
"""

import json
import os
import re
import sys


def main() -> None:
    path = os.path.abspath(sys.argv[1])
    os.chdir(os.path.dirname(path))
    from neuron import h

    h.load_file("stdrun.hoc")
    if not h.load_file(path):
        sys.exit(f"NEURON could not load {path}")
    labels = sys.argv[2].split(",")
    vecs = []
    for k, label in enumerate(labels):
        m = re.fullmatch(r"(.+)\((.+)\)\.(\w+)(?:\[(\d)\])?", label)
        h(f"objref probe_{k}")
        h(f"probe_{k} = new Vector()")
        var = m.group(3) if m.group(4) is None else f"{m.group(3)}[{m.group(4)}]"
        h(f"{m.group(1)} probe_{k}.record(&{var}({m.group(2)}))")
        vecs.append(getattr(h, f"probe_{k}"))
    tvec = h.Vector().record(h._ref_t)
    h.run()
    print("JSON:" + json.dumps({"t": list(tvec), **{label: list(v) for label, v in zip(labels, vecs)}}))


if __name__ == "__main__":
    main()
