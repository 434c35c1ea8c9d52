"""Insieme: digital co-production of public services."""
