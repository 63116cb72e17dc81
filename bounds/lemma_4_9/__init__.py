"""Lemma 4.9.

  statement.py: the statement. Lemma 4.9, eq. (19) under (18): moments of the stochastic stepsize beta~(w) of (16)-(17).
  arithmetic.py: the exact arithmetic steps of its proof. Numeric steps of the proof of Lemma 4.9 (Appendix C), checked by exact arithmetic.
"""
