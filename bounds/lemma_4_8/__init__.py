"""Lemma 4.8.

  statement.py: the statement. Lemma 4.8, eq. (15): the meta-objective F is smooth with a point-dependent constant L(w).
  displays.py: the displays of its proof. Appendix B, eqs. (42)-(46): the split of the proof of Lemma 4.8 and its inner-step bounds.
  arithmetic.py: the exact arithmetic steps of its proof. Numeric steps of the proof of Lemma 4.8 (Appendix B), checked by exact arithmetic.
"""
