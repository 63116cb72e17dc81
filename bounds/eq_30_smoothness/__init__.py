"""Appendix A, eq. (30).

  statement.py: the statement. Appendix A, eqs. (30a) and (30b): what L_i-smoothness of a twice differentiable f_i implies.
"""
