"""Helpers shared by the whole suite (importable as `tests.support`; fixtures stay in the conftest files)."""
