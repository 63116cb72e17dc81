"""Figure 2.

  statement.py: the statement. Appendix J, Figure 2: the paper's qualitative claims about its three panels, as inequalities.
"""
