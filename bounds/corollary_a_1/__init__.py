"""Corollary A.1.

  statement.py: the statement. Corollary A.1, eq. (31): the descent inequality for F with the point-dependent L(w).
"""
