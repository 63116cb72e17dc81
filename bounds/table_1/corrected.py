"""Table 1 corrected: HF-MAML's best accuracy, ||grad F|| <= eps, with the step of (11) shrinking with eps.

Printed: HF-MAML reaches ||grad F|| <= eps "with sufficient samples" (via Theorem 4.17 and Corollary H.2).
False with the delta rule (135): HF-MAML stalls at a biased fixed point, whose ||grad F|| does not shrink with
the samples (finding table-1-hf-maml-best-accuracy-floored).  Corrected: with rule (b) of Theorem H.1 corrected
(delta_k^i = eta/(rho alpha ||v||), eta = O(eps/sigma)) and a Hessian batch D_h = O(1/eps^2) where the sample
noise depends on w, the best accuracy is O(eps) in eps, as printed (Corollary H.2 corrected, (151)).
"""
from .._core import Bound
from ..theorem_h_1.corrected import HYPOTHESES_B, theorem_h_1_iterations_corrected
from .statement import table_1_hf_maml_best_accuracy

table_1_hf_maml_best_accuracy_corrected = Bound(
    id="table_1_hf_maml_best_accuracy_corrected",
    reference="Table 1, HF-MAML row, column 'Best accuracy possible' (via (23)-(29)), corrected: (151) with rule (b)",
    kind=table_1_hf_maml_best_accuracy.kind,
    statement="HF-MAML with delta_k^i = eta/(rho alpha ||v||) (eta = O(eps)) and D_h = O(1/eps^2): best accuracy "
              "possible is O(eps) in eps.",
    lhs=table_1_hf_maml_best_accuracy.lhs, relation=table_1_hf_maml_best_accuracy.relation,
    rhs=table_1_hf_maml_best_accuracy.rhs,
    lhs_words=table_1_hf_maml_best_accuracy.lhs_words + ", with rule (b)",
    preconditions=HYPOTHESES_B, definitions=theorem_h_1_iterations_corrected.definitions,
    settings={**table_1_hf_maml_best_accuracy.settings,
              **{k: v for k, v in theorem_h_1_iterations_corrected.settings.items() if k != "accuracy"}},
    algorithm="hf_maml", corrects=table_1_hf_maml_best_accuracy.id,
    reading=table_1_hf_maml_best_accuracy.reading,
)
