"""`src.play(&vec.x[i], ...)`: a Vector played into an element of another Vector. NEURON's LinearCircuit
library plays each source's dur/amp steps into its LinearMechanism's b Vector (lib/hoc/lincir/elmbase.hoc
SourceInfo.play: `amp.play(&b.x[k], tvec)`), and NEURON's LinearMechanism reads b at every step.

bridge takes b as it is when a run starts (`bridge.hoc.linear_mechanism`), so such a play is accepted only
while it changes nothing: the target must be the b Vector of a LinearMechanism, and when a run starts every
value the source would play must equal b's element then (a LinearCircuit source left at amp 0, as ModelDB's
sessions have it). Otherwise the run is refused, naming the play; nothing is silently skipped."""

from __future__ import annotations

import weakref
from pathlib import Path

from bridge.errors import UnsupportedFeature
from bridge.hoc import neuronlib


def play_into_element(interp, source, target, args, loc) -> None:
    """Record `source.play(&target.vector.x[target.index], ...)`; refused unless the Vector is a
    LinearMechanism's b."""
    vector = target.vector
    if not any(lm is not None and lm.b is vector for lm in (r() for r in interp.model.linear_mechanisms)):
        raise interp.refuse(f"{source}.play(&{vector}.x[{target.index}], ...): a Vector played into an element "
                            "of a Vector is supported only for the b Vector of a LinearMechanism (a "
                            "LinearCircuit source), and only while it plays b's own value", loc)
    source.plays_element = (weakref.ref(vector), target.index, _model_loc(interp, loc))
    players = getattr(vector, "played_by", None)
    if players is None:
        players = vector.played_by = weakref.WeakSet()
    players.add(source)
    interp.model.mutations += 1


def _model_loc(interp, loc):
    """The statement of the model's own file (the session) that led to `loc` in NEURON's library, for messages."""
    for frame in reversed(interp.frames):
        where = getattr(frame, "loc", None)
        if where is not None and not neuronlib.is_builder_file(Path(str(where.filename))):
            return where
    return loc


def stop(source) -> None:
    """`source.play_remove()`: its play into an element ends."""
    source.plays_element = None


def check_unchanged(vector) -> None:
    """At a run's start: every Vector playing into an element of `vector` plays only that element's value now,
    else UnsupportedFeature naming the play."""
    for source in list(getattr(vector, "played_by", ()) or ()):
        plays = getattr(source, "plays_element", None)
        if plays is None or plays[0]() is not vector:
            continue
        _, i, loc = plays
        now = vector.data[i] if i < len(vector.data) else None
        if now is None or any(float(x) != now for x in source.data):
            raise UnsupportedFeature(f"{loc}: {source}.play(&{vector}.x[{i}], ...) plays values other than "
                                     f"{vector}.x[{i}] = {now}: a LinearMechanism's b that changes during a run "
                                     "(a LinearCircuit Battery or Current source with nonzero amp) is not "
                                     "supported; bridge takes b as it is when the run starts")
