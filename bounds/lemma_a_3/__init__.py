"""Lemma A.3.

  statement.py: the statement. Lemma A.3, eqs. (33)-(34), and the identities (35)-(37) of its proof.
  arithmetic.py: the exact arithmetic steps of its proof. Numeric steps of the proof of Lemma A.3 (Appendix A), checked by exact arithmetic.
"""
