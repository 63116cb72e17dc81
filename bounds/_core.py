"""Bound: one result of the paper, declared as data, and how it is evaluated.

A Bound states ``lhs REL rhs`` where both sides are sympy expressions over the
shared symbol table (bounds/_symbols.py), under named preconditions.  The harness
computes the *quantities* (norms, moments) on an instance and asks the Bound for
both sides; the Bound refuses an instance outside its hypotheses, either by
raising ``PreconditionFailed`` (naming every failed hypothesis) or, for the checks,
by returning an ``Assessment`` whose status is ``precondition_failed``.
"""
from __future__ import annotations

import enum
import math
import re
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any, Mapping

import numpy as np
import sympy as sp

from ._relation import Relation
from ._render import bound_latex, bound_mathml
from ._symbols import BATCH_SIZES, LIMIT_WORDS, TABLE, info
from ._taskmean import MatrixTaskMean, TaskMean


class Kind(str, enum.Enum):
    """What sort of claim a Bound is; it decides how the harness checks it."""

    POINTWISE = "pointwise"  # holds at every instance (deterministic quantities)
    EXPECTATION = "expectation"  # a statement about a mean over data batches and/or tasks
    CLOSED_FORM = "closed_form"  # an identity: an expression equals another (lhs == rhs)
    CONVERGENCE = "convergence"  # an algorithm reaches an accuracy within an iteration budget
    CONSTANT = "constant"  # an arithmetic step inside a proof
    SCALING = "scaling"  # an O(.) claim of Table 1: lhs grows like rhs in one variable


class BoundError(ValueError):
    """Bad input to a Bound: a missing or malformed value."""


class PreconditionFailed(BoundError):
    """An instance lies outside the result's hypotheses; ``failed`` names each failed one."""

    def __init__(self, bound_id: str, reference: str, failed: list["Precondition"], values: Mapping):
        self.bound_id = bound_id
        self.reference = reference
        self.failed = failed
        shown = ", ".join(
            f"{n}={values[n]!r}"
            for n in sorted({s.name for p in failed for s in p.relation.free_symbols} & set(values))
        )
        names = "; ".join(f"'{p.name}' ({p.relation})" for p in failed)
        super().__init__(
            f"{bound_id} [{reference}]: hypothesis {names} fails at {shown}; "
            "the result does not apply to this instance"
        )


@dataclass(frozen=True)
class Precondition:
    """One named hypothesis, a sympy relation (e.g. ``alpha*L <= 1/6``) and where it comes from."""

    name: str
    relation: sp.core.relational.Relational
    source: str = ""

    def __post_init__(self):
        if self.relation in (sp.true, sp.false) or not isinstance(self.relation, sp.core.relational.Relational):
            raise BoundError(
                f"precondition {self.name!r} is {self.relation!r}, not a relation: the symbol "
                "assumptions already decide it, so it cannot refuse anything"
            )


@dataclass(frozen=True)
class Definition:
    """A name for an expression, such as L(w) := 4L + 2 rho alpha E_i||grad f_i(w)|| (Lemma 4.8)."""

    symbol: sp.Symbol
    expr: sp.Expr
    source: str = ""


class SharpnessStatus(str, enum.Enum):
    """How much is known of the supremum of lhs/rhs over a result's hypothesis class."""

    DERIVED = "derived"  # the supremum itself, with a derivation and an instance that attains or approaches it
    UPPER_BOUND = "upper_bound"  # a proven upper bound on the supremum (the tight steps cannot all be attained at once)
    NOT_DERIVED = "not_derived"  # neither: ``derivation`` says why


# The negative control of an inequality multiplies its right-hand side by this fraction of
# the supremum (or, where none is derived, of the ratio a named instance attains): the
# falsified statement is then false by a fixed factor, whatever the search found.
CONTROL_FRACTION = sp.Rational(9, 10)


@dataclass(frozen=True)
class Sharpness:
    """How close lhs/rhs of an inequality can come to 1: its supremum over the hypothesis class.

    The ratio is lhs/rhs for <= and rhs/lhs for >= (above 1: violated).  ``supremum``
    is that ratio's supremum over every instance the hypotheses admit, when
    ``status`` is DERIVED, or a proven upper bound on it (UPPER_BOUND).  ``attained``
    is a ratio that the configuration ``extremal`` reaches or approaches (a lower bound
    on the supremum; equal to it where the supremum is attained).  ``derivation`` says,
    with equation numbers, which steps of the proof are tight and where, or why the
    supremum is not derived.  A supremum below 1 makes the paper's statement loose:
    its sharp constant is the right-hand side times the supremum.
    """

    status: SharpnessStatus
    derivation: str
    supremum: sp.Expr | None = None
    attained: sp.Expr | None = None
    extremal: str = ""

    def __post_init__(self):
        object.__setattr__(self, "status", SharpnessStatus(self.status))
        object.__setattr__(self, "derivation", " ".join(self.derivation.split()))
        object.__setattr__(self, "extremal", " ".join(self.extremal.split()))
        for name in ("supremum", "attained"):
            value = getattr(self, name)
            if value is not None:
                value = sp.nsimplify(value) if isinstance(value, float) else sp.sympify(value)
                if not (value.is_number and value.is_real and value > 0):
                    raise BoundError(f"sharpness {name} must be a positive real number, got {value!r}")
                object.__setattr__(self, name, value)
        if not self.derivation:
            raise BoundError("sharpness needs a derivation (or the reason none is derived)")
        if self.status is SharpnessStatus.NOT_DERIVED and self.supremum is not None:
            raise BoundError("sharpness: a supremum is given, so its status is derived or upper_bound")
        if self.status is not SharpnessStatus.NOT_DERIVED and self.supremum is None:
            raise BoundError(f"sharpness: status {self.status.value} needs the supremum")
        if self.supremum is not None and self.attained is not None and self.attained > self.supremum:
            raise BoundError(f"sharpness: attained {self.attained} exceeds the supremum {self.supremum}")
        if self.attained is not None and not self.extremal:
            raise BoundError("sharpness: an attained ratio needs the extremal instance that attains it")

    @property
    def reference_ratio(self) -> sp.Expr | None:
        """The ratio a falsified statement is measured against: the supremum where derived, else the attained one."""
        if self.status is SharpnessStatus.DERIVED:
            return self.supremum
        return self.attained

    @property
    def control_factor(self) -> sp.Expr | None:
        """The factor on the right-hand side that makes the statement false by a fixed margin (None: unknown)."""
        ref = self.reference_ratio
        if ref is None:
            return None
        factor = CONTROL_FRACTION * ref
        if not factor.is_Rational:
            # An algebraic supremum (a root of a polynomial) rounded down to 15 digits: still below
            # the supremum, so the statement stays false, and a rational evaluates everywhere.
            scale = 10 ** 15
            factor = sp.Rational(sp.floor(factor * scale), scale)
        return factor

    @property
    def loose(self) -> bool:
        """True when the supremum (or a proven upper bound on it) is below 1: the constant can be made smaller."""
        return self.supremum is not None and bool(self.supremum < 1)

    def as_dict(self) -> dict:
        def num(x):
            return None if x is None else float(x)

        return {"status": self.status.value, "supremum": num(self.supremum),
                "supremum_exact": None if self.supremum is None else str(self.supremum),
                "attained": num(self.attained), "extremal": self.extremal, "derivation": self.derivation,
                "control_factor": num(self.control_factor), "loose": self.loose}


_EQ_NUMBER = re.compile(r"\((\d+[a-z]?)\)")

# A precondition whose two sides differ in float arithmetic by no more than this
# relative amount is decided again in exact rational arithmetic, each float read as
# the shortest decimal that rounds to it: at an end point such as alpha = 1/(6L),
# rounding in the float evaluation can put the instance on the wrong side, and the
# hypotheses must be decided exactly before a violation there may be called a finding.
PRECONDITION_EXACT_RECHECK_RTOL = 1e-12


@dataclass(frozen=True)
class Assessment:
    """The outcome of evaluating a Bound at one instance.

    Where per-task quantities stand outside a TaskMean the claim is "for every
    task"; ``lhs``/``rhs`` are then those of the worst task, ``worst_task`` its index.
    """

    status: str  # "evaluated" or "precondition_failed"
    lhs: float | None = None
    rhs: float | None = None
    failed: tuple[Precondition, ...] = ()
    relation: Relation = Relation.LE
    worst_task: int | None = None

    @property
    def verdict(self) -> str:
        """"holds", "violated" or "precondition_failed" (for <= and >=; == and O give "evaluated").

        Decided in floats on the values given, with no rounding allowance: the checks of
        ``pytest verify`` add theirs, and confirm a violation in 50 digits before calling it one.
        """
        if self.status != "evaluated":
            return self.status
        if self.relation in (Relation.EQ, Relation.ORDER):
            return "evaluated"
        return "violated" if self.ratio > 1 else "holds"

    @property
    def ratio(self) -> float | None:
        """lhs/rhs for <=, rhs/lhs for >=: a ratio above 1 is a violation (None for == and O)."""
        if self.lhs is None or self.rhs is None or self.relation in (Relation.EQ, Relation.ORDER):
            return None
        return _ratio(self.lhs, self.rhs, self.relation)


def _ratio(lhs, rhs, relation):
    num, den = (lhs, rhs) if relation is Relation.LE else (rhs, lhs)
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.where(num <= 0, 0.0, np.inf))
    return float(r) if r.ndim == 0 else r


@dataclass(frozen=True, eq=False)
class Bound:
    """One result of the paper, declared as data.

    ``lhs`` and ``rhs`` are sympy expressions over the shared symbol table; the
    claim is ``lhs <relation> rhs`` under every precondition.  ``lhs_words`` says in
    words what the harness must compute for the quantity symbols of ``lhs``.
    ``definitions`` name sub-expressions as the paper does (C_1, L(w), ...);
    ``settings`` carry what an algorithm-level result fixes (the stepsize factor
    c of beta_k = c beta~, the delta rule, the iteration budget).  ``reading``
    records how an ambiguous or evidently mistyped statement was read: the
    registry encodes what the paper says, never a silently repaired version.
    """

    id: str
    reference: str
    kind: Kind
    statement: str
    lhs: sp.Expr
    relation: Relation
    rhs: sp.Expr
    lhs_words: str
    preconditions: tuple[Precondition, ...] = ()
    definitions: tuple[Definition, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    algorithm: str | None = None
    reading: str = ""
    sharpness: Sharpness | None = None
    module: str = ""
    # The id of the printed Bound this one corrects (the erratum's corrected statement), or "".
    corrects: str = ""

    def __post_init__(self):
        if not self.module:
            # The module that declares a Bound owns it; discovery registers it from there only,
            # so a result module may import another's Bound without registering it twice.
            object.__setattr__(self, "module", sys._getframe(2).f_globals.get("__name__", ""))
        for name in ("statement", "lhs_words", "reading"):
            object.__setattr__(self, name, " ".join(getattr(self, name).split()))
        object.__setattr__(self, "lhs", sp.sympify(self.lhs))
        object.__setattr__(self, "rhs", sp.sympify(self.rhs))
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.id):
            raise BoundError(f"bound id {self.id!r} must be lower_snake_case")
        if self.corrects and (self.corrects == self.id or not re.fullmatch(r"[a-z][a-z0-9_]*", self.corrects)):
            raise BoundError(f"{self.id}: corrects={self.corrects!r} must name another Bound's id")
        if not self.equations:
            raise BoundError(f"{self.id}: reference {self.reference!r} names no equation number '(n)'")
        unknown = {s.name for s in self.all_symbols if s.name not in TABLE and not _is_matrix_symbol(s)}
        if unknown:
            raise BoundError(f"{self.id}: symbols {sorted(unknown)} are not in the shared symbol table")
        if self.relation is Relation.ORDER and "in" not in self.settings:
            raise BoundError(f"{self.id}: an O(.) claim needs settings['in'], the variable it is about")

    # ------------------------------------------------------------ structure
    @property
    def equations(self) -> tuple[str, ...]:
        """The equation numbers the reference cites, e.g. ('15',) for 'Lemma 4.8, eq. (15)'."""
        return tuple(_EQ_NUMBER.findall(self.reference))

    @property
    def all_symbols(self) -> frozenset:
        exprs = [self.lhs, self.rhs, *(p.relation for p in self.preconditions)]
        exprs += [dfn.expr for dfn in self.definitions] + [dfn.symbol for dfn in self.definitions]
        exprs += [v for v in self.settings.values() if isinstance(v, sp.Basic)]
        out = set()
        for e in exprs:
            out |= sp.sympify(e).free_symbols
        return frozenset(out)

    @property
    def symbols(self) -> tuple[sp.Symbol, ...]:
        """Every table symbol the bound uses, defined names included, sorted by name."""
        return tuple(sorted(self.all_symbols, key=lambda s: s.name))

    @cached_property
    def inputs(self) -> tuple[sp.Symbol, ...]:
        """The symbols whose values the caller must supply (defined names are computed)."""
        defined = {dfn.symbol for dfn in self.definitions}
        needed = set()
        for e in (self.lhs_expanded, self.rhs_expanded, *self.preconditions_expanded):
            needed |= e.free_symbols
        needed -= defined
        return tuple(sorted((s for s in needed if not _is_matrix_symbol(s)), key=lambda s: s.name))

    def expand(self, expr):
        """Substitute the definitions (latest first, so a definition may use an earlier one)."""
        expr = sp.sympify(expr)
        for dfn in reversed(self.definitions):
            expr = expr.xreplace({dfn.symbol: dfn.expr})
        return expr

    @cached_property
    def lhs_expanded(self):
        return self.expand(self.lhs)

    @cached_property
    def rhs_expanded(self):
        return self.expand(self.rhs)

    @cached_property
    def preconditions_expanded(self):
        return tuple(self.expand(p.relation) for p in self.preconditions)

    @property
    def is_matrix(self) -> bool:
        return any(isinstance(e, sp.MatrixExpr) or e.has(MatrixTaskMean) for e in (self.lhs, self.rhs))

    # ------------------------------------------------------------ evaluation
    @cached_property
    def _compiled_preconditions(self):
        args = list(self.inputs)
        weights = sp.Symbol("_task_weights")
        pre = []
        for p, rel in zip(self.preconditions, self.preconditions_expanded):
            gap = _lambdify(args + [weights], rel.lhs - rel.rhs)
            scale = _lambdify(args + [weights], sp.Abs(rel.lhs) + sp.Abs(rel.rhs))
            # Arguments of ceil/floor: rounding near an integer there moves the side by 1,
            # far more than the relative tolerance, so those are borderline too.
            steps = [_lambdify(args + [weights], a.args[0]) for a in rel.atoms(sp.ceiling, sp.floor)]
            # What precondition_mask asks of the relation at every call, decided once here (reading
            # free_symbols per call was a fifth of its time): the positions of the relation's own
            # plain inputs, and whether it involves a per-task quantity.
            free = rel.free_symbols
            own = tuple(k for k, s in enumerate(args) if s in free and info(s).role != "per_task")
            on_task_mean = any(info(sym).role == "per_task" for sym in free)
            pre.append(_CompiledPrecondition(p, rel, gap, scale, steps, own, on_task_mean, {}))
        return args, pre

    @cached_property
    def _compiled(self):
        if self.is_matrix:
            raise BoundError(
                f"{self.id} is a matrix identity; instantiate it with bounds.instantiate on concrete tasks"
            )
        args = list(self.inputs)
        weights = sp.Symbol("_task_weights")
        return args, _lambdify(args + [weights], self.lhs_expanded), _lambdify(args + [weights], self.rhs_expanded)

    def _arguments(self, values: Mapping[str, Any], task_weights):
        args = list(self.inputs)
        missing = [s.name for s in args if s.name not in values]
        if missing:
            raise BoundError(f"{self.id} [{self.reference}]: missing values for {missing}; it needs "
                             f"{[s.name for s in args]}")
        out = []
        for s in args:
            out.append(_validated(self.id, s.name, values[s.name]))
        per_task = [(s.name, v) for s, v in zip(args, out) if info(s).role == "per_task"]
        lengths = {}
        for name, v in per_task:
            if np.ndim(v) == 0:
                continue  # one number: the same value for every task
            if np.shape(v)[-1] == 0:
                raise BoundError(f"{self.id}: {name} is a per-task quantity: give one value per task (an array "
                                 f"whose last axis runs over the tasks), got an empty array")
            lengths[name] = np.shape(v)[-1]
        if len(set(lengths.values())) > 1:
            raise BoundError(f"{self.id}: the per-task quantities must cover the same tasks, got lengths {lengths}")
        per_task = [v for _, v in per_task]
        if per_task:
            n = next(iter(lengths.values()), 1)
            if task_weights is None:
                task_weights = np.full(n, 1.0 / n)
            task_weights = np.asarray(task_weights, dtype=float)
            if task_weights.ndim != 1 or task_weights.shape[0] != n:
                raise BoundError(f"{self.id}: task_weights must have one entry per task ({n})")
            if np.any(task_weights < 0) or not math.isclose(float(task_weights.sum()), 1.0, rel_tol=1e-12):
                raise BoundError(f"{self.id}: task_weights must be nonnegative and sum to 1")
        return out, task_weights

    def precondition_mask(self, values: Mapping[str, Any], task_weights=None) -> dict[str, np.ndarray]:
        """For each hypothesis, whether it holds, elementwise over instances given as arrays.

        A hypothesis that fails in floats by a relative margin of at most
        PRECONDITION_EXACT_RECHECK_RTOL is decided again exactly, on the same float inputs.
        """
        args, pre = self._compiled_preconditions
        vals, w = self._arguments(values, task_weights)
        plain = [s for s in args if info(s).role != "per_task"]
        shape = np.broadcast_shapes(*(np.shape(v) for v, s in zip(vals, args) if s in plain)) if plain else ()
        out = {}
        for p, rel, gap, scale, steps, own, on_task_mean, decided in pre:
            g = np.asarray(gap(*vals, w), dtype=float)
            if g.ndim > len(shape):
                # A hypothesis on per-task quantities (e.g. A_i positive definite) must hold for
                # every task; it is decided in floats, task by task.
                out[p.name] = np.all(_relation_holds(rel, g), axis=-1).reshape(shape)
                continue
            # A hypothesis is decided on the shape of its own inputs (often scalars) and
            # broadcast: instances that share its inputs share its verdict.
            own_shape = np.broadcast_shapes(*(np.shape(vals[k]) for k in own)) if own else ()
            g = np.broadcast_to(g, shape) if g.shape != own_shape else g
            ok = np.array(_relation_holds(rel, g), dtype=bool)
            tol = PRECONDITION_EXACT_RECHECK_RTOL * np.broadcast_to(np.asarray(scale(*vals, w), dtype=float), g.shape)
            # (An infinite side, a batch given as "exact" or "all", is decided in floats: no edge.)
            edge = (np.abs(g) <= tol) & np.isfinite(g)
            if on_task_mean:
                # A hypothesis on a task mean (mu_X > 0 of Theorem A.2) has no single exact point to re-decide at:
                # it is decided in floats, as the per-task hypotheses above.
                edge = np.zeros_like(edge)
            for step in steps:
                x = np.broadcast_to(np.asarray(step(*vals, w), dtype=float), g.shape)
                edge = edge | (np.abs(x - np.round(x)) <= PRECONDITION_EXACT_RECHECK_RTOL * np.maximum(np.abs(x), 1))
            edge = np.atleast_1d(edge)
            if edge.any():
                ok = np.atleast_1d(ok).copy()
                flat = {args[k]: np.atleast_1d(np.broadcast_to(vals[k], g.shape)) for k in own}
                # ``decided`` lives as long as the Bound: an exact decision depends on the point alone,
                # and a search returns to the same end point (alpha = 1/(6L)) at every instance.
                # Keyed by the floats themselves: each reads as one decimal (_as_written), so the
                # key decides the exact point, and the Rationals are made only for a new one.
                for idx in zip(*np.nonzero(edge)):
                    point = tuple((s, float(v[idx])) for s, v in flat.items())
                    if point not in decided:
                        decided[point] = bool(rel.xreplace({s: _as_written(x) for s, x in point}))
                    ok[idx] = decided[point]
                ok = ok.reshape(g.shape)
            out[p.name] = np.broadcast_to(ok, shape)
        return out

    def failed_preconditions(self, values: Mapping[str, Any], task_weights=None) -> list[Precondition]:
        """The hypotheses that the instance ``values`` violates (at any element, for array inputs)."""
        mask = self.precondition_mask(values, task_weights)
        return [p for p in self.preconditions if not np.all(mask[p.name])]

    def admits(self, values: Mapping[str, Any], task_weights=None) -> bool:
        return not self.failed_preconditions(values, task_weights)

    def rhs_value(self, values: Mapping[str, Any], task_weights=None):
        """The right-hand side at ``values``; raises PreconditionFailed outside the hypotheses."""
        self._require(values, task_weights)
        vals, w = self._arguments(values, task_weights)
        return _scalar_or_array(self._compiled[2](*vals, w))

    def lhs_value(self, values: Mapping[str, Any], task_weights=None):
        """The left-hand side from the harness's quantities; raises PreconditionFailed outside them."""
        self._require(values, task_weights)
        vals, w = self._arguments(values, task_weights)
        return _scalar_or_array(self._compiled[1](*vals, w))

    def sides(self, values: Mapping[str, Any], task_weights=None):
        """(lhs, rhs) at ``values``, the hypotheses decided once for both; raises PreconditionFailed outside them.

        The same numbers as ``lhs_value`` and ``rhs_value``, which decide the hypotheses once each.
        """
        self._require(values, task_weights)
        vals, w = self._arguments(values, task_weights)
        return _scalar_or_array(self._compiled[1](*vals, w)), _scalar_or_array(self._compiled[2](*vals, w))

    def assess(self, values: Mapping[str, Any], task_weights=None) -> Assessment:
        """Both sides at one instance, or a ``precondition_failed`` outcome (never a bare number)."""
        failed = self.failed_preconditions(values, task_weights)
        if failed:
            return Assessment("precondition_failed", failed=tuple(failed), relation=self.relation)
        vals, w = self._arguments(values, task_weights)
        lhs = np.asarray(self._compiled[1](*vals, w), dtype=float)
        rhs = np.asarray(self._compiled[2](*vals, w), dtype=float)
        lhs, rhs = np.broadcast_arrays(lhs, rhs)
        if lhs.ndim == 0:
            return Assessment("evaluated", float(lhs), float(rhs), relation=self.relation)
        if lhs.ndim != 1:
            raise BoundError(f"{self.id}: assess takes one instance; use lhs_value/rhs_value for arrays")
        if self.relation in (Relation.LE, Relation.GE):
            worst = int(np.argmax(_ratio(lhs, rhs, self.relation)))
        else:
            worst = int(np.argmax(np.abs(lhs - rhs)))
        return Assessment("evaluated", float(lhs[worst]), float(rhs[worst]), relation=self.relation,
                          worst_task=worst)

    def _require(self, values, task_weights):
        failed = self.failed_preconditions(values, task_weights)
        if failed:
            raise PreconditionFailed(self.id, self.reference, failed, values)

    # ------------------------------------------------------------ rendering
    def to_latex(self) -> str:
        return bound_latex(self)

    def to_mathml(self, display: str = "block") -> str:
        return bound_mathml(self, display)

    def __repr__(self) -> str:
        return f"Bound({self.id!r}, {self.reference!r}, kind={self.kind.value})"


def _as_written(x) -> sp.Rational:
    """A float read as the shortest decimal that rounds to it (its repr): 0.1 is 1/10.

    The exact re-check at an end point must decide what the user or the instance
    strategy meant; the binary value of 0.1 lies 5.6e-18 above 1/10, and reading it
    literally would put alpha = 0.1 outside alpha L <= 1/10 for L = 1.
    """
    return sp.Rational(Fraction(repr(float(x))))


def _lambdify(args, expr):
    """numpy function of ``args`` (the last one the task weights) with TaskMean as a weighted mean."""
    weights = args[-1]
    task_mean = sp.Function("_task_mean")
    prepared = sp.sympify(expr).replace(TaskMean, lambda x: task_mean(x, weights))
    modules = [{"_task_mean": _np_task_mean, "ceiling": np.ceil, "floor": np.floor}, "numpy"]
    return sp.lambdify(args, prepared, modules=modules)


def _scalar_or_array(x):
    x = np.asarray(x, dtype=float)
    return float(x) if x.ndim == 0 else x


def _np_task_mean(x, weights):
    x = np.asarray(x, dtype=float)
    if x.ndim == 0:
        return x  # one value for every task: its mean is itself
    return np.tensordot(x, weights, axes=([-1], [0]))


def _relation_holds(rel, gap):
    if isinstance(rel, sp.StrictLessThan):
        return gap < 0
    if isinstance(rel, sp.LessThan):
        return gap <= 0
    if isinstance(rel, sp.StrictGreaterThan):
        return gap > 0
    if isinstance(rel, sp.GreaterThan):
        return gap >= 0
    if isinstance(rel, sp.Equality):
        return gap == 0
    raise BoundError(f"unsupported relation {rel!r}")


def _validated(bound_id: str, name: str, value):
    row = info(name)
    if isinstance(value, str):
        if name in BATCH_SIZES and value in LIMIT_WORDS:
            return math.inf  # the limit of an infinite batch: every sigma^2/D term is 0
        also = f" (a batch size may also be one of {LIMIT_WORDS})" if name in BATCH_SIZES else ""
        raise BoundError(f"{bound_id}: {name} = {value!r} is not a number{also}")
    if type(value) in _PLAIN_SCALARS:
        # One number, the common case inside a check's loop: the same tests as below without
        # building a 0-d array for each (np.all on 0-d arrays was a seventh of a check's time).
        x = float(value)
        if not math.isfinite(x):
            raise BoundError(f"{bound_id}: {name} = {value!r} is not a finite number")
        if row.integer and not x.is_integer():
            raise BoundError(f"{bound_id}: {name} = {value!r} must be an integer ({row.description})")
        if row.positive and not x > 0:
            raise BoundError(f"{bound_id}: {name} = {value!r} must be positive ({row.description})")
        if row.nonnegative and not x >= 0:
            raise BoundError(f"{bound_id}: {name} = {value!r} must be nonnegative ({row.description})")
        return x
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise BoundError(f"{bound_id}: {name} = {value!r} is not a finite number")
    if row.integer and not np.all(arr == np.round(arr)):
        raise BoundError(f"{bound_id}: {name} = {value!r} must be an integer ({row.description})")
    if row.positive and not np.all(arr > 0):
        raise BoundError(f"{bound_id}: {name} = {value!r} must be positive ({row.description})")
    if row.nonnegative and not np.all(arr >= 0):
        raise BoundError(f"{bound_id}: {name} = {value!r} must be nonnegative ({row.description})")
    return arr if arr.ndim else float(arr)


def _is_matrix_symbol(s) -> bool:
    return isinstance(s, sp.MatrixSymbol)


# Exact types whose value float() reads as np.asarray(value, dtype=float) does (bool and
# subclasses take the general path).
_PLAIN_SCALARS = (float, int, np.float64, np.int64)


@dataclass(frozen=True)
class _CompiledPrecondition:
    precondition: Precondition
    relation: Any
    gap: Any
    scale: Any
    steps: list
    own: tuple  # positions, among the Bound's inputs, of the relation's plain (not per-task) inputs
    on_task_mean: bool  # the relation involves a per-task quantity
    decided: dict  # exact decisions at end points, by point

    def __iter__(self):
        return iter((self.precondition, self.relation, self.gap, self.scale, self.steps, self.own,
                     self.on_task_mean, self.decided))


class CompiledExpression:
    """A registry expression compiled once, evaluated as ``evaluate`` does: ``compiled(expr)(values)``.

    ``evaluate(expr, values)`` looks the expression up (sympify, hash) at every call; a loop that
    evaluates one expression per iterate or per instance holds this handle instead.  Each call
    validates each value once (an array once, not element by element) against the symbol table and
    gives the same numbers as ``evaluate``: the same numpy function on the same arguments.
    ``names`` are the values a call needs.
    """

    def __init__(self, expr) -> None:
        expr = sp.sympify(expr)
        self.expr = expr
        args = sorted(expr.free_symbols, key=lambda s: s.name)
        unknown = sorted(s.name for s in args if s.name not in TABLE)
        if unknown:
            raise BoundError(f"compiled: symbols {unknown} of {expr} are not in the shared symbol table")
        weights = sp.Symbol("_task_weights")
        task_mean = sp.Function("_task_mean")
        prepared = expr.replace(TaskMean, lambda x: task_mean(x, weights))
        self._fn = sp.lambdify(args + [weights], prepared,
                               modules=[{"_task_mean": _np_task_mean, "ceiling": np.ceil, "floor": np.floor},
                                        "numpy"])
        self._args = args
        self.names = tuple(s.name for s in args)
        self._per_task = tuple(info(s).role == "per_task" for s in args)

    def __call__(self, values: Mapping[str, Any], task_weights=None):
        missing = [n for n in self.names if n not in values]
        if missing:
            raise BoundError(f"evaluate: missing values for {missing} in {self.expr}")
        vals = [_validated("evaluate", n, values[n]) for n in self.names]
        if task_weights is None:
            per_task = [v for v, t in zip(vals, self._per_task) if t]
            if per_task:
                n = np.shape(per_task[0])[-1]
                task_weights = np.full(n, 1.0 / n)
        out = self._fn(*vals, None if task_weights is None else np.asarray(task_weights, dtype=float))
        return out if np.ndim(out) else float(out)

    def __repr__(self) -> str:
        return f"compiled({self.expr})"


_EXPR_CACHE: dict = {}


def compiled(expr) -> CompiledExpression:
    """The compiled handle of a registry expression (one per expression per process; see CompiledExpression)."""
    expr = sp.sympify(expr)
    # sympy expressions are hashable and compare structurally: the expression is its own key.
    handle = _EXPR_CACHE.get(expr)
    if handle is None:
        handle = _EXPR_CACHE[expr] = CompiledExpression(expr)
    return handle


def evaluate(expr, values: Mapping[str, Any], task_weights=None):
    """Evaluate a registry expression (e.g. a Definition's ``expr``) at ``values``.

    Per-task quantities are arrays whose last axis runs over tasks; ``TaskMean``
    averages them with ``task_weights`` (uniform when omitted).  Scalar and array
    inputs broadcast as numpy does.  Each value is validated against the symbol
    table (finite; integer/positive/nonnegative as declared).  In a loop, hold
    ``compiled(expr)`` instead: the same numbers without the look-up per call.
    """
    return compiled(expr)(values, task_weights)
