"""Theorem F.1.

  statement.py: the statement. Theorem F.1, eqs. (76)-(77) with (105), and the one-step descent (93): MAML's guarantee.
  displays.py: the displays of its proof. Theorem F.1's proof, eqs. (80)-(82) and (84)-(89): moments of MAML's direction G_i(w_k).
  arithmetic.py: the exact arithmetic steps of its proof. Numeric steps of the proof of Theorem F.1 (MAML, Appendix F), checked by exact arithmetic.
"""
