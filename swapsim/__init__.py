"""swapsim: a discrete-event simulator for fleets of humanoid robots that hot-swap their own batteries.

Typical use::

    from swapsim.config import load_scenario
    from swapsim.engine import simulate

    result = simulate(load_scenario("scenarios/factory.yaml"), seed=7)
    print(result.summary["fleet"]["utilisation"])
"""

__version__ = "0.1.0"
