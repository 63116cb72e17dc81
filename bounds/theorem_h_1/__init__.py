"""Theorem H.1.

  statement.py: the statement. Theorem H.1, eqs. (124)-(125), and the one-step descent after (150): HF-MAML's guarantee.
  displays.py: the displays of its proof. Theorem H.1's proof, eqs. (139)-(149): moments of HF-MAML's direction G_i(w_k).
  arithmetic.py: the exact arithmetic steps of its proof. Numeric steps of the proof of Theorem H.1 (HF-MAML, Appendix H), checked by exact arithmetic.
"""
