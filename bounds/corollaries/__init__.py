"""Corollaries 4.13, 4.16 and H.2.

  statement.py: the statement. Corollaries 4.13, 4.16 and H.2: batch sizes that turn Theorems F.1, G.1, H.1 into accuracies.
"""
