"""Lemma 4.10.

  statement.py: the statement. Lemma 4.10, eqs. (20) and (21): bias and second moment of the stochastic outer gradient.
"""
