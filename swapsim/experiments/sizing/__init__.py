"""``swapsim size``: the search for the cheapest deployment that meets service targets at a stated confidence.

* :mod:`~swapsim.experiments.sizing.rs`: the statistics: one-sided Student-t feasibility decisions, taken
  sequentially with a Bonferroni-split error budget.
* :mod:`~swapsim.experiments.sizing.space`: the search space (``--search``) and targets (``--target``).
* :mod:`~swapsim.experiments.sizing.spec`: the sizing question (dimensions, targets, objective, statistics)
  and the checks of the options that build it.
* :mod:`~swapsim.experiments.sizing.search`: the search itself (cost order, monotone pruning, screening).
* :mod:`~swapsim.experiments.sizing.report`: ``size.json``, ``size.csv`` and the terminal summary
  (the figure is :mod:`swapsim.output.figures_size`, the report section :mod:`swapsim.output.report_size`).
* :mod:`swapsim.cli.size`: the ``size`` command.

The ``costs:`` section of a scenario is :mod:`swapsim.scenario.costs`; the cost model that turns it into
annual costs is :mod:`swapsim.analysis.costs`. Money is currency-free: plain numbers, per the unit in the
field's name. Every annual figure is per year of 365 days (8760 h).
"""
