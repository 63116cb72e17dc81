"""Lemma 4.9.

  statement.py: the statement. Lemma 4.9, eq. (19) under (18): moments of the stochastic stepsize beta~(w) of (16)-(17).
  displays.py: the displays of its proof. Appendix C, eqs. (48)-(50): the batch gradient of the stepsize estimate, and Theorem A.2 applied to it.
  arithmetic.py: the exact arithmetic steps of its proof. Numeric steps of the proof of Lemma 4.9 (Appendix C), checked by exact arithmetic.
"""
