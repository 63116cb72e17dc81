"""Theorem A.2.

  statement.py: the statement. Theorem A.2, eq. (32): Wooff's bounds on the inverse moments E[1/(X + c)^k].
"""
