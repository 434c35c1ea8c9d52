"""Deliberation with opinion groups: statements, votes and the Pol.is method of grouping opinions."""
