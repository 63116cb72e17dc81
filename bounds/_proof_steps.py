"""How a numeric step of a proof is declared: one Bound of kind CONSTANT per step.

A step of the appendix such as "(1 + alpha L) alpha L <= 0.2 since alpha L <= 1/6"
is stated as

    needed  REL  claimed

where ``claimed`` is the number the paper prints (0.2) and ``needed`` is the
expression the step must bound, over the premises (the ranges it assumes, as
preconditions).  A step that uses the constant of an earlier step refers to it by
a *defined* symbol kappa, whose Definition is the earlier step's claimed constant
as printed: the registry encodes the chain as the paper argues it, and the audit
(verify/checks/audit.py) may re-evaluate it with the constants it found instead.

``settings`` carry the chain: ``produces`` is the kappa symbol naming this step's
constant, ``uses`` the ids of the earlier steps whose constants it reads.
"""
from __future__ import annotations

import sys

import sympy as sp
from sympy import Max

from ._core import Bound, Definition, Kind, Relation
from .lemma_a_3.statement import C_1, C_1_DEFINITION, C_2, C_2_DEFINITION
from ._symbols import DIMENSIONLESS, declare_defined


def _kappa(name: str, description: str) -> sp.Symbol:
    label = name.removeprefix("kappa_").replace("_", r"\,")
    text = name.removeprefix("kappa_").replace("_", " ")
    return declare_defined(
        name, description, rf"\kappa_{{{label}}}",
        f"<msub><mi>&#954;</mi><mtext>{text}</mtext></msub>", DIMENSIONLESS)


def kappa(step: Bound) -> sp.Symbol:
    """The symbol that names ``step``'s constant where a later step uses it."""
    return step.settings["produces"]


def constant_step(
    id: str,
    reference: str,
    statement: str,
    needed,
    relation: Relation,
    claimed,
    *,
    produces: tuple[str, str] | None = None,
    uses: tuple[Bound, ...] = (),
    fixed: tuple[Definition, ...] = (),
    preconditions=(),
    reading: str = "",
    lhs_words: str = "",
    module: str = "",
    corrects: str = "",
) -> Bound:
    """A numeric step ``needed REL claimed`` of a proof, declared in the calling module.

    ``produces`` = (kappa name, description) names the constant for later steps;
    ``uses`` are the earlier steps whose constants appear (as their kappa) in
    ``needed``; ``fixed`` defines values the proof chooses (phi = 1 in Lemma 4.10).
    """
    settings: dict = {"uses": tuple(s.id for s in uses)}
    if produces is not None:
        settings["produces"] = _kappa(*produces)
    definitions = tuple(fixed) + tuple(
        Definition(kappa(s), s.rhs, f"{s.reference} ({s.id})") for s in uses)
    return Bound(
        id=id, reference=reference, kind=Kind.CONSTANT, statement=statement,
        lhs=needed, relation=relation, rhs=sp.nsimplify(claimed, rational=True),
        lhs_words=lhs_words or "exact arithmetic over the premises: no quantity is measured; "
                               "verify/checks/audit.py bounds the left side over the premise region",
        preconditions=tuple(preconditions), definitions=definitions, settings=settings,
        reading=reading, module=module or sys._getframe(1).f_globals["__name__"], corrects=corrects)


def descent_tail(prefix: str, where: str, alpha_range, decrease: Bound, rate, reserve, noise: tuple,
                 noise_uses: tuple[Bound, ...], theorem_constant, theorem_ref: str, module: str):
    """The steps (94)-(105) of Theorem F.1's proof, which G.1 and H.1 repeat "with similar analysis".

    ``where`` cites the display for each step, e.g. "Theorem F.1 proof, eq. ({})"; ``decrease``
    is the step giving the coefficient of -||grad F(w_k)||^2 / L_k; ``noise`` the coefficients
    of the noise terms of the one-step inequality (kappa expressions), which the theorem's
    constant, divided by the reserve 1/1600 (1/3200 for HF-MAML), must dominate.
    Returns the steps in the order (95) C1, (95) C2, (96) sigma, (96) grad, (99), (100),
    (102), (105), theorem constant.
    """
    pre = tuple(alpha_range)

    def made(*args, **kw):
        return constant_step(*args, module=module, **kw)

    c1 = made(f"{prefix}_eq_95_c1_at_most_2", where.format(95),
              "C1 = 1/(1 - 2 alpha L - alpha^2 L^2) <= 2 on the theorem's range of alpha L: the 2 of (95).",
              C_1, Relation.LE, 2, fixed=(C_1_DEFINITION,), preconditions=pre,
              produces=(f"kappa_{prefix}_95a", "the 2 of ||grad f|| <= 2||grad F|| + sigma, (95)"))
    c2 = made(f"{prefix}_eq_95_c2_at_most_1", where.format(95),
              "C2 = (2 alpha L + alpha^2 L^2)/(1 - 2 alpha L - alpha^2 L^2) <= 1: the 1 of (95).",
              C_2, Relation.LE, 1, fixed=(C_2_DEFINITION,), preconditions=pre,
              produces=(f"kappa_{prefix}_95b", "the 1 multiplying sigma in (95)"))
    s96 = made(f"{prefix}_eq_96_sigma_4", where.format(96),
               "2 rho alpha sigma + 2 rho alpha (sigma) <= 4 rho alpha sigma: 2 + 2 * 1 <= 4 in (96).",
               2 + 2 * kappa(c2), Relation.LE, 4, uses=(c2,),
               produces=(f"kappa_{prefix}_96s", "the 4 of 4 rho alpha sigma in (96)"))
    g96 = made(f"{prefix}_eq_96_grad_4", where.format(96),
               "2 rho alpha (2 ||grad F||) <= 4 rho alpha ||grad F||: 2 * 2 <= 4 in (96).",
               2 * kappa(c1), Relation.LE, 4, uses=(c1,),
               produces=(f"kappa_{prefix}_96g", "the 4 of 4 rho alpha ||grad F|| in (96)"))
    s99 = made(f"{prefix}_eq_99_constant_8", where.format(99),
               "a/(b + c) >= a/(2 max{b, c}) with b = 4L + 4 rho alpha sigma, c = 4 rho alpha E||grad F||: "
               "2 * 4 <= 8 in (99).",
               2 * Max(4, kappa(s96), kappa(g96)), Relation.LE, 8, uses=(s96, g96),
               produces=(f"kappa_{prefix}_99", "the 8 of (99)"))
    s100 = made(f"{prefix}_eq_100_rate", where.format(100),
                "the decrease coefficient of the one-step inequality divided by the 8 of (99) is at least "
                f"{rate} in (100).",
                kappa(decrease) / kappa(s99), Relation.GE, rate, uses=(decrease, s99),
                produces=(f"kappa_{prefix}_100_rate", f"the {rate} of (100)"))
    s102 = made(f"{prefix}_eq_102_retained_decrease", where.format(102),
                f"after {reserve} of the decrease is spent on the noise terms ((101)), at least {reserve} remains: "
                f"{rate} - {reserve} >= {reserve} in (102).",
                kappa(s100) - reserve, Relation.GE, reserve, uses=(s100,),
                produces=(f"kappa_{prefix}_102", f"the {reserve} of (102)"))
    s105 = made(f"{prefix}_eq_105_iterations", where.format(105),
                f"the iteration budget of (105): 1/{reserve} <= {1 / reserve}.",
                1 / kappa(s102), Relation.LE, 1 / reserve, uses=(s102,))
    const = made(f"{prefix}_theorem_constant", theorem_ref,
                 f"the constant {theorem_constant} of the theorem dominates every noise coefficient of the "
                 f"one-step inequality divided by the reserve {reserve} ((101)).",
                 Max(*noise) / reserve, Relation.LE, theorem_constant, uses=noise_uses,
                 produces=(f"kappa_{prefix}_gamma", f"the theorem's constant {theorem_constant}"),
                 reading="The reserve 1/1600 (1/3200) is the paper's split of the decrease of (100) into the part "
                         "that dominates the noise and the part kept in (102); it is kept fixed when the chain is "
                         "re-run with the constants as found.")
    return c1, c2, s96, g96, s99, s100, s102, s105, const


def split_step(prefix: str, reference: str, rate_step: Bound, noise: tuple, noise_uses: tuple[Bound, ...],
               theorem_constant, reserve, module: str) -> Bound:
    """Whether the decrease rate of (100) can pay the noise at the theorem's constant and keep ``reserve`` for (105).

    The proof splits the rate into two fixed halves after (101) (``descent_tail``'s theorem-constant step keeps
    that split).  The theorem needs only that some split exists: max(noise)/constant + reserve <= rate.
    Audited with every earlier constant as found, this step says whether the theorem's printed constant and
    budget survive a false step upstream even where the proof's own split does not.
    """
    return constant_step(
        f"{prefix}_eq_101_split", reference,
        f"the rate of (100) pays every noise coefficient at the theorem's constant {theorem_constant} and keeps "
        f"{reserve} for (105): max(noise)/{theorem_constant} + {reserve} <= rate, any split of (101).",
        (Max(*noise) / theorem_constant + reserve) / kappa(rate_step), Relation.LE, 1,
        uses=tuple(noise_uses) + (rate_step,), module=module,
        reading="Not a display of the paper: the existence of a split of (101), which is all (76) and (105) need. "
                "With the printed constants it holds with the proof's equal split; the audit's chain 'with every "
                "earlier constant as found' decides whether the theorem survives corrected steps upstream.")
