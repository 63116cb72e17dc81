"""Lemma 4.10.

  statement.py: the statement. Lemma 4.10, eqs. (20) and (21): bias and second moment of the stochastic outer gradient.
  displays.py: the displays of its proof. Lemma 4.10's proof (Appendix D), eqs. (62)-(65): the bias and the second moment of the outer gradient, step by step.
"""
