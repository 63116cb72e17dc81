"""Corollary H.2 corrected, eq. (151): HF-MAML with a finite-difference step that shrinks with epsilon.

Printed (151): with B >= K_1 sigma^2/eps^2 and D_in, B D_o >= K_2 sigma~^2/eps^2, HF-MAML with the delta
rule (135) finds an eps-FOSP.  False: with (135) HF-MAML converges to a biased fixed point whatever the
batches (finding h2-hf-maml-converges-to-a-biased-fixed-point).

Corrected: with rule (b) of Theorem H.1 corrected, delta_k^i = eta/(rho alpha ||v||), and the Hessian batch
D_h >= ceil((alpha^2 rho sigma~/eta)^2), the batch conditions (151) give an eps-FOSP within 1280 Delta (L + rho
alpha (sigma + eps))/eps^2 iterations, for constants with 12 (1 + rho alpha sigma/L)(1/K_1 + 2/K_2) <= 1 and
12 (rho alpha eps/L)(1/K_1 + 2/K_2) <= 1 (from (124b): each term of N is at most eps^2 (1/K_1 + 2/K_2)).  For
small eps the Hessian batch is D_h = Theta((alpha^2 rho sigma~)^2 (sigma + sigma~)^2 (1 + rho alpha sigma/L)/eps^2),
of the order of (151)'s other batches, and none at all when the sample noise does not depend on w.
"""
from .._core import Bound, Relation
from .._symbols import K_1, K_2, epsilon, sigma, sigma_tilde
from ..theorem_h_1.corrected import HYPOTHESES_B, theorem_h_1_iterations_corrected
from .statement import _batch_conditions, _constants_large_enough, corollary_h_2

corollary_h_2_corrected = Bound(
    id="corollary_h_2_corrected",
    reference="Corollary H.2, eq. (151), corrected: delta shrinking with epsilon",
    kind=corollary_h_2.kind,
    statement="With delta_k^i = eta/(rho alpha ||v||), D_h >= ceil((alpha^2 rho sigma~/eta)^2), B >= K_1 sigma^2/eps^2 and "
              "D_in, B D_o >= K_2 sigma~^2/eps^2, HF-MAML finds an eps-FOSP within 1280 Delta (L + rho alpha (sigma + "
              "eps))/eps^2 iterations.",
    lhs=corollary_h_2.lhs, relation=Relation.LE, rhs=epsilon,
    lhs_words=corollary_h_2.lhs_words.replace("HF-MAML runs", "HF-MAML runs (rule (b))"),
    preconditions=HYPOTHESES_B
    + _batch_conditions(K_1 * sigma ** 2 / epsilon ** 2, K_2 * sigma_tilde ** 2 / epsilon ** 2, "eq. (151)")
    + _constants_large_enough(12, "from the corrected (124b)"),
    definitions=theorem_h_1_iterations_corrected.definitions,
    settings={k: v for k, v in theorem_h_1_iterations_corrected.settings.items() if k != "accuracy"},
    algorithm="hf_maml", corrects=corollary_h_2.id,
)
