"""The SimPy model: packs, robots, stations and the fleet that wires them (see DESIGN.md)."""
