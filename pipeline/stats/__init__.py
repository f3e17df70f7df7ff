"""Pure statistical functions shared by metric modules and notebooks.

Each has known-answer tests in tests/unit/test_stats.py.
"""
