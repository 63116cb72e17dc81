"""Section 3, eq. (9).

  statement.py: the statement. Section 3, eq. (9): the error of the central finite-difference Hessian-vector product.
"""
