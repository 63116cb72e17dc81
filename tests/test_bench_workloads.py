"""The benchmark machinery (benchmarks/): its MAML with explicit Hessians, its families, its counters and its gate."""
from __future__ import annotations

import numpy as np
import pytest

from benchmarks import speed_gate
from verify.checks.workloads import (
    DenseQuadraticTasks,
    RankOneTasks,
    fit_exponent,
    infeasible,
    oracle_floats,
    peak_bytes,
    workload,
)
from verify.model.algorithms import maml_direction
from verify.model.families import RankOneFamily
from verify.model.families.base import spectral_norm


@pytest.mark.parametrize("family", ["rank-one", "quadratic"])
def test_explicit_hessian_maml_is_the_maml_update(family):
    wl = workload(family, 5, 7, seed=3)
    expected = wl.w - wl.beta * maml_direction(wl.family, wl.w, wl.alpha, wl.batches()).vector
    np.testing.assert_allclose(wl.iteration("maml")(), expected, rtol=1e-13, atol=1e-15)
    # Negative control: FO-MAML's update is a different number on these tasks.
    assert not np.allclose(wl.iteration("fo_maml")(), expected, rtol=1e-13, atol=1e-15)


def test_dense_quadratic_tasks_have_the_declared_spectrum():
    fam = DenseQuadraticTasks.at(4, 9, seed=5)
    assert np.allclose(fam.A, np.swapaxes(fam.A, 1, 2))
    assert spectral_norm(fam.A).max() == pytest.approx(fam.constants.L.value, rel=1e-12)
    assert fam.constants.sigma.value == np.inf  # the A_i differ: sigma is infinite on R^d


def test_rank_one_tasks_certify_what_the_general_family_certifies():
    fast = RankOneTasks.at(6, 5, seed=2)
    general = RankOneFamily(fast.g, fast.domain)
    assert fast.constants.L.value == general.constants.L.value
    assert fast.constants.rho.value == general.constants.rho.value
    # sigma is an upper bound of the exact trust-region value, not the value itself.
    assert fast.constants.sigma.value >= general.constants.sigma.value * (1 - 1e-12)


def test_rank_one_hvp_never_forms_a_hessian():
    d = 4096
    fam = RankOneTasks.at(1, d, seed=0)
    w, v = np.full(d, 0.01), np.ones(d)
    peak = peak_bytes(lambda: fam.hvp(w, v))
    assert peak < 64 * 8 * d < 8 * d * d  # tens of vectors, not one d x d matrix


def test_infeasible_combinations_say_why():
    assert "512.0 GiB" in infeasible("quadratic", 256, 16384)
    assert "Hessian" in infeasible("hessian", 1, 16384)
    assert infeasible("hessian", 64, 4096) is None
    assert infeasible("gradient", 256, 16384) is None


def test_oracle_floats_counts_what_the_oracles_return_and_restores_them():
    wl = workload("rank-one", 3, 11)
    assert oracle_floats(wl.family, wl.iteration("fo_maml")) == 2 * 3 * 11
    assert oracle_floats(wl.family, wl.iteration("hf_maml")) == 4 * 3 * 11
    assert oracle_floats(wl.family, wl.iteration("maml")) == 2 * 3 * 11 + 3 * 11 * 11
    assert "_gradient" not in vars(wl.family)


def test_fit_exponent_recovers_a_power_law_and_its_interval_covers_noise():
    dims = np.array([256, 512, 1024, 2048])
    exact = fit_exponent(dims, (3e-9 * dims ** 2.0)[None, :], top=3)
    assert exact.exponent == pytest.approx(2.0) and exact.lower == pytest.approx(exact.upper)
    rng = np.random.default_rng(0)
    noisy = 1e-6 * dims ** 1.0 * np.exp(0.05 * rng.standard_normal((15, 4)))
    fit = fit_exponent(dims, noisy, top=4)
    assert fit.lower <= 1.0 <= fit.upper and fit.upper - fit.lower < 0.2


def test_speed_gate_thresholds_name_real_workloads():
    import tomllib

    entries = tomllib.loads(speed_gate.THRESHOLDS.read_text())
    assert entries
    for name, e in entries.items():
        assert ("max" in e) != ("min" in e), name
        wl = workload(e["family"], 2, 8)
        speed_gate._thunk(wl, e["numerator"])()
        speed_gate._thunk(wl, e["denominator"])()


def test_speed_gate_fails_on_a_crossed_threshold(tmp_path, capsys, monkeypatch):
    # The gate tunes the allocator of its own process; not of the pytest process.
    monkeypatch.setattr(speed_gate, "keep_freed_memory", lambda: False)
    path = tmp_path / "gate.toml"
    path.write_text('[impossible]\nwhat = "a gradient cannot cost 1000 of itself"\nnumerator = "gradient"\n'
                    'denominator = "gradient"\nfamily = "rank-one"\ntasks = 2\nd = 8\nmin = 1000.0\n')
    assert speed_gate.main(["--thresholds", str(path)]) == 1
    assert "FAIL  impossible" in capsys.readouterr().out
    (tmp_path / "bad.toml").write_text("not toml [")
    assert speed_gate.main(["--thresholds", str(tmp_path / "bad.toml")]) == 2
