"""Theorem 4.11.

  statement.py: the statement. Theorem 4.11, eq. (22): how far grad F-hat (3) is from grad F (2).
  displays.py: the displays of its proof. Theorem 4.11's proof (Appendix E), eqs. (66), (68), (70)-(71), (73)-(74): grad F-hat and its two error terms.
  arithmetic.py: the exact arithmetic steps of its proof. Numeric step of the proof of Theorem 4.11 (Appendix E), checked by exact arithmetic.
"""
