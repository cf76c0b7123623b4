"""Sizing: the cost model (``costs:`` section of a scenario) and ``swapsim size``, the search for the
cheapest deployment that meets service targets at a stated confidence.

* :mod:`swapsim.sizing.costs`: the ``costs:`` schema (:class:`CostsSpec`) and the annual cost of a run.
* :mod:`swapsim.sizing.rs`: the statistics: one-sided Student-t feasibility decisions, taken
  sequentially with a Bonferroni-split error budget; paired differences.
* :mod:`swapsim.sizing.space`: the search space (``--search``) and targets (``--target``).
* :mod:`swapsim.sizing.search`: the search itself (cost order, monotone pruning, screening).
* :mod:`swapsim.sizing.report`: ``size.json``, ``size.csv``, ``size.png`` and the terminal summary.
* :mod:`swapsim.sizing.paired`: paired comparisons of strategies for ``swapsim compare``.
* :mod:`swapsim.sizing.cli`: the ``size`` click command.

Money is currency-free: plain numbers, per the unit in the field's name (``robot_capex`` per robot,
``energy_per_kwh`` per kWh, ``technician_per_hour`` per staffed hour). Every annual figure is per year
of 365 days (8760 h).
"""
