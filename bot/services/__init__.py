"""Use cases: one verb per function; open a unit of work, call the domain, persist."""
