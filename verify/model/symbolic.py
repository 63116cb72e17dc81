"""Exact symbolic computations on quadratic tasks, independent of the closed forms they check.

The closed forms of Appendix I are checked against objects built here from the
definitions alone: F of (2) from f_i of (152), its gradient by differentiation (not
the formula (6) or (154)), and FO-MAML's direction (8) with exact gradients.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp


@dataclass(frozen=True)
class SymbolicQuadraticTask:
    """f_i(w) = 1/2 w'A w + b'w + c (152) with sympy entries."""

    A: sp.Matrix
    b: sp.Matrix
    c: sp.Expr

    def loss(self, w: sp.Matrix) -> sp.Expr:
        return (w.T * self.A * w / 2 + self.b.T * w)[0, 0] + self.c

    def as_task(self) -> dict:
        """The task dict that ``bounds.instantiate`` expects."""
        return {"A": self.A, "b": self.b}


def generic_tasks(n: int, d: int) -> list[SymbolicQuadraticTask]:
    """n tasks with fully symbolic symmetric A_i (d x d), b_i and c_i."""
    tasks = []
    for i in range(n):
        entries = {}
        for r in range(d):
            for col in range(r, d):
                entries[(r, col)] = entries[(col, r)] = sp.Symbol(f"a{i}_{r}{col}", real=True)
        A = sp.Matrix(d, d, lambda r, col: entries[(r, col)])
        b = sp.Matrix([sp.Symbol(f"b{i}_{r}", real=True) for r in range(d)])
        tasks.append(SymbolicQuadraticTask(A, b, sp.Symbol(f"c{i}", real=True)))
    return tasks


def point(d: int) -> sp.Matrix:
    return sp.Matrix([sp.Symbol(f"w{r}", real=True) for r in range(d)])


def gradient(expr: sp.Expr, w: sp.Matrix) -> sp.Matrix:
    return sp.Matrix([sp.diff(expr, v) for v in w])


def meta_objective(tasks, alpha, w: sp.Matrix) -> sp.Expr:
    """F(w) = (1/n) sum_i f_i(w - alpha grad f_i(w)), (2), with the gradient taken by differentiation."""
    total = 0
    for t in tasks:
        inner = w - alpha * gradient(t.loss(w), w)
        total += t.loss(inner)
    return total / len(tasks)


def fo_maml_direction(tasks, alpha, w: sp.Matrix) -> sp.Matrix:
    """(1/n) sum_i grad f_i(w - alpha grad f_i(w)): FO-MAML's direction (8) with exact gradients."""
    y = sp.Matrix([sp.Dummy(f"y{r}") for r in range(w.shape[0])])
    total = sp.zeros(w.shape[0], 1)
    for t in tasks:
        inner = w - alpha * gradient(t.loss(w), w)
        total += gradient(t.loss(y), y).xreplace(dict(zip(y, inner)))
    return total / len(tasks)


def affine_field_vanishes_at(field: sp.Matrix, w: sp.Matrix, target: sp.Matrix) -> bool:
    """Prove field(target) = 0 exactly, for a field affine in w and a target of rational functions.

    field(target) = J target + field(0); multiplying by the common denominator D of
    the target's entries gives a polynomial identity J (D target) + D field(0) = 0,
    decided by expansion.  Raises if the field is not affine in w.
    """
    field = field.applyfunc(sp.expand)
    for e in field:
        if e != 0 and sp.Poly(e, *w).total_degree() > 1:
            raise ValueError("the field is not affine in w")
    fractions = [sp.fraction(sp.cancel(sp.together(e))) for e in target]
    D = sp.lcm([den for _, den in fractions])
    scaled = sp.Matrix([sp.expand(sp.cancel(num * D / den)) for num, den in fractions])
    J = field.jacobian(w)
    at_zero = field.xreplace({v: 0 for v in w})
    residual = (J * scaled + D * at_zero).applyfunc(sp.expand)
    return all(e == 0 for e in residual)


def matrices_equal(x: sp.Matrix, y: sp.Matrix) -> bool:
    """Exact equality of two matrices of rational functions."""
    return all(sp.cancel(sp.together(e)) == 0 for e in (x - y))
