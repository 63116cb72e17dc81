"""E_{i~p}[.]: the expectation over tasks, kept symbolic so that constants stay in bounds/.

``TaskMean(x)`` is a scalar sympy function; the harness evaluates it as the
p-weighted mean over the task axis (the last axis) of a per-task quantity.  With a
finite task distribution and its probabilities this is the exact expectation; with
sampled tasks and uniform weights it is the sample mean.

``MatrixTaskMean(X)`` is the matrix-valued counterpart used by the closed forms of
Appendix I, where the expectation is (1/n) sum_i over n equally likely tasks with
task data ``A_i`` and ``b_i``.  ``instantiate`` replaces it by the explicit sum
over concrete (numeric or symbolic) task matrices, so the expression that is
printed in the report is the same one that the symbolic checks evaluate.
"""
from __future__ import annotations

from typing import Sequence

import sympy as sp
from sympy.matrices.expressions import MatrixExpr


class TaskMean(sp.Function):
    """E_{i~p}[x] for a scalar expression x of per-task quantities."""

    nargs = 1
    is_real = True

    def _latex(self, printer) -> str:
        return r"\mathbb{E}_{i\sim p}\left[%s\right]" % printer._print(self.args[0])

    def _eval_is_nonnegative(self):
        return self.args[0].is_nonnegative


class MatrixTaskMean(MatrixExpr):
    """(1/n) sum_i X(A_i, b_i): the mean over n equally likely tasks, as a matrix expression."""

    def __new__(cls, arg):
        arg = sp.sympify(arg)
        return sp.Basic.__new__(cls, arg)

    @property
    def arg(self):
        return self.args[0]

    @property
    def shape(self):
        return self.arg.shape

    def _latex(self, printer) -> str:
        return r"\frac{1}{n}\sum_{i=1}^{n}\left(%s\right)" % printer._print(self.arg)


def instantiate(expr, task_symbols: dict, tasks: Sequence[dict], dimension: int,
                fixed: dict | None = None) -> sp.Matrix:
    """Evaluate a matrix expression with every MatrixTaskMean replaced by the mean over ``tasks``.

    ``task_symbols`` maps the generic task's MatrixSymbols (A_i, b_i) to keys of each
    entry of ``tasks``; ``dimension`` is the concrete value of the symbolic dimension
    d.  ``fixed`` gives values to the other MatrixSymbols (such as the point w).
    Evaluation is bottom-up on explicit
    matrices, with inverses as adjugate / determinant so that symbolic entries stay
    rational functions of modest size.  Returns an explicit sympy Matrix.
    """
    if not tasks:
        raise ValueError("instantiate needs at least one task")
    d_symbols = set()
    for generic in task_symbols:
        for dim in generic.shape:
            d_symbols |= sp.sympify(dim).free_symbols
    size = {s: dimension for s in d_symbols}

    def ev(e, task):
        if isinstance(e, MatrixTaskMean):
            parts = [ev(e.arg, t) for t in tasks]
            total = parts[0]
            for p in parts[1:]:
                total = total + p
            return total / len(tasks)
        if isinstance(e, sp.MatrixSymbol):
            if e in task_symbols:
                if task is None:
                    raise ValueError(f"{e} is a task symbol outside any task mean")
                return sp.Matrix(task[task_symbols[e]])
            if fixed and e in fixed:
                return sp.Matrix(fixed[e])
            raise ValueError(f"no value for the matrix symbol {e}")
        if isinstance(e, sp.Identity):
            return sp.eye(dimension)
        if isinstance(e, sp.ZeroMatrix):
            return sp.zeros(*[int(sp.sympify(x).xreplace(size)) for x in e.shape])
        if isinstance(e, sp.MatAdd):
            parts = [ev(a, task) for a in e.args]
            total = parts[0]
            for p in parts[1:]:
                total = total + p
            return total
        if isinstance(e, sp.MatMul):
            out = sp.Integer(1)
            for a in e.args:
                out = out * ev(a, task)
            return out
        if isinstance(e, sp.MatPow):
            base, power = ev(e.args[0], task), int(e.args[1])
            if power < 0:
                base, power = _inverse(base), -power
            return base ** power
        if isinstance(e, sp.Inverse):
            return _inverse(ev(e.args[0], task))
        if isinstance(e, (sp.Matrix, sp.ImmutableMatrix)):
            return sp.Matrix(e)
        if isinstance(e, sp.MatrixExpr):
            raise ValueError(f"instantiate does not know the matrix expression {type(e).__name__}")
        return sp.sympify(e).xreplace(size)

    return sp.Matrix(ev(sp.sympify(expr), None))


def _inverse(m: sp.Matrix) -> sp.Matrix:
    det = m.det()
    if det == 0:
        raise ValueError("instantiate: the matrix to invert is singular")
    return m.adjugate() / det
