"""Table 1.

  statement.py: the statement. Table 1: best accuracy and cost of MAML, FO-MAML and HF-MAML, as O(.) claims.
"""
