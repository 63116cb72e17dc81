"""Lemma A.3.

  statement.py: the statement. Lemma A.3, eqs. (33)-(34), and the identities (35)-(37) of its proof.
  displays.py: the displays of its proof. Appendix A, eqs. (38), (39) and (41): the chain of the proof of (33) in Lemma A.3.
  arithmetic.py: the exact arithmetic steps of its proof. Numeric steps of the proof of Lemma A.3 (Appendix A), checked by exact arithmetic.
"""
