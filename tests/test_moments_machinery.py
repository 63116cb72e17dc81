"""The moment-bound checks' machinery: vectorised draws, case list, verdicts and controls."""
import numpy as np

from verify.evidence import Instance, Verdict
from verify.expectation import build_stat_family
from verify.moments import BIAS_DISPLAYS, MOMENT_CASES, MOMENT_CASES_BY_ID, draw, run_instance
from verify.pointwise import falsified


def test_draws_have_one_row_per_draw_and_task_and_match_the_algorithms():
    fam = build_stat_family("noisy-trigonometric", np.random.default_rng(0), 3, 2, 0.5, 0.5)
    w = np.array([0.1, -0.2, 0.3])
    d = draw(fam, w, 0.05, "hf_maml", 2, 3, 4, 7, np.random.default_rng(1), rho=fam.constants.rho.value)
    assert d.G.shape == d.v.shape == d.d_fd.shape == (7, 2, 3) and d.inv_delta_sq.shape == (7, 2)
    # HF-MAML's direction is v - alpha d, (10).
    assert np.allclose(d.G, d.v - 0.05 * d.d_fd)
    m = draw(fam, w, 0.05, "maml", 2, 3, 4, 5, np.random.default_rng(1))
    assert m.hess_factor_sq.shape == (5, 2) and np.all(m.hess_factor_sq > 0)


def test_bias_displays_are_listed_not_silently_dropped():
    assert not any(c.bound_id in BIAS_DISPLAYS for c in MOMENT_CASES)
    assert {"eq_80_maml_bias", "eq_140_hf_maml_bias"} <= BIAS_DISPLAYS


def test_a_falsified_moment_bound_is_caught():
    case = MOMENT_CASES_BY_ID["eq_89_maml_second_moment@regression"]
    inst = Instance(case.id, 3, dict(d=2, n=2, alpha_frac=1.0, batch_margin=0.0, spread=0.5, noise=0.5, scale=0.5))
    true = run_instance(case, inst, 1e-6)
    assert true.verdict is Verdict.HOLDS
    bad, _ = falsified(case.bound, true.ratio)
    assert run_instance(case, inst, 1e-6, bad).verdict is Verdict.VIOLATED
