"""Fixtures of ``pytest verify`` live in verify/plugin.py, loaded for every run by pyproject's ``-p verify.plugin``."""
