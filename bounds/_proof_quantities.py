"""Left-hand-side quantities shared by the proofs of Theorems F.1, G.1 and H.1.

G_i(w_k) is the per-task direction of the algorithm the Bound names (``algorithm``):
MAML's (I - alpha grad~^2 f_i(w_k, D_h)) grad~ f_i(w_k - alpha grad~ f_i(w_k, D_in), D_o),
FO-MAML's grad~ f_i(w_k - alpha grad~ f_i(w_k, D_in), D_o), HF-MAML's
grad~ f_i(...) - alpha d_i^k of (10)-(11).  Expectations are over the task i ~ p and
all data batches of one iteration, conditioned on w_k (F_k).
"""
from ._symbols import DIMENSIONLESS, GRADIENT, LOSS, declare_quantity

direction_bias_norm = declare_quantity(
    "direction_bias_norm", "||E[G_i(w_k)] - grad F(w_k)||: ||r_k|| in (79)-(81), (111)-(118); ||s_k|| in (139)-(140)",
    r"\|\mathbb{E}[G_i(w_k)]-\nabla F(w_k)\|", GRADIENT, text="‖𝔼[Gᵢ(w_k)] − ∇F(w_k)‖")
mean_direction_norm = declare_quantity(
    "mean_direction_norm", "||E[G_i(w_k)]||", r"\|\mathbb{E}[G_i(w_k)]\|", GRADIENT, text="‖𝔼[Gᵢ(w_k)]‖")
direction_second_moment = declare_quantity(
    "direction_second_moment", "E||G_i(w_k)||^2", r"\mathbb{E}\|G_i(w_k)\|^2", (2, -2), text="𝔼‖Gᵢ(w_k)‖²")
expected_F_change = declare_quantity(
    "expected_F_change", "E[F(w_{k+1}) | F_k] - F(w_k): the expected change of F over one iteration",
    r"\mathbb{E}[F(w_{k+1})\mid\mathcal{F}_k]-F(w_k)", LOSS, nonnegative=False,
    text="𝔼[F(w_{k+1}) | ℱ_k] − F(w_k)")
best_expected_grad_F_norm = declare_quantity(
    "best_expected_grad_F_norm",
    "min over k <= T of E||grad F(w_k)||, the expectation over independent runs",
    r"\min_{k\le T}\mathbb{E}\|\nabla F(w_k)\|", GRADIENT, text="min_{k≤T} 𝔼‖∇F(w_k)‖")
iterations_to_accuracy = declare_quantity(
    "iterations_to_accuracy", "the first k at which E||grad F(w_k)|| meets the theorem's accuracy bound",
    r"\min\{k : \mathbb{E}\|\nabla F(w_k)\| \le \text{bound}\}", DIMENSIONLESS,
    text="min{k : 𝔼‖∇F(w_k)‖ ≤ bound}")
