"""The model: entities and their SimPy processes, in domain words.

Packs (:mod:`~swapsim.model.pack`) move between robots (:mod:`~swapsim.model.robot`: a body, a power
strategy, trips to stations, a duty status and a work process, by composition) and stations (:mod:`~swapsim.model.station`, bays
and positions in :mod:`~swapsim.model.places`, charging in :mod:`~swapsim.model.charging`). Pack
ageing (:mod:`~swapsim.model.degradation`), health checks (:mod:`~swapsim.model.health`) and the
technician crew (:mod:`~swapsim.model.technician`) keep packs in service; tasks and shifts
(:mod:`~swapsim.model.workload`) and faults (:mod:`~swapsim.model.faults`) perturb the fleet; small
pure decisions are in :mod:`~swapsim.model.policies`. :mod:`~swapsim.model.fleet` builds and wires a
run's entities. The model reports events to a recorder and never computes a summary KPI or touches a
file. Clock: hours.
"""
