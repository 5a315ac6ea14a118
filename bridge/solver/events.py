"""NEURON's event queue in fixed-size JAX arrays: NetCon and self-events delivered as the fixed step does.

Rules (NEURON 9.0.2; src/nrnoc/fadvance.cpp, src/nrncvode/netcvode.cpp, cvodestb.cpp; docs/events.md):
- start of a step (`deliver_net_events`): thresholds are checked at the step's t with the v
  of the step's start (`NetCvode::check_thresh`, `ConditionEvent::check`: v - threshold > 0
  and not already above: the source fires at t + 1e-10; at or below: re-armed), then every
  queued event with time <= t + dt/2 is delivered;
- end of a step (`nrn_fixed_step_lastpart`, `nrn_deliver_events`): events with time <= the
  new t are delivered (no threshold check);
- `finitialize`: INITIAL blocks (their net_sends are queued), artificial cells' INITIAL after
  the others, NET_RECEIVE INITIAL per NetCon (`NetCvode::init_events`; without one, weights
  after the first are set to 0), thresholds disarmed, then events with time <= 0 delivered;
- a firing source records its time and queues, for each of its active NetCons with a target
  in creation order, an event at time + delay (`PreSyn::send`);
- delivery sets t to the event's time while NET_RECEIVE runs (`NetCon::deliver`,
  `SelfEvent::deliver`); `net_send(d, flag)` queues a self-event at t + d carrying the weight
  vector of the event being handled (`nrn_net_send`), `net_event(tt)` fires the cell's source;
- the queue (`TQueue`) keeps its earliest item apart (`least_`); an item earlier than it takes
  its place and the old one re-enters the splay tree behind every equal-time item there; the
  tree is first-in first-out among equal times (`SPTree::enqueue`). The buffer replays this
  with a `least` slot and a sequence number per item.

- WATCH (`WatchCondition`, netcvode.cpp): checked after the sources (`check_watches`), activated and
  cleared by the NET_RECEIVE runs that reach a WATCH statement (`_activate_watches`).

Buffer (carried in the scan): per slot `t` [ms], `nc` (NetCon index whose weights the event
carries, -1 none, -2 a WATCH event), `recv`/`inst` (receiving mechanism and instance), `flag`, `seq`, `valid`;
`least` (slot or -1), `counter`; per NetCon its NET_RECEIVE arguments `args` (weights: state
kept between events); per threshold source its armed flag; per recorded source the spike times; per
block of slots the tree's first item and the valid count (`blk_*`, bridge.solver.tqindex).
A full buffer, more than `per_step` deliveries due at one time, or a full spike record sets
`overflow` to the time it happened (inf: none): the run then fails (model.Simulation.check).

The modules: `event_plan` (the static network: receivers, sources, fan-out, settings), `event_buffer`
(initial buffer and network parameters), `event_threshold` (threshold sources, firing), `event_context`
(a NET_RECEIVE run's inputs, what it queues), `event_watch` (WATCH), `event_delivery` (delivery, finitialize's
events); the queue itself is `tqueue`/`tqmove`/`tqindex`; `event_step` puts a step's two deliveries at one call site.
This module gathers their public names.
"""

from bridge.solver.event_buffer import default_params, empty_buffer
from bridge.solver.event_context import Context, one_instance_inputs, queue_records, receiver_inputs
from bridge.solver.event_delivery import deliver, deliver_one, eplan_q, init_netcon_args, initialize, initialize_queue
from bridge.solver.event_plan import THRESHOLD_EPS, EventPlan, EventSettings, Receiver, build_event_plan, recv_of_events
from bridge.solver.event_threshold import check_thresholds, fire
from bridge.solver.event_watch import activate_watches, check_watches

__all__ = ["THRESHOLD_EPS", "Context", "EventPlan", "EventSettings", "Receiver", "activate_watches",
           "build_event_plan", "check_thresholds", "check_watches", "default_params", "deliver", "deliver_one",
           "empty_buffer", "eplan_q", "fire", "init_netcon_args", "initialize", "initialize_queue",
           "one_instance_inputs", "queue_records", "receiver_inputs", "recv_of_events"]
