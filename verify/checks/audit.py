"""Proof audit: every numeric step of Appendices A-H re-derived exactly with sympy.

Each step is a registry Bound of kind CONSTANT, ``needed REL claimed`` under its
premises (bounds/_proof_steps.py).  The audit

1. reduces the premise region to a box of dimensionless variables: alpha -> x/L
   with x = alpha L; a batch condition N >= ceil(Q) is solved for one symbol of Q
   as Q = q N with q in [0, 1]; a Bound whose hypotheses are invariant under a
   change of units (verify/checks/dimensions.py) is normalised by setting up to two
   symbols of independent dimension to 1; the remaining univariate premises
   become the intervals of the box;
2. finds the exact supremum (for <=) or infimum (for >=) of ``needed`` over the
   box: on every face of the box (each variable at an end point, a limit at an
   open or infinite end, or free) the critical points of the restriction are
   solved for exactly, and the candidates are compared exactly.  No sampling;
3. calls the step *holds* when the extremum is on the claimed side of the
   constant, else *violated*, and then exhibits a point of the premise region at
   which ``needed`` is on the wrong side, checked in exact arithmetic against the
   Bound's own preconditions in the paper's symbols;
4. runs each step twice: with the constants of the earlier steps it uses as the
   paper prints them, and with those constants as the audit found them (their
   tightest valid values, found in turn from the found constants before them).

``audit_rows()`` gives the table for the report: step, equation, claimed
constant, tightest valid constant, verdict and chain status.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import sympy as sp

from bounds import BOUNDS, Bound, Kind, Relation, TaskMean
from bounds._hypotheses import (ALPHA_POSITIVE, HESSIAN_BATCH_HF_MAML, HESSIAN_BATCH_HF_MAML_SCALE_FREE,
    HESSIAN_BATCH_MAML)
from bounds._symbols import TABLE, L, alpha, info, sigma, sigma_H, sigma_tilde
from bounds.lemma_4_9.statement import B_PRIME_CONDITION, D_BETA_CONDITION
from verify.checks import dimensions
from verify.judge.cache import content_key, load_or_compute

# A batch condition N >= ceil(Q) is reduced by solving Q = q N for this symbol of Q:
# each is a variance that appears in Q only, so q = Q/N sweeps [0, 1] exactly.
SOLVE_FOR = {
    HESSIAN_BATCH_MAML.name: sigma_H,
    HESSIAN_BATCH_HF_MAML.name: sigma_tilde,
    HESSIAN_BATCH_HF_MAML_SCALE_FREE.name: sigma_tilde,
    B_PRIME_CONDITION.name: sigma,
    D_BETA_CONDITION.name: sigma_tilde,
}
# A negative control moves the constant this far beyond the tightest one (relative; absolute near 0).
CONTROL_STEP = sp.Rational(1, 1000)
# Approaching an open or infinite end of the box, the k-th point is 2^-k from the end (or 2^k).
APPROACH_STEPS = 80


class Undecided(RuntimeError):
    """The exact machinery cannot decide this extremum (e.g. a continuum of critical points)."""

# ---------------------------------------------------------------- exact comparison

def sign(e) -> int:
    """The sign of a real constant expression, decided exactly (oo and -oo allowed)."""
    e = sp.sympify(e)
    if e is sp.oo:
        return 1
    if e is sp.S.NegativeInfinity:
        return -1
    if e.has(sp.nan, sp.zoo):
        raise Undecided(f"not a real number: {e}")
    if e.is_zero:
        return 0
    if e.is_positive:
        return 1
    if e.is_negative:
        return -1
    e = sp.radsimp(sp.expand(e)) if e.is_algebraic else e
    if e == 0 or (e.is_algebraic and sp.minimal_polynomial(e, sp.Dummy()).is_Symbol):
        return 0
    value = e.evalf(80)
    if value.is_comparable and abs(value) > sp.Float(10) ** -60:
        return 1 if value > 0 else -1
    raise Undecided(f"cannot decide the sign of {e}")


def compare(a, b) -> int:
    a, b = sp.sympify(a), sp.sympify(b)
    if a == b:
        return 0
    if a.is_infinite or b.is_infinite:
        order = {sp.S.NegativeInfinity: -1, sp.oo: 1}
        return (order.get(a, 0) > order.get(b, 0)) - (order.get(a, 0) < order.get(b, 0))
    return sign(a - b)


# ---------------------------------------------------------------- boxes

@dataclass(frozen=True)
class Interval:
    """A real interval, possibly unbounded or half-open; ``integer`` restricts it to the integers."""

    lo: sp.Expr = sp.S.NegativeInfinity
    hi: sp.Expr = sp.oo
    lo_open: bool = True
    hi_open: bool = True
    integer: bool = False

    def intersect(self, lo, hi, lo_open, hi_open) -> "Interval":
        new = self
        c = compare(lo, new.lo)
        if c > 0 or (c == 0 and lo_open):
            new = Interval(lo, new.hi, lo_open, new.hi_open, new.integer)
        c = compare(hi, new.hi)
        if c < 0 or (c == 0 and hi_open):
            new = Interval(new.lo, hi, new.lo_open, hi_open, new.integer)
        if new.integer:  # an integer range is closed at integers
            lo2 = sp.ceiling(new.lo) if new.lo.is_finite else new.lo
            if new.lo.is_finite and new.lo_open and lo2 == new.lo:
                lo2 += 1
            hi2 = sp.floor(new.hi) if new.hi.is_finite else new.hi
            if new.hi.is_finite and new.hi_open and hi2 == new.hi:
                hi2 -= 1
            new = Interval(lo2, hi2, not lo2.is_finite, not hi2.is_finite, True)
        return new

    def contains_interior(self, v) -> bool:
        return compare(v, self.lo) > 0 and compare(v, self.hi) < 0

    def inner_point(self):
        """A simple rational point inside (an end point only for a one-point integer range)."""
        lo, hi = self.lo, self.hi
        if lo.is_finite and hi.is_finite:
            if self.integer:
                return sp.floor((lo + hi) / 2)
            for den in (1, 2, 4, 10, 100, 1000, 10 ** 6):
                p = sp.Rational(math.floor(float(sp.N((lo + hi) / 2, 30)) * den), den)
                if self.contains_interior(p):
                    return p
            return (lo + hi) / 2
        if lo.is_finite:
            return sp.floor(lo) + 1
        if hi.is_finite:
            return sp.ceiling(hi) - 1
        return sp.Integer(0)

    def describe(self, name: str) -> str:
        left = "(" if self.lo_open else "["
        right = ")" if self.hi_open else "]"
        kind = " integer" if self.integer else ""
        return f"{name}{kind} in {left}{self.lo}, {self.hi}{right}"


@dataclass
class Extremum:
    """The exact sup (or inf) of a function over a box, where it is reached or approached."""

    value: sp.Expr
    attained: bool
    point: dict  # variable -> value; for an approached end, the end itself
    approached: dict  # variable -> +1 (approach from below, towards hi) / -1 (towards lo)


def _ends(v, iv: Interval):
    """The faces of one variable: ("end", value) at a closed end, ("limit", value, dir) at an open one."""
    out = []
    if iv.lo.is_finite and not iv.lo_open:
        out.append(("end", iv.lo, False, -1))
    else:
        out.append(("limit", iv.lo, True, -1))
    if iv.hi != iv.lo:
        if iv.hi.is_finite and not iv.hi_open:
            out.append(("end", iv.hi, False, +1))
        else:
            out.append(("limit", iv.hi, True, +1))
    return out


def _real_roots(expr, v):
    """Real roots of expr = 0 in v (exact), or raise Undecided."""
    expr = sp.cancel(expr) if expr.is_rational_function() else sp.together(expr)
    num = sp.numer(expr)
    # Factors free of v (sqrt(2), positive symbols) do not move the roots and spoil a rational Poly.
    num = sp.factor_terms(num).as_independent(v, as_Add=False)[1]
    num = sp.expand(num)
    if not num.has(v):
        return []
    try:
        poly = sp.Poly(num, v)
        if all(c.is_rational for c in poly.all_coeffs()):
            return list(dict.fromkeys(sp.real_roots(poly)))
    except sp.PolynomialError:
        pass
    sols = sp.solve(num, v)
    return [s for s in sols if s.is_real is not False and s.is_finite is not False and s.is_real]


def _vanishes(d) -> bool:
    """Whether an expression is identically zero (exactly: cancel for rational functions)."""
    if d.is_rational_function():
        return sp.cancel(d) == 0
    return sp.expand(sp.numer(sp.together(d))).is_zero is True


def _critical_points(g, free: list, box: dict):
    """Interior critical points of g over the free variables, as dicts (exact)."""
    used = [v for v in free if g.has(v) and not _vanishes(sp.diff(g, v))]
    idle = {v: box[v].inner_point() for v in free if v not in used}
    if not used:
        return [idle]
    if len(used) == 1:
        v = used[0]
        iv = box[v]
        pts = []
        for r in _real_roots(sp.diff(g, v), v):
            if iv.integer:
                for n in (sp.floor(r), sp.ceiling(r)):
                    if compare(n, iv.lo) >= 0 and compare(n, iv.hi) <= 0:
                        pts.append({**idle, v: n})
            elif iv.contains_interior(r):
                pts.append({**idle, v: r})
        return pts
    eqs = [sp.numer(sp.together(sp.diff(g, v))) for v in used]
    sols = sp.solve(eqs, used, dict=True)
    pts = []
    for s in sols:
        fixed = {v: val for v, val in s.items() if not val.free_symbols}
        if any(val.is_real and not box[v].contains_interior(val) for v, val in fixed.items()):
            continue  # that family of critical points lies outside the box
        if set(s) != set(used) or len(fixed) != len(s):
            raise Undecided(f"a continuum of critical points {s}")
        if any(not val.is_real for val in s.values()):
            continue
        if all(box[v].contains_interior(s[v]) for v in used):
            if any(box[v].integer and not s[v].is_integer for v in used):
                raise Undecided("a non-integer critical point of an integer variable in several variables")
            pts.append({**idle, **s})
    return pts


def _clean(v):
    """An exact number in a canonical form (radicals expanded), so that equal values compare equal."""
    v = sp.sympify(v)
    if v.is_number and not v.is_Rational and not v.is_infinite:
        v = sp.radsimp(sp.expand(v))
        v = sp.nsimplify(v) if v.is_Rational else v
    return v


def extremum(f, box: dict, maximise: bool = True) -> Extremum:
    """The exact sup (maximise) or inf of f over the box, by faces and critical points."""
    f = sp.sympify(f)
    sgn = 1 if maximise else -1
    variables = [v for v in box if f.has(v)]
    best: Extremum | None = None
    for choice in itertools.product(*[_ends(v, box[v]) + [("free",)] for v in variables]):
        g = f
        point, approached = {}, {}
        free = []
        limits = []
        for v, c in zip(variables, choice):
            if c[0] == "free":
                free.append(v)
            elif c[0] == "end":
                point[v] = c[1]
                if c[2]:
                    approached[v] = c[3]
            else:
                limits.append((v, c))
        for v in point:
            g = g.subs(v, point[v])
        g = sp.cancel(g) if g.is_rational_function() else g
        # Free variables stand for interior points: give them their sign for the limits.
        dummies = {v: sp.Dummy(v.name, positive=True) if compare(box[v].lo, 0) >= 0 else sp.Dummy(v.name, real=True)
                   for v in free}
        g = g.xreplace(dummies)
        if g.has(sp.nan, sp.zoo):
            continue
        for v, c in limits:
            g = sp.limit(g, v, c[1], "+" if c[3] < 0 else "-") if c[1].is_finite else sp.limit(g, v, c[1])
            point[v] = c[1]
            approached[v] = c[3]
        g = g.xreplace({d: v for v, d in dummies.items()})
        if g.has(sp.nan, sp.zoo) or g.has(sp.AccumBounds) or isinstance(g, sp.Limit):
            continue
        if g.free_symbols - set(free):
            raise Undecided(f"the face {choice} leaves {g}")
        for crit in _critical_points(g, free, box):
            value = _clean(g.subs(crit))
            if value.has(sp.nan, sp.zoo):
                continue
            cand = Extremum(value, not approached, {**point, **crit}, dict(approached))
            if best is None or sgn * compare(cand.value, best.value) > 0 or (
                    compare(cand.value, best.value) == 0 and cand.attained and not best.attained):
                best = cand
    if best is None:
        raise Undecided(f"no face of the box gave a value for {f}")
    return best


def approach(f, box: dict, ext: Extremum, beyond, above: bool):
    """A point of the box where f > beyond (above) or f < beyond, near where ext is reached.

    Exact: each trial point is evaluated in exact arithmetic.  Returns (point, value).
    """
    for k in range(0, APPROACH_STEPS):
        pt = {}
        for v in box:
            if v not in ext.point:
                pt[v] = box[v].inner_point()
                continue
            val = ext.point[v]
            if v in ext.approached:
                iv = box[v]
                if val.is_infinite:
                    val = sp.Integer(2) ** k * (1 if val is sp.oo else -1)
                    if iv.lo.is_finite and val < iv.lo:
                        val = iv.lo
                else:
                    width = (iv.hi - iv.lo) if (iv.hi.is_finite and iv.lo.is_finite) else sp.Integer(1)
                    val = val - ext.approached[v] * width * sp.Rational(1, 2) ** (k + 1)
            pt[v] = val
        value = f.subs(pt)
        if value.has(sp.nan, sp.zoo):
            continue
        c = compare(value, beyond)
        if (above and c > 0) or (not above and c < 0):
            return pt, value
    raise Undecided(f"no point found beyond {beyond}")


# ---------------------------------------------------------------- reduction of a step

X = sp.Symbol("x", nonnegative=True)  # x = alpha L


@dataclass
class Reduction:
    """A step's needed expression over a box, and the map back to the paper's symbols."""

    f: sp.Expr
    box: dict
    back: dict  # paper symbol -> expression in the box variables (or a number)
    normalised: tuple
    notes: list = field(default_factory=list)


def _expanded(bound: Bound, expr, constants: dict):
    expr = sp.sympify(expr)
    for dfn in reversed(bound.definitions):
        expr = expr.xreplace({dfn.symbol: constants.get(dfn.symbol, dfn.expr)})
    return expr.replace(TaskMean, lambda a: a)


def _ceiling_condition(rel):
    if isinstance(rel, sp.GreaterThan) and isinstance(rel.rhs, sp.ceiling):
        return rel.lhs, rel.rhs.args[0]
    return None


def _strip_positive_factors(d):
    d = sp.factor_terms(sp.together(d))
    num, den = sp.fraction(d)
    keep = sp.Integer(1)
    for fac in sp.Mul.make_args(num):
        if not fac.is_positive:
            keep *= fac
    return keep if den.is_positive else d


@lru_cache(maxsize=None)
def _consistent(bound: Bound) -> bool:
    return dimensions.check(bound).consistent


def reduce_step(bound: Bound, constants: dict) -> Reduction:
    """The premise region of ``bound`` as a box, and its needed expression over it."""
    f = _expanded(bound, bound.lhs, constants)
    pres = [(p, _expanded(bound, p.relation, constants)) for p in bound.preconditions]
    f = sp.expand_log(f, force=True)
    symbols_used = set(f.free_symbols)
    for _, rel in pres:
        symbols_used |= rel.free_symbols
    subs, box, notes = {}, {}, []
    if alpha in symbols_used and L in symbols_used:
        subs[alpha] = X / L
        box[X] = Interval(sp.Integer(0), sp.oo, ALPHA_POSITIVE in bound.preconditions, True)
        notes.append("x = alpha L")
    for p, rel in pres:
        cond = _ceiling_condition(rel)
        if cond is None:
            continue
        n, q_expr = cond
        s = SOLVE_FOR[p.name]
        q = sp.Symbol(f"q_{n}", nonnegative=True)
        box[q] = Interval(sp.Integer(0), sp.Integer(1), False, False)
        eq = q_expr.xreplace(subs) - q * n
        pos, rev = sp.posify(eq)
        spos = {v: k for k, v in rev.items()}.get(s, s)
        roots = [r.xreplace(rev) for r in sp.solve(pos, spos) if r.is_positive is not False]
        if len(roots) != 1:
            raise Undecided(f"{bound.id}: cannot solve {p.name} for {s}: {roots}")
        subs[s] = roots[0]
        notes.append(f"{p.name}: {s} solved from {q_expr} = {q} {n}")
    g = sp.expand_log(f.xreplace(subs), force=True)
    normalised = []
    if _consistent(bound):
        basis = []
        candidates = sorted((s for s in g.free_symbols if s.name in TABLE and info(s).dimension != (0, 0)),
                            key=lambda s: (s != L, not info(s).positive, s.name))
        for s in candidates:
            vec = info(s).dimension
            if len(basis) == 2:
                break
            if len(basis) == 1 and basis[0][0] * vec[1] - basis[0][1] * vec[0] == 0:
                continue
            basis.append(vec)
            normalised.append(s)
        for s in normalised:
            subs[s] = sp.Integer(1)
            if s in box:
                del box[s]
        for s, e in list(subs.items()):
            subs[s] = e.xreplace({n: 1 for n in normalised})
        g = sp.expand_log(f.xreplace(subs), force=True)
    g = sp.factor_terms(g) if g.is_Add else g
    for p, rel in pres:
        if _ceiling_condition(rel) is not None:
            continue
        r = rel.xreplace(subs)
        if r in (sp.true, True):
            continue
        d = _strip_positive_factors(r.lhs - r.rhs)
        free = d.free_symbols
        if len(free) != 1:
            raise Undecided(f"{bound.id}: premise {p.name!r} does not reduce to one variable: {r}")
        (v,) = free
        sol = sp.solve_univariate_inequality(r.func(d, 0), v, relational=False)
        if not isinstance(sol, sp.Interval):
            raise Undecided(f"{bound.id}: premise {p.name!r} is not an interval: {sol}")
        iv = box.get(v) or _default_interval(v)
        box[v] = iv.intersect(sol.start, sol.end, sol.left_open, sol.right_open)
    for v in g.free_symbols:
        if v not in box:
            box[v] = _default_interval(v)
    back = dict(subs)
    return Reduction(g, box, back, tuple(normalised), notes)


def _default_interval(v) -> Interval:
    if v.name in TABLE:
        row = info(v)
        if row.integer:
            return Interval(sp.Integer(1) if row.positive else sp.Integer(0), sp.oo, False, True, True)
        if row.positive:
            return Interval(sp.Integer(0), sp.oo, True, True)
        if row.nonnegative:
            return Interval(sp.Integer(0), sp.oo, False, True)
    return Interval()


def paper_point(bound: Bound, red: Reduction, point: dict) -> dict:
    """The box point in the paper's symbols: every input of the Bound gets an exact value."""
    base = {s: point.get(s, sp.Integer(1)) for s in bound.inputs if s not in red.back}
    box_values = {**point, **base}
    derived = {}
    for s, e in red.back.items():
        e = sp.sympify(e).xreplace(box_values)
        e = e.xreplace({v: sp.Integer(1) for v in e.free_symbols})  # symbols the step does not involve
        derived[s] = sp.radsimp(sp.expand(e)) if e.is_number and not e.is_Rational else e
    return {s: derived.get(s, base.get(s)) for s in bound.inputs}


def check_in_premises(bound: Bound, values: dict, constants: dict) -> bool:
    for p in bound.preconditions:
        rel = _expanded(bound, p.relation, constants).xreplace(values)
        if rel is not sp.true and rel is not True:
            return False
    return True


# ---------------------------------------------------------------- one step

@dataclass
class StepResult:
    """The exact verdict on one step under one set of earlier constants."""

    bound_id: str
    claimed: sp.Expr
    relation: Relation
    tightest: sp.Expr | None  # sup (<=) or inf (>=) of the needed expression; None: not derivable
    attained: bool = True
    holds: bool | None = None
    counterexample: dict | None = None  # paper symbol name -> exact value
    counterexample_value: sp.Expr | None = None
    box: str = ""
    reason: str = ""

    @property
    def worst_ratio(self) -> float:
        """tightest/claimed for <=, claimed/tightest for >=: above 1 is a violation."""
        if self.tightest is None:
            return math.nan
        num, den = (self.tightest, self.claimed) if self.relation is Relation.LE else (self.claimed, self.tightest)
        if compare(num, den) == 0:
            return 1.0
        if den.is_infinite or num.is_infinite:
            return math.inf if num.is_infinite else 0.0
        if sign(den) <= 0:
            return math.inf if sign(num - den) > 0 else 0.0
        return float(sp.N(num / den, 30))


def judge(bound: Bound, constants: dict, claimed=None) -> StepResult:
    """The step with the given earlier constants, against ``claimed`` (default: the paper's)."""
    claimed = bound.rhs if claimed is None else sp.sympify(claimed)
    red, ext = _reduced_extremum(bound, constants)
    res = StepResult(bound.id, claimed, bound.relation, ext.value, ext.attained,
                     box="; ".join([iv.describe(v.name) for v, iv in red.box.items()] + red.notes
                                   + ([f"normalised {', '.join(s.name for s in red.normalised)} = 1"]
                                      if red.normalised else [])))
    c = compare(ext.value, claimed)
    res.holds = c <= 0 if bound.relation is Relation.LE else c >= 0
    if not res.holds:
        pt, value = approach(red.f, red.box, ext, claimed, above=bound.relation is Relation.LE)
        values = paper_point(bound, red, pt)
        if not check_in_premises(bound, values, constants):
            raise Undecided(f"{bound.id}: the violating point {values} lies outside the premises")
        # log((1 + alpha L)^4) is expanded while alpha L is a symbol, as in the reduction.
        direct = sp.expand_log(_expanded(bound, bound.lhs, constants), force=True).xreplace(values)
        if compare(direct, value) != 0:
            raise Undecided(f"{bound.id}: the reduced and the paper's expression disagree at {values}")
        res.counterexample = {s.name: v for s, v in sorted(values.items(), key=lambda t: t[0].name)}
        res.counterexample_value = value
    return res


_EXTREMA: dict = {}


def _reduced_extremum(bound: Bound, constants: dict):
    """The reduction and the exact extremum; they do not depend on the claimed constant."""
    key = (bound.id, tuple(sorted((s.name, sp.srepr(v)) for s, v in constants.items())))
    if key not in _EXTREMA:
        red = reduce_step(bound, constants)
        used = {v: iv for v, iv in red.box.items() if red.f.has(v)}
        ext = extremum(red.f, used, maximise=bound.relation is Relation.LE)
        _EXTREMA[key] = (red, ext)
    return _EXTREMA[key]


def negative_control_constant(result: StepResult):
    """A constant slightly beyond the tightest valid one: the same code must call it violated."""
    t = result.tightest
    if t is None:
        return None
    if t.is_infinite:
        return sp.Integer(10) ** 9 * (1 if t is sp.oo else -1)
    delta = max(abs(t) * CONTROL_STEP, sp.Rational(1, 10 ** 6))
    return sp.nsimplify(t - delta if result.relation is Relation.LE else t + delta)


# ---------------------------------------------------------------- chains

def steps() -> list[Bound]:
    """Every numeric step of the registry, earlier steps before the steps that use them."""
    todo = {b.id: b for b in BOUNDS.values() if b.kind is Kind.CONSTANT}
    done, order = set(), []

    def visit(b):
        if b.id in done:
            return
        for u in b.settings.get("uses", ()):
            visit(todo[u])
        done.add(b.id)
        order.append(b)

    for b in sorted(todo.values(), key=lambda b: b.id):
        visit(b)
    return order


@dataclass
class StepAudit:
    """One row of the audit: the step as the paper argues it, and with corrected earlier constants.

    ``printed``: every earlier constant as the paper prints it.  ``corrected``: as printed,
    except the constants of earlier steps that are false, which take the value the audit
    found (their tightest valid constant); it differs from ``printed`` only for a step that
    uses a false step directly.  ``found``: every earlier constant as the audit found it,
    recursively, i.e. the chain re-derived from corrected steps throughout.
    """

    bound: Bound
    printed: StepResult
    corrected: StepResult
    found: StepResult
    uses: tuple
    false_uses: tuple = ()

    @property
    def chain_status(self) -> str:
        if not self.uses:
            return "uses no earlier constant"
        parts = []
        if self.false_uses:
            parts.append(f"with {', '.join(self.false_uses)} corrected: " + _outcome(self.corrected))
        parts.append("with every earlier constant as found: " + _outcome(self.found))
        return "; ".join(parts)


def _outcome(r: StepResult) -> str:
    if r.tightest is None:
        return f"not derivable ({r.reason})"
    return f"{'still follows' if r.holds else 'does not follow'} (tightest {fmt(r.tightest)})"


def fmt(v) -> str:
    if v is None:
        return "-"
    v = sp.sympify(v)
    if v.is_infinite:
        return str(v)
    if v.is_Rational:
        return f"{v} (= {float(v):.6g})" if not v.is_Integer else str(v)
    return f"{v} (= {float(sp.N(v, 20)):.6g})"


def _with(b: Bound, out: dict, pick) -> StepResult:
    """The step with each used constant chosen by pick(earlier StepAudit); None: not derivable."""
    uses = tuple(b.settings.get("uses", ()))
    chosen = {u: pick(out[u]) for u in uses}
    broken = [u for u, v in chosen.items() if v is None or v.is_infinite]
    if broken:
        return StepResult(b.id, b.rhs, b.relation, None, holds=None,
                          reason=f"{', '.join(broken)} has no finite valid constant")
    return judge(b, {BOUNDS[u].settings["produces"]: v for u, v in chosen.items()})


def _audit_steps() -> dict[str, StepAudit]:
    """Every step audited, in dependency order."""
    out: dict[str, StepAudit] = {}
    for b in steps():
        uses = tuple(b.settings.get("uses", ()))
        printed = judge(b, {BOUNDS[u].settings["produces"]: BOUNDS[u].rhs for u in uses})
        false_uses = tuple(u for u in uses if not out[u].printed.holds)
        corrected = printed if not false_uses else _with(
            b, out, lambda a: a.printed.tightest if not a.printed.holds else a.bound.rhs)
        found = printed if not uses else _with(b, out, lambda a: a.found.tightest)
        out[b.id] = StepAudit(b, printed, corrected, found, uses, false_uses)
    return out


def _control(a: StepAudit) -> StepResult:
    """The step's negative control: the printed step with its constant just beyond the tightest valid one."""
    printed = {BOUNDS[u].settings["produces"]: BOUNDS[u].rhs for u in a.uses}
    return judge(a.bound, printed, claimed=negative_control_constant(a.printed))


# ---------------------------------------------------------------- the audit, computed once

# What the audit's result depends on, for the key of its disk cache (verify/judge/cache.py): the
# registry (every file of bounds/), this module and the modules it imports from verify/ (the cache's
# own format among them), and
# the versions of the libraries that compute it.  tests/test_audit.py checks that these cover every
# project module this module reaches through its imports.
_ROOT = Path(__file__).resolve().parents[2]
CACHE_NAME = "proof_audit"
CACHE_PACKAGES = ("sympy", "mpmath", "numpy")


def cache_files() -> list[Path]:
    return sorted(_ROOT.joinpath("bounds").rglob("*.py")) + [
        _ROOT / "verify" / "__init__.py", _ROOT / "verify" / "checks" / "__init__.py",
        _ROOT / "verify" / "judge" / "__init__.py", _ROOT / "verify" / "judge" / "cache.py",
        Path(__file__).resolve(), Path(dimensions.__file__).resolve()]


def cache_key() -> str:
    return content_key(cache_files(), root=_ROOT, packages=CACHE_PACKAGES)


_AUDIT: dict | None = None
_CONTROLS: dict | None = None
# How the audit of this process was obtained ("hit", or why it was computed): shown in the report's run facts.
cache_status = ""


def _compute() -> dict:
    """The whole audit as plain data: the StepResults of each step and of its negative control, by step id."""
    steps_ = _audit_steps()
    return {"steps": {k: (a.printed, a.corrected, a.found, a.uses, a.false_uses) for k, a in steps_.items()},
            "controls": {k: _control(a) for k, a in steps_.items()}}


def load(cache_dir: Path | None = None) -> None:
    """Make the audit available to ``audit()`` and ``negative_control()``: read from ``cache_dir``
    when a whole file there has the current key, else computed (and stored there when given).

    The cached result is the computed one bit for bit: the exact sympy values pickle as they are.
    """
    global _AUDIT, _CONTROLS, cache_status
    if _AUDIT is not None:
        return
    data, cache_status = load_or_compute(cache_dir, CACHE_NAME, cache_key(), _compute) if cache_dir is not None \
        else (_compute(), "no cache directory")
    by_id = {b.id: b for b in steps()}
    if set(data["steps"]) != set(by_id) or set(data["controls"]) != set(by_id):
        # A cache written by these very sources has these steps; anything else is not this audit.
        data, cache_status = _compute(), "recomputed: the cached steps are not the registry's"
    _AUDIT = {k: StepAudit(by_id[k], *data["steps"][k]) for k in by_id}
    _CONTROLS = dict(data["controls"])


def audit() -> dict[str, StepAudit]:
    """Every step audited, in dependency order (once per process: the audit is exact and deterministic)."""
    if _AUDIT is None:
        load()
    return _AUDIT


def negative_control(step_id: str) -> StepResult:
    """The step judged against a constant CONTROL_STEP beyond its tightest valid one: it must be violated."""
    if _CONTROLS is None:
        load()
    return _CONTROLS[step_id]


def audit_rows() -> list[dict]:
    """The audit as a table for the report: one dict per step, in dependency order.

    Keys: step, reference, equation, statement, relation, claimed, tightest (the exact
    sup or inf of the needed expression: the tightest valid constant), attained, verdict
    ("holds"/"violated"), worst_ratio (tightest/claimed for <=, claimed/tightest for >=;
    above 1 is a violation), counterexample (paper symbol -> exact value, or None),
    corrected_tightest / corrected_verdict (None unless the step uses a false step directly),
    found_tightest / found_verdict (the chain with every earlier constant as found),
    chain_status (the two chain results in words), premises (the box audited).
    """
    rows = []
    for a in audit().values():
        p = a.printed
        rows.append(dict(
            step=a.bound.id, reference=a.bound.reference, equation=", ".join(f"({e})" for e in a.bound.equations),
            statement=a.bound.statement, relation=a.bound.relation.value,
            claimed=fmt(p.claimed), tightest=fmt(p.tightest), attained=p.attained,
            verdict="holds" if p.holds else "violated", worst_ratio=p.worst_ratio,
            counterexample=None if p.counterexample is None else {k: str(v) for k, v in p.counterexample.items()},
            corrected_tightest=fmt(a.corrected.tightest) if a.false_uses else None,
            corrected_verdict=None if not a.false_uses else (
                "not derivable" if a.corrected.tightest is None else "holds" if a.corrected.holds else "violated"),
            found_tightest=fmt(a.found.tightest),
            found_verdict="not derivable" if a.found.tightest is None else "holds" if a.found.holds else "violated",
            chain_status=a.chain_status, premises=p.box))
    return rows
