"""Figure 2 of Appendix J: MAML, FO-MAML and HF-MAML on the rank-one factorisation (159), and its claims as inequalities.

Appendix J: f_i(x) = 1/4 ||x x' - g_i g_i'||_F^2 (159), g_i zero-mean Gaussian whose
variance sets task similarity (sigma), and Gaussian noise of variance sigma~^2 on the
gradients and Hessians (``NoisyFamily``).  Three panels:

  (a) exact gradients and Hessians (sigma~ = 0), 20 tasks, B = 20;
  (b) noisy gradients and Hessians, 50 tasks, B = 10, similar tasks (small variance of g_i);
  (c) as (b) with dissimilar tasks (large variance of g_i).

The paper's claims, each stated here as an inequality with a margin on the final level
(the mean of ||grad F(w_k)|| over the last ``TAIL`` of the iterations; exact grad F, (6)).
The claims, their margins, and the panels' task counts and B are the registry's
Bounds ``figure_2_a``, ``figure_2_b``, ``figure_2_c`` (bounds/figure_2/statement.py):

  (a), (c)  FO-MAML ends far above MAML and HF-MAML (its extra O(alpha sigma) term):
            level(FO-MAML) >= margin * max(level(MAML), level(HF-MAML));
  (b)       the three are close (the O(alpha sigma) term is negligible next to the noise):
            max_m level(m) - min_m level(m) <= margin * ||grad F(w_0)||.

Readings and choices (the paper gives no dimension, alpha, stepsize, batch sizes D or
iteration count; the margins are read in the registry).  "B equal to the number of tasks which is 20" in (a) is read as the
whole task set each iteration (``ALL_TASKS``: with exact oracles the direction is then
exact, which is what "focus on task variation" needs).  A fixed stepsize beta and alpha
are chosen relative to the curvature near the solution, ||g||^2, not the certified L of
the ball (3 R^2), which would make the figure's runs needlessly slow; HF-MAML uses
Theorem H.1's delta rule with rho certified on the ball.  The data batches of (b), (c)
have D_in = D_o = D_h = ``DATA_BATCH``.  The checks are deterministic per seed: a claim
holds when it holds for every seed (no confidence statement; it is the figure's
qualitative content, not a theorem).
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass

import numpy as np

from bounds import BOUNDS, Bound, Relation

from verify.model.algorithms import ALGORITHMS, run
from verify.model.errors import ALL_TASKS, EXACT
from verify.judge.evidence import Instance
from verify.model.families import Domain, Family, NoisyFamily, RankOneFamily
from verify.checks.pointwise import falsified
from verify.judge.cli import parse_replay

# The paper's task counts and task batches come from the registry; g_i's standard deviation
# per coordinate (task similarity) and the noise sigma~ are the suite's choices.
CLAIMS = {panel: BOUNDS[f"figure_2_{panel}"] for panel in ("a", "b", "c")}
_CHOICES = {"a": dict(g_std=1.0, noise=0.0), "b": dict(g_std=0.1, noise=0.3), "c": dict(g_std=1.0, noise=0.3)}


def _panel(panel: str) -> dict:
    st = CLAIMS[panel].settings
    if bool(st["noisy"]) != (_CHOICES[panel]["noise"] > 0):
        raise ValueError(f"Figure 2({panel}): the noise level disagrees with the registry's setting")
    words = "noisy gradients and Hessians" if st["noisy"] else "exact gradients and Hessians"
    similar = "" if not st["noisy"] else (", similar tasks" if st["similar_tasks"] else ", dissimilar tasks")
    # (a): "B equal to the number of tasks" is read as the whole task set (see below).
    B = ALL_TASKS if st["B"] == st["tasks"] else int(st["B"])
    return dict(tasks=int(st["tasks"]), B=B, **_CHOICES[panel],
                title=f"({panel}) {words}, {st['tasks']} tasks, B = {st['B']}{similar}")


PANELS = {panel: _panel(panel) for panel in CLAIMS}
DIMENSION = 5
ALPHA = 0.1
BETA = 0.05
DATA_BATCH = 4
# The certified ball: iterates stay near ||g_i||, well inside it (a run that leaves it is recorded).
RADIUS = 4.0
# Final level: mean over this fraction of the last iterations (the noisy panels fluctuate).
TAIL = 0.1
LABELS = {"maml": "MAML", "fo_maml": "FO-MAML", "hf_maml": "HF-MAML"}


def build_panel_family(panel: str, rng: np.random.Generator, d: int = DIMENSION) -> Family:
    spec = PANELS[panel]
    g = spec["g_std"] * rng.standard_normal((spec["tasks"], d))
    fam = RankOneFamily(g, Domain.ball(RADIUS))
    if spec["noise"] > 0:
        fam = NoisyFamily(fam, spec["noise"], spec["noise"])
    fam.name = "rank-one" if spec["noise"] == 0 else "noisy-rank-one"
    return fam


@dataclass
class PanelRun:
    panel: str
    seed: int
    curves: dict  # algorithm -> ||grad F(w_k)||, k = 0..iterations
    outcomes: dict

    def level(self, algorithm: str) -> float:
        x = self.curves[algorithm]
        return float(np.mean(x[-max(1, int(round(TAIL * len(x)))):]))

    @property
    def start(self) -> float:
        return float(self.curves["maml"][0])


def run_panel(panel: str, seed: int, iterations: int, d: int = DIMENSION) -> PanelRun:
    """One seed of one panel: the three methods from one w0, each with its own generator from (seed, method)."""
    spec = PANELS[panel]
    rng = np.random.default_rng(seed)
    fam = build_panel_family(panel, rng, d)
    w0 = rng.standard_normal(d) / np.sqrt(d)
    D = EXACT if spec["noise"] == 0 else DATA_BATCH
    curves, outcomes = {}, {}
    for j, alg in enumerate(ALGORITHMS):
        # alpha is chosen against the curvature near the solution, not the certified L = 3 R^2 of the
        # ball (module docstring; the paper gives no alpha): alpha L >= 4.8 on purpose.  Figure 2
        # is a qualitative claim, not a theorem whose hypotheses alpha must meet; the trace records it.
        tr = run(alg, fam, w0, ALPHA, iterations, rng=np.random.default_rng([seed, j]), B=spec["B"], D_in=D,
                 D_o=D, D_h=D, beta=BETA, delta="theorem_h_1" if alg == "hf_maml" else None,
                 allow_outside_hypotheses=True)
        curves[alg], outcomes[alg] = tr.grad_F_norm, tr.outcome
    return PanelRun(panel, seed, curves, outcomes)


def claim_values(r: PanelRun) -> dict:
    """The registry's left- and right-hand-side quantities of Figure 2's claims, measured on one seed."""
    levels = [r.level(a) for a in ALGORITHMS]
    return {"maml_final_level": r.level("maml"), "fo_maml_final_level": r.level("fo_maml"),
            "hf_maml_final_level": r.level("hf_maml"), "spread_of_final_levels": max(levels) - min(levels),
            "start_grad_F_norm": r.start}


def claim_ratio(r: PanelRun, panel: str, bound: Bound | None = None) -> float:
    """The panel's claim (the registry's Bound, or ``bound``, a falsified one) as a ratio: <= 1 when it holds."""
    b = CLAIMS[panel] if bound is None else bound
    values = claim_values(r)
    lhs, rhs = float(b.lhs_value(values)), float(b.rhs_value(values))
    if b.relation is Relation.GE:
        return np.inf if lhs <= 0 else rhs / lhs
    if b.relation is Relation.LE:
        return lhs / rhs if rhs > 0 else (0.0 if lhs <= 0 else np.inf)
    raise ValueError(f"{b.id}: a Figure 2 claim is an inequality, not {b.relation.value}")


def claim_text(panel: str, bound: Bound | None = None) -> str:
    b = CLAIMS[panel] if bound is None else bound
    return f"{b.lhs} {b.relation.value} {b.rhs}"


def control_bound(panel: str, ratios: list[float]) -> tuple[Bound, str]:
    """The negative control: the claim with its margin moved past what every seed showed, by a factor 2."""

    return falsified(CLAIMS[panel], max(ratios))


def plot_panel(runs: list[PanelRun], panel: str):
    """||grad F(w_k)|| of the three methods: the first seed solid, the others faint."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5.2, 3.4))
    ax = fig.add_subplot()
    colours = {"maml": "tab:blue", "fo_maml": "tab:red", "hf_maml": "tab:green"}
    styles = {"maml": "-", "fo_maml": "-", "hf_maml": "--"}
    for n, r in enumerate(runs):
        for alg in ALGORITHMS:
            ax.semilogy(r.curves[alg], styles[alg], color=colours[alg], lw=1.4 if n == 0 else 0.6,
                        alpha=1.0 if n == 0 else 0.35, label=LABELS[alg] if n == 0 else None)
    ax.set_xlabel("iteration k")
    ax.set_ylabel("||grad F(w_k)||")
    ax.set_title(PANELS[panel]["title"], fontsize=8)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def main(argv: list[str] | None = None) -> int:
    """Replay one seed of a panel: ``python -m verify.checks.figure_2 '<instance JSON>'``; prints the levels and the claim."""

    argv = sys.argv[1:] if argv is None else argv
    inst = parse_replay("python -m verify.checks.figure_2", main.__doc__, argv).instance
    panel = inst.params["panel"]
    r = run_panel(panel, inst.seed, int(inst.params["iterations"]))
    ratio = claim_ratio(r, panel)
    levels = ", ".join(f"{LABELS[a]} {r.level(a):.4g}" for a in ALGORITHMS)
    print(f"Figure 2({panel}) seed {inst.seed}: levels {levels}; ||grad F(w0)|| {r.start:.4g}; claim "
          f"{claim_text(panel)}: ratio {ratio:.4g} ({'holds' if ratio <= 1 else 'violated'}); outcomes {r.outcomes}")
    return 0 if ratio <= 1 else 1


def replay_command(inst: Instance) -> str:
    return f"python -m verify.checks.figure_2 '{json.dumps({'check': inst.check, 'seed': inst.seed, 'params': inst.params}, sort_keys=True)}'"


if __name__ == "__main__":
    raise SystemExit(main())
