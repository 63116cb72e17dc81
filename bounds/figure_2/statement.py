"""Appendix J, Figure 2: the paper's qualitative claims about its three panels, as inequalities.

Figure 2 runs MAML, FO-MAML and HF-MAML on the rank-one factorisation (159),
f_i(x) = 1/4 ||x x' - g_i g_i'||_F^2, and the text around it says:

  (a) exact gradients and Hessians, 20 tasks, B = 20: "FO-MAML ... does not converge
      to a first-order stationary point" while MAML and HF-MAML do, i.e. FO-MAML ends
      far above the other two (its O(alpha sigma) term);
  (b) noisy gradients and Hessians, 50 tasks, B = 10, similar tasks: "the three
      methods perform similarly" (the O(alpha sigma) term is small next to the noise);
  (c) as (b) with dissimilar tasks: "the O(alpha sigma) term dominates" and FO-MAML
      again ends above MAML and HF-MAML.

The final level of a method is its ||grad F(w_k)|| averaged over the tail of the run
(the harness, verify/checks/figure_2.py, says which tail).  The task counts and B are the
paper's (``settings``); everything else about the runs (dimension, alpha, stepsize,
noise level, iterations) the paper leaves open.

Readings.  "Far above" and "similar" are not quantified in the paper; the margins
here are the suite's: in (a) FO-MAML's level is at least 10 times the larger of the
other two (exact gradients separate them by orders of magnitude), in (c) at least 3
times (there the noise floor of MAML and HF-MAML is within a factor of a few of
FO-MAML's bias), and in (b) the spread of the three levels is at most 0.05 of
||grad F(w_0)||.  They are recorded here, once, so that a change of reading is a
change of the registry.
"""
from sympy import Max, Rational

from .._core import Bound, Kind, Relation
from .._symbols import GRADIENT, declare_quantity

maml_final_level = declare_quantity(
    "maml_final_level", "MAML's final level of ||grad F(w_k)|| (mean over the tail of the run)",
    r"\ell_{\mathrm{MAML}}", GRADIENT, text="ℓ(MAML)")
fo_maml_final_level = declare_quantity(
    "fo_maml_final_level", "FO-MAML's final level of ||grad F(w_k)|| (mean over the tail of the run)",
    r"\ell_{\mathrm{FO}}", GRADIENT, text="ℓ(FO-MAML)")
hf_maml_final_level = declare_quantity(
    "hf_maml_final_level", "HF-MAML's final level of ||grad F(w_k)|| (mean over the tail of the run)",
    r"\ell_{\mathrm{HF}}", GRADIENT, text="ℓ(HF-MAML)")
spread_of_final_levels = declare_quantity(
    "spread_of_final_levels", "the largest minus the smallest of the three methods' final levels",
    r"\ell_{\max} - \ell_{\min}", GRADIENT, text="ℓ_max − ℓ_min")
start_grad_F_norm = declare_quantity(
    "start_grad_F_norm", "||grad F(w_0)|| at the common starting point of the three runs",
    r"\|\nabla F(w_0)\|", GRADIENT, text="‖∇F(w₀)‖")

_READING = " ".join(__doc__.split("Readings.")[1].split())

# The suite's margins (see Readings): the one place they are typed.
_FAR = {"a": 10, "c": 3}
_CLOSE = Rational(1, 20)

_TITLES = {
    "a": "exact gradients and Hessians, 20 tasks, B = 20",
    "b": "noisy gradients and Hessians, 50 tasks, B = 10, similar tasks",
    "c": "noisy gradients and Hessians, 50 tasks, B = 10, dissimilar tasks",
}
_SETTINGS = {
    "a": {"tasks": 20, "B": 20, "noisy": False, "similar_tasks": False},
    "b": {"tasks": 50, "B": 10, "noisy": True, "similar_tasks": True},
    "c": {"tasks": 50, "B": 10, "noisy": True, "similar_tasks": False},
}

for _panel in ("a", "c"):
    globals()[f"figure_2_{_panel}"] = Bound(
        id=f"figure_2_{_panel}",
        reference=f"Appendix J, Figure 2({_panel}), on the rank-one tasks (159)",
        kind=Kind.CONVERGENCE,
        statement=f"Figure 2({_panel}), {_TITLES[_panel]}: FO-MAML ends far above MAML and HF-MAML.",
        lhs=fo_maml_final_level,
        relation=Relation.GE,
        rhs=_FAR[_panel] * Max(maml_final_level, hf_maml_final_level),
        lhs_words="FO-MAML's final level of ||grad F(w_k)||, from the same start and task set as MAML's and "
                  "HF-MAML's runs",
        settings=dict(_SETTINGS[_panel], margin=_FAR[_panel]),
        reading=_READING,
    )

figure_2_b = Bound(
    id="figure_2_b",
    reference="Appendix J, Figure 2(b), on the rank-one tasks (159)",
    kind=Kind.CONVERGENCE,
    statement=f"Figure 2(b), {_TITLES['b']}: the three methods end close to each other.",
    lhs=spread_of_final_levels,
    relation=Relation.LE,
    rhs=_CLOSE * start_grad_F_norm,
    lhs_words="the largest minus the smallest of the final levels of ||grad F(w_k)|| of MAML, FO-MAML and "
              "HF-MAML, from one start and task set",
    settings=dict(_SETTINGS["b"], margin=_CLOSE),
    reading=_READING,
)
