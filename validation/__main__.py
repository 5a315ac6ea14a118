"""`python -m validation SUBCOMMAND ...`: dispatch to a validation job.

Each subcommand is a module with a `main(argv) -> int`; add new ones to `SUBCOMMANDS`.
"""

from __future__ import annotations

import importlib
import sys

# subcommand -> (module, one-line description)
SUBCOMMANDS = {
    "corpus": ("validation.corpus_validate",
               "validate every .mod file of the neuron wheel and PyPI packages: coverage table"),
    "corpus-events": ("validation.corpus_events",
                      "every point process with a NET_RECEIVE, driven by a NetStim, in bridge and NEURON"),
    "corpus-parse": ("validation.corpus", "parse the .mod files of PyPI packages with bridge and nocmodl"),
    "models": ("validation.models_sweep", "the ModelDB sweep: each model in bridge, then NEURON, classified"),
    "validate": ("validation.command", "a HOC model in bridge and in NEURON, compared (as `bridge validate`)"),
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in SUBCOMMANDS:
        print("usage: python -m validation SUBCOMMAND [ARGS]\n\nsubcommands:")
        for name, (_, doc) in SUBCOMMANDS.items():
            print(f"  {name:16} {doc}")
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    from validation.arithmetic import use_neuron_arithmetic

    use_neuron_arithmetic()  # bridge's side rounds as NEURON's build does (no FMA, divisions as written)
    module = importlib.import_module(SUBCOMMANDS[argv[0]][0])
    return int(module.main(argv[1:]) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
