"""Theorem G.1.

  statement.py: the statement. Theorem G.1, eqs. (106)-(107), and the one-step descent after (123): FO-MAML's guarantee.
  displays.py: the displays of its proof. Theorem G.1's proof, eqs. (112)-(122): moments of FO-MAML's direction G_i(w_k).
  arithmetic.py: the exact arithmetic steps of its proof. Numeric steps of the proof of Theorem G.1 (FO-MAML, Appendix G), checked by exact arithmetic.
"""
