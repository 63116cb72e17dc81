"""Theorem 4.11.

  statement.py: the statement. Theorem 4.11, eq. (22): how far grad F-hat (3) is from grad F (2).
  arithmetic.py: the exact arithmetic steps of its proof. Numeric step of the proof of Theorem 4.11 (Appendix E), checked by exact arithmetic.
"""
