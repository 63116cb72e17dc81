"""Table 1: best accuracy and cost of MAML, FO-MAML and HF-MAML, as O(.) claims.

The table (paper, Section 1.1), "having access to sufficient samples" and "K-shot
learning" (sigma and sigma~ assumed small, Assumption 4.7):

    Algorithm  Best accuracy        Iterations        Samples/iteration   Runtime/iteration  K-shot best accuracy
    MAML       ||grad F|| <= eps    O(1/eps^2)        O(1/eps^4)          O(d^2)             O(sigma~/sqrt(K))
    FO-MAML    O(alpha sigma)       O(1/(a^2 s^2))    O(1/(a^4 s^2))      O(d)               O(sigma + sigma~/sqrt(K))
    HF-MAML    ||grad F|| <= eps    O(1/eps^2)        O(1/eps^4)          O(d)               O(sigma~/sqrt(K))

The table summarises Theorems 4.12, 4.15 and 4.17, (23)-(29), and their corollaries.
Each cell is one Bound of kind ``scaling``: ``lhs = O(rhs)`` in the variable
``settings["in"]``, which the harness varies while holding the rest fixed, and whose
exponent it fits.  L, rho, Delta are constants of the O(.).

Readings.  "Best accuracy possible" with sufficient samples is read as the
smallest E||grad F(w)|| reached when the batch sizes grow as in Corollaries 4.13,
4.16 and H.2.  FO-MAML's K-shot cell prints O(sigma + sigma~/sqrt(K)) where (26)
gives O(alpha sigma L + sigma~/sqrt(K)); encoded as printed.  The runtime column
counts arithmetic per iteration per task in the dimension d, with explicit
Hessians for MAML (footnote 3: O(d) with back-propagation for neural networks).
"""
from sympy import sqrt

from .._core import Bound, Kind, Relation
from .._symbols import DIMENSIONLESS, GRADIENT, K, alpha, d, declare_quantity, epsilon, sigma, sigma_tilde

best_accuracy = declare_quantity(
    "best_accuracy", "the smallest E||grad F(w)|| the method reaches with sufficient samples",
    r"\min\mathbb{E}\|\nabla F(w)\|", GRADIENT, text="min 𝔼‖∇F(w)‖")
iteration_complexity = declare_quantity(
    "iteration_complexity", "iterations needed to reach the best accuracy", r"T_{\epsilon}", DIMENSIONLESS,
    text="iterations")
samples_per_iteration = declare_quantity(
    "samples_per_iteration", "data samples drawn per iteration (B (D_in + D_o + D_h))", r"N_{\mathrm{samples}}",
    DIMENSIONLESS, text="samples / iteration")
runtime_per_iteration = declare_quantity(
    "runtime_per_iteration", "arithmetic cost (time) of one iteration", r"\mathrm{time}_{\mathrm{iter}}",
    DIMENSIONLESS, text="time / iteration")
k_shot_accuracy = declare_quantity(
    "k_shot_accuracy", "the smallest E||grad F(w)|| reached with K samples per task", r"\min\mathbb{E}\|\nabla F(w)\|_K",
    GRADIENT, text="min 𝔼‖∇F(w)‖ (K-shot)")

_COLUMNS = {
    "best_accuracy": (best_accuracy, "Best accuracy possible"),
    "iterations": (iteration_complexity, "Iteration complexity"),
    "samples": (samples_per_iteration, "# samples/iteration"),
    "runtime": (runtime_per_iteration, "Runtime/iteration"),
    "k_shot": (k_shot_accuracy, "K-shot best accuracy possible"),
}

_ROWS = {
    "maml": ("MAML", {"best_accuracy": (epsilon, epsilon), "iterations": (1 / epsilon ** 2, epsilon),
                      "samples": (1 / epsilon ** 4, epsilon), "runtime": (d ** 2, d),
                      "k_shot": (sigma_tilde / sqrt(K), K)}),
    "fo_maml": ("FO-MAML", {"best_accuracy": (alpha * sigma, alpha), "iterations": (1 / (alpha ** 2 * sigma ** 2), alpha),
                            "samples": (1 / (alpha ** 4 * sigma ** 2), alpha), "runtime": (d, d),
                            "k_shot": (sigma + sigma_tilde / sqrt(K), K)}),
    "hf_maml": ("HF-MAML", {"best_accuracy": (epsilon, epsilon), "iterations": (1 / epsilon ** 2, epsilon),
                            "samples": (1 / epsilon ** 4, epsilon), "runtime": (d, d),
                            "k_shot": (sigma_tilde / sqrt(K), K)}),
}

_READING = " ".join(__doc__.split("Readings.")[1].split())

for _alg, (_name, _cells) in _ROWS.items():
    for _col, (_order, _var) in _cells.items():
        _lhs, _title = _COLUMNS[_col]
        globals()[f"table_1_{_alg}_{_col}"] = Bound(
            id=f"table_1_{_alg}_{_col}",
            reference=f"Table 1, {_name} row, column '{_title}' (via (23)-(29))",
            kind=Kind.SCALING,
            statement=f"{_name}: {_title.lower()} is O({_order}) in {_var}.",
            lhs=_lhs,
            relation=Relation.ORDER,
            rhs=_order,
            lhs_words=f"{_lhs.name.replace('_', ' ')} of {_name}, measured while {_var} varies and the other "
                      "parameters stay fixed",
            settings={"in": _var},
            algorithm=_alg,
            reading=_READING,
        )
