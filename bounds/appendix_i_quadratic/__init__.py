"""Appendix I.

  statement.py: the statement. Appendix I, eqs. (154)-(158): MAML's solution w* and FO-MAML's limit w_FO for quadratic tasks.
"""
