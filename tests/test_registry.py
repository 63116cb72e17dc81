"""The registry's own integrity: what bounds/ declares is well-formed, evaluates right, and cites the paper."""
import math
import re
from fractions import Fraction
from pathlib import Path
from xml.dom.minidom import parseString

import numpy as np
import pytest
import sympy as sp

import bounds
from bounds import BOUNDS, Bound, BoundError, Kind, PreconditionFailed, Relation, evaluate, symbols

ROOT = Path(__file__).resolve().parents[1]

SCALAR_BOUNDS = [b for b in BOUNDS.values() if not b.is_matrix]


def _ids(bs):
    return [b.id for b in bs]


# ---------------------------------------------------------------- structure

def test_registry_keys_are_the_bound_ids():
    assert all(key == b.id for key, b in BOUNDS.items())
    assert len({b.id for b in BOUNDS.values()}) == len(BOUNDS)


def test_registry_is_read_only():
    with pytest.raises(TypeError):
        BOUNDS["x"] = BOUNDS["lemma_4_8"]  # type: ignore[index]


@pytest.mark.parametrize("bound", list(BOUNDS.values()), ids=_ids(BOUNDS.values()))
def test_every_bound_is_complete(bound: Bound):
    assert bound.reference and bound.equations
    assert bound.statement and bound.lhs_words
    assert isinstance(bound.kind, Kind) and isinstance(bound.relation, Relation)
    assert bound.module.startswith("bounds.") and bound.module.split(".")[1][0] != "_"
    # Every symbol comes from the one shared table (matrix symbols of Appendix I aside).
    for s in bound.symbols:
        assert isinstance(s, sp.MatrixSymbol) or s.name in symbols.TABLE
    # A result module's docstring quotes the statement with its equation numbers.
    doc = __import__(bound.module, fromlist=["_"]).__doc__
    assert doc and any(f"({eq})" in doc for eq in bound.equations), bound.module


@pytest.mark.parametrize("bound", list(BOUNDS.values()), ids=_ids(BOUNDS.values()))
def test_every_bound_renders_to_latex_and_well_formed_mathml(bound: Bound):
    assert bound.to_latex()
    doc = parseString(bound.to_mathml())
    assert doc.documentElement.tagName == "math"
    assert doc.documentElement.getAttribute("xmlns") == "http://www.w3.org/1998/Math/MathML"
    assert doc.getElementsByTagName("mo"), "a statement renders with at least its relation"
    for markup in bounds.precondition_mathml(bound):
        parseString(markup)


def test_symbol_table_renders_and_refuses_duplicates():
    for row in symbols.TABLE.values():
        parseString(f'<math xmlns="http://www.w3.org/1998/Math/MathML">{row.mathml}</math>')
        assert row.latex and row.description
    with pytest.raises(ValueError, match="declared twice"):
        symbols.declare_quantity("grad_F_norm", "again", "x", symbols.GRADIENT)


def test_a_precondition_decided_by_the_assumptions_is_refused():
    with pytest.raises(BoundError, match="cannot refuse anything"):
        bounds.Precondition("vacuous", symbols.L > 0)


def test_a_bound_citing_no_equation_is_refused():
    with pytest.raises(BoundError, match="names no equation"):
        Bound(id="x", reference="Lemma 4.8", kind=Kind.POINTWISE, statement="s", lhs=symbols.L,
              relation=Relation.LE, rhs=symbols.L, lhs_words="w")


# ---------------------------------------------------------------- the paper

REQUIRED_EQUATIONS = (
    "9 30a 30b 44 46 15 31 16 17 18 19 20 21 22 33 34 35a 35b 36 37 76 77 105 106 107 124 125 25 27 151 "
    "80 81 82 84 85 86 87 88 89 112 115 116 117 118 119 121 122 139 140 141 142 143 144 145 146 147 148 149 "
    "93 123 150 154 156 157 158"
).split()
# Displays in the required ranges that are definitions or rewritings rather than results,
# with where their content is checked.
NOT_SEPARATE_RESULTS = {
    "83": "the factorisation of E||G_i||^2 over independent batches, inside (85)",
    "113": "the Neumann series, inside the left side of (115)",
    "114": "(111) rewritten with (113), inside (115)",
    "120": "the definition of FO-MAML's G_i",
}


def _cited() -> set[str]:
    cited = set()
    for b in BOUNDS.values():
        cited.update(b.equations)
        for p in b.preconditions:
            cited.update(re.findall(r"\((\d+[a-z]?)\)", p.source))
        for dfn in b.definitions:
            cited.update(re.findall(r"\((\d+[a-z]?)\)", dfn.source))
        cited.update(re.findall(r"\((\d+[a-z]?)\)", b.reference))
    for ref in (b.reference for b in BOUNDS.values()):
        for lo, hi in re.findall(r"\((\d+)\)-\((\d+)\)", ref):
            cited.update(str(k) for k in range(int(lo), int(hi) + 1))
    return cited


def test_every_required_result_is_registered():
    missing = [eq for eq in REQUIRED_EQUATIONS if eq not in _cited()]
    assert not missing, f"equations with no Bound: {missing}"
    table = [b for b in BOUNDS.values() if b.reference.startswith("Table 1") and not b.corrects]
    assert len(table) == 15, "Table 1: three methods times five columns (the erratum's corrected cells aside)"
    assert set(NOT_SEPARATE_RESULTS).isdisjoint(REQUIRED_EQUATIONS)


def test_every_cited_equation_number_occurs_in_the_paper(paper_text):
    labels = set(re.findall(r"\((\d+[a-z]?)\)", paper_text))
    for b in BOUNDS.values():
        for eq in b.equations:
            assert eq in labels, f"{b.id}: ({eq}) does not occur in the paper"
        head = re.match(r"(Lemma|Theorem|Corollary|Table) ([A-Z]?[\d.]*[\dA-Z])", b.reference)
        if head:
            assert f"{head.group(1)} {head.group(2)}" in paper_text, f"{b.id}: {head.group(0)} not in the paper"


# ---------------------------------------------------------------- hand-computed values

# (bound id, instance, right-hand side computed by hand).  Per-task quantities are lists.
HAND_COMPUTED = [
    ("eq_9_finite_difference_hvp", dict(rho=2, delta=0.5, norm_v=3, fd_hvp_error=0), 9.0),
    ("eq_30a_hessian_bounded", dict(L=2.5, hessian_norm=1), 2.5),
    ("eq_30b_descent_lemma", dict(L=2, norm_w_minus_u=3, descent_gap_fi=0), 9.0),
    ("eq_44_inner_step_lipschitz", dict(L=2, alpha=0.25, norm_w_minus_u=2, inner_step_grad_diff_norm=[0]), 6.0),
    ("lemma_4_8", dict(L=1, rho=2, alpha=0.5, grad_fi_norm_w=[1, 3], grad_fi_norm_u=[0, 0], norm_w_minus_u=0.1,
                       grad_F_diff_norm=0), 0.4),
    ("corollary_a_1", dict(L=1, rho=1, alpha=1, grad_fi_norm_w=[2], norm_w_minus_u=3, F_descent_gap=0), 36.0),
    ("lemma_4_9_first_moment", dict(L=1, rho=1, alpha=0.5, grad_fi_norm_w=[2, 4], sigma=2, sigma_tilde=1,
                                    B_prime=1, D_beta=1, E_beta_tilde=0.1), 0.8 / 7),
    ("lemma_4_9_second_moment", dict(L=1, rho=1, alpha=0.5, grad_fi_norm_w=[2, 4], sigma=2, sigma_tilde=1,
                                     B_prime=1, D_beta=1, E_beta_tilde_sq=0.1), 3.125 / 49),
    ("lemma_4_10_bias", dict(alpha=0.5, L=1, sigma_tilde=2, D_in=4, bias_norm=[0]), 0.5),
    ("lemma_4_10_second_moment", dict(phi=1, grad_fi_inner_norm=[3], alpha=0.5, L=1, sigma_tilde=2, D_in=4, D_o=2,
                                      outer_grad_second_moment=[0]), 20.5),
    ("theorem_4_11", dict(alpha=0.5, L=1, sigma_tilde=2, D_test=4, sigma_H=3, grad_F_hat_error=0), 1.375),
    ("lemma_a_3_gradient_of_f", dict(alpha=0.2, L=1, grad_F_norm=2, sigma=1, grad_f_norm=0), 2.44 / 0.56),
    ("lemma_a_3_task_gradient_second_moment", dict(alpha=0.2, L=1, grad_F_norm=1, sigma=1, grad_Fi_norm=[0]),
     (2.88 + 1.44 * 0.7008) / 0.3136),
    ("theorem_f_1_accuracy", dict(sigma=1, sigma_tilde=0, B=20, D_o=1, D_in=1, rho=0, alpha=0.1, L=1, epsilon=0.1,
                                  D_h=1, sigma_H=0, B_prime=1, D_beta=1, best_expected_grad_F_norm=0),
     math.sqrt(3.05)),
    ("theorem_f_1_iterations", dict(Delta=2, L=1, rho=0, alpha=0.1, sigma=1, epsilon=0.1, sigma_tilde=0, D_h=1,
                                    sigma_H=0, B=20, B_prime=1, D_beta=1, iterations_to_accuracy=0), 320000.0),
    ("theorem_g_1_accuracy", dict(sigma=1, sigma_tilde=0, B=20, D_o=1, D_in=1, rho=0, alpha=0.1, L=1, epsilon=0.1,
                                  D_h=1, sigma_H=0, B_prime=1, D_beta=1, best_expected_grad_F_norm=0),
     math.sqrt(3.5)),
    ("theorem_h_1_accuracy", dict(sigma=1, sigma_tilde=0, B=20, D_o=1, D_in=1, rho=0, alpha=0.1, L=1, epsilon=0.1,
                                  D_h=1, B_prime=1, D_beta=1, best_expected_grad_F_norm=0), 6 * math.sqrt(0.05)),
    ("eq_81_maml_bias_numeric", dict(sigma_tilde=2, D_in=4, alpha=0.1, L=1, D_h=1, sigma_H=0,
                                     direction_bias_norm=0), 0.2),
    ("eq_89_maml_second_moment", dict(grad_F_norm=1, sigma=1, sigma_tilde=1, D_o=2, D_in=3, alpha=0.1, L=1,
                                      D_h=1, sigma_H=0, direction_second_moment=0), 40 + 14 + 1 + 1 / 18),
    ("eq_149_hf_maml_second_moment", dict(grad_F_norm=1, sigma=1, sigma_tilde=1, D_o=2, D_in=3, alpha=0.1, L=1,
                                          rho=0.1, D_h=1, direction_second_moment=0), 50 + 18 + 5 * (1 / 3 + 1 / 2)),
    ("eq_140_hf_maml_bias", dict(rho=1, alpha=0.1, L=1, grad_F_norm=1, sigma_tilde=2, D_in=4, D_h=2,
                                 direction_bias_norm=0), (1 / 6) / 0.9 + (1.1 + 1 / 6) * 0.1),
    ("table_1_maml_runtime", dict(d=4, runtime_per_iteration=1), 16.0),
]


@pytest.mark.parametrize("bound_id,values,expected", HAND_COMPUTED, ids=[h[0] for h in HAND_COMPUTED])
def test_right_hand_side_matches_the_hand_computed_value(bound_id, values, expected):
    values = {k: np.asarray(v, dtype=float) if isinstance(v, list) else v for k, v in values.items()}
    assert BOUNDS[bound_id].rhs_value(values) == pytest.approx(expected, rel=1e-12)


def test_hand_computed_values_cover_every_kind_of_scalar_statement():
    kinds = {BOUNDS[h[0]].kind for h in HAND_COMPUTED}
    assert {Kind.POINTWISE, Kind.EXPECTATION, Kind.CONVERGENCE, Kind.SCALING} <= kinds


@pytest.mark.parametrize("bound", SCALAR_BOUNDS, ids=_ids(SCALAR_BOUNDS))
def test_every_scalar_bound_evaluates_to_a_finite_number_where_admitted(bound: Bound):
    """A generic admitted point: alpha L = 0.05 and generous batches satisfy every hypothesis of the paper."""
    values = {}
    for s in bound.inputs:
        row = symbols.info(s)
        if row.name == "alpha":
            values["alpha"] = 0.05
        elif row.integer:
            values[row.name] = 10 ** 6
        elif row.role == "per_task":
            values[row.name] = np.array([0.5, 1.5, 1.0]) if row.nonnegative else np.array([0.5, 1.5, 1.0])
        else:
            values[row.name] = 1.0
    if "K_1" in values:
        values["K_1"] = values["K_2"] = 1e3
    assert bound.admits(values), [p.name for p in bound.failed_preconditions(values)]
    rhs = bound.rhs_value(values)
    assert np.all(np.isfinite(rhs))
    assessment = bound.assess(values)
    assert assessment.status == "evaluated"


# ---------------------------------------------------------------- preconditions

def _admits(bound_id, **values):
    values = {k: np.asarray(v, dtype=float) if isinstance(v, list) else v for k, v in values.items()}
    return BOUNDS[bound_id].admits(values)


F1 = dict(sigma=1, sigma_tilde=1, B=20, D_o=1, D_in=1, rho=1, alpha=0.1, L=1, epsilon=0.1, D_h=1, sigma_H=1,
          B_prime=1, D_beta=1, best_expected_grad_F_norm=0)


def test_theorem_f_1_hypotheses_accept_and_refuse_the_right_points():
    assert _admits("theorem_f_1_accuracy", **F1)
    assert _admits("theorem_f_1_accuracy", **{**F1, "alpha": 1 / 6})  # the end point alpha = 1/(6L)
    assert _admits("theorem_f_1_accuracy", **{**F1, "alpha": 1 / 18, "L": 3.0})
    assert not _admits("theorem_f_1_accuracy", **{**F1, "alpha": float(np.nextafter(1 / 6, 1))})
    assert not _admits("theorem_f_1_accuracy", **{**F1, "alpha": 0.0})
    assert not _admits("theorem_f_1_accuracy", **{**F1, "B": 19})
    # D_h >= ceil(2 alpha^2 sigma_H^2) = 2 when alpha = 0.1, sigma_H = 10.
    assert not _admits("theorem_f_1_accuracy", **{**F1, "sigma_H": 10, "D_h": 1})
    assert _admits("theorem_f_1_accuracy", **{**F1, "sigma_H": 10, "D_h": 2})
    # (18): B' >= ceil(0.5 (rho alpha sigma / L)^2) = 2 when rho alpha sigma / L = 2.
    assert not _admits("theorem_f_1_accuracy", **{**F1, "rho": 20, "B_prime": 1, "D_beta": 100})
    assert _admits("theorem_f_1_accuracy", **{**F1, "rho": 20, "B_prime": 2, "D_beta": 100})


def test_theorem_h_1_hessian_batch_condition():
    h1 = {k: v for k, v in F1.items() if k != "sigma_H"}
    # D_h >= ceil(36 (alpha rho sigma~)^2) = 36 when alpha rho sigma~ = 1.
    assert not _admits("theorem_h_1_accuracy", **{**h1, "sigma_tilde": 10, "D_h": 35, "D_beta": 10 ** 4})
    assert _admits("theorem_h_1_accuracy", **{**h1, "sigma_tilde": 10, "D_h": 36, "D_beta": 10 ** 4})


def test_alpha_ranges_of_the_lemmas():
    a3 = dict(L=1, grad_F_norm=1, sigma=1, grad_f_norm=0)
    assert _admits("lemma_a_3_gradient_of_f", alpha=0.414, **a3)
    assert not _admits("lemma_a_3_gradient_of_f", alpha=0.4143, **a3)
    l48 = dict(L=2, rho=1, grad_fi_norm_w=[1], grad_fi_norm_u=[1], norm_w_minus_u=1, grad_F_diff_norm=0)
    assert _admits("lemma_4_8", alpha=0.5, **l48) and _admits("lemma_4_8", alpha=0.0, **l48)
    assert not _admits("lemma_4_8", alpha=0.51, **l48)


def test_per_task_hypotheses_must_hold_for_every_task():
    ok = dict(alpha=0.1, L=2, d=2, eig_min_A=[0.5, 1.0], norm_A=[1.0, 2.0])
    assert _admits("appendix_i_w_star", **ok)
    assert not _admits("appendix_i_w_star", **{**ok, "eig_min_A": [0.5, -0.5]})
    assert not _admits("appendix_i_w_star", **{**ok, "norm_A": [1.0, 2.5]})


def test_outside_the_hypotheses_evaluation_raises_naming_the_hypothesis():
    values = {**F1, "B": 19}
    with pytest.raises(PreconditionFailed) as info:
        BOUNDS["theorem_f_1_accuracy"].rhs_value(values)
    assert "'B >= 20'" in str(info.value) and "B=19" in str(info.value)
    assert info.value.failed[0].name == "B >= 20"
    outcome = BOUNDS["theorem_f_1_accuracy"].assess(values)
    assert outcome.status == "precondition_failed" and outcome.ratio is None and outcome.lhs is None


def test_exact_recheck_at_the_end_point_decides_on_the_float_actually_given():
    # 3 * nextafter(1/3, 1) rounds to 1.0 in floats but exceeds 1 exactly.
    alpha = float(np.nextafter(1 / 3, 1))
    assert 3 * alpha == 1.0 and Fraction(alpha) * 3 > 1
    l48 = dict(L=3, rho=1, grad_fi_norm_w=[1], grad_fi_norm_u=[1], norm_w_minus_u=1, grad_F_diff_norm=0)
    assert not _admits("lemma_4_8", alpha=alpha, **l48)
    assert _admits("lemma_4_8", alpha=1 / 3, **l48)


def test_vectorised_hypotheses_give_one_verdict_per_instance():
    values = dict(L=1.0, rho=1.0, alpha=np.array([0.1, 1.0, 1.5]), grad_fi_norm_w=np.array([1.0]),
                  grad_fi_norm_u=np.array([1.0]), norm_w_minus_u=np.array([1.0, 1.0, 1.0]),
                  grad_F_diff_norm=np.zeros(3))
    mask = BOUNDS["lemma_4_8"].precondition_mask(values)
    assert mask["alpha L <= 1"].tolist() == [True, True, False]


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("name,value,message", [
    ("alpha", float("nan"), "alpha = nan is not a finite number"),
    ("L", float("inf"), "L = inf is not a finite number"),
    ("D_in", 0, "D_in = 0 must be positive"),
    ("D_in", 2.5, "D_in = 2.5 must be an integer"),
    ("sigma_tilde", -1.0, "sigma_tilde = -1.0 must be nonnegative"),
])
def test_bad_values_are_refused_with_the_parameters_name(name, value, message):
    values = dict(alpha=0.5, L=1, sigma_tilde=2, D_in=4, bias_norm=np.array([0.0]))
    values[name] = value
    with pytest.raises(BoundError, match=re.escape(message)):
        BOUNDS["lemma_4_10_bias"].rhs_value(values)


def test_missing_values_are_named():
    with pytest.raises(BoundError, match=r"missing values for \['D_in'\]"):
        BOUNDS["lemma_4_10_bias"].rhs_value(dict(alpha=0.5, L=1, sigma_tilde=2, bias_norm=np.array([0.0])))


def test_task_weights_must_be_a_distribution():
    values = dict(L=1, rho=2, alpha=0.5, grad_fi_norm_w=np.array([1.0, 3.0]), grad_fi_norm_u=np.array([0.0, 0.0]),
                  norm_w_minus_u=0.1, grad_F_diff_norm=0)
    with pytest.raises(BoundError, match="sum to 1"):
        BOUNDS["lemma_4_8"].rhs_value(values, task_weights=[0.5, 0.6])
    # Weighted: E_i||grad f_i(w)|| = 0.25*1 + 0.75*3 = 2.5, L(w) = 4 + 2*2*0.5*2.5 = 9, L(u) = 4.
    assert BOUNDS["lemma_4_8"].rhs_value(values, task_weights=[0.25, 0.75]) == pytest.approx(0.4)
    values["grad_fi_norm_u"] = np.array([10.0, 10.0])
    assert BOUNDS["lemma_4_8"].rhs_value(values, task_weights=[0.25, 0.75]) == pytest.approx(0.9)


# ---------------------------------------------------------------- assessments

def test_assessment_ratio_is_above_one_exactly_when_violated():
    le = BOUNDS["eq_30a_hessian_bounded"]
    assert le.assess(dict(L=2.0, hessian_norm=1.0)).ratio == pytest.approx(0.5)
    assert le.assess(dict(L=2.0, hessian_norm=3.0)).ratio == pytest.approx(1.5)
    ge = BOUNDS["lemma_4_9_first_moment"]
    values = dict(L=1, rho=1, alpha=0.5, grad_fi_norm_w=np.array([2.0, 4.0]), sigma=2, sigma_tilde=1, B_prime=1,
                  D_beta=1)
    assert ge.assess({**values, "E_beta_tilde": 0.2}).ratio == pytest.approx((0.8 / 7) / 0.2)
    assert ge.assess({**values, "E_beta_tilde": 0.05}).ratio > 1


def test_for_every_task_statements_report_the_worst_task():
    b = BOUNDS["eq_46_inner_step_gradient_growth"]
    out = b.assess(dict(alpha=0.25, L=2, grad_fi_norm_w=np.array([1.0, 4.0]), grad_fi_inner_norm=np.array([1.0, 7.0])))
    assert out.worst_task == 1 and out.lhs == 7.0 and out.rhs == 6.0 and out.ratio > 1


def test_the_lemma_a_3_counterexample_evaluates_as_a_violation():
    """Two concave quadratic tasks f_i = -L/2 w^2 + b_i w, b = +-1, at w = 0 with alpha L = 0.1:
    grad F_i = (1 + alpha L)^2 b_i, grad F = 0, sigma = 1 (the machinery only; the check is verify's)."""
    a, L = 0.1, 1.0
    out = BOUNDS["lemma_a_3_task_gradient_second_moment"].assess(
        dict(alpha=a, L=L, grad_Fi_norm=np.array([(1 + a * L) ** 2] * 2), grad_F_norm=0.0, sigma=1.0))
    assert out.lhs == pytest.approx(1.1 ** 4) and out.ratio > 1


def test_evaluate_a_registry_expression():
    from bounds.lemma_4_9.statement import BETA_TILDE_EXPANDED
    v = evaluate(BETA_TILDE_EXPANDED, dict(L=1.0, rho=1.0, alpha=0.5, batch_grad_norm=np.array([1.0, 3.0])))
    assert v == pytest.approx(1 / 6)
    with pytest.raises(BoundError, match="missing values"):
        evaluate(BETA_TILDE_EXPANDED, dict(L=1.0))


def test_settings_carry_the_algorithms_constants():
    assert BOUNDS["theorem_f_1_accuracy"].settings["stepsize_factor"] == sp.Rational(1, 12)
    assert BOUNDS["theorem_g_1_accuracy"].settings["stepsize_factor"] == sp.Rational(1, 18)
    assert BOUNDS["theorem_h_1_accuracy"].settings["stepsize_factor"] == sp.Rational(1, 25)
    rule = BOUNDS["theorem_h_1_accuracy"].settings["delta_rule"]
    assert evaluate(rule, dict(rho=2.0, alpha=0.25, outer_grad_sample_norm=np.array([3.0]))) == pytest.approx(
        [1 / (6 * 2 * 0.25 * 3)])


def test_where_finds_a_result_by_its_equation_number_in_one_hop():
    from bounds.where import file_of, find

    assert [(file_of(b), b.id) for b in find("(84)")] == [
        ("bounds/theorem_f_1/corrected.py", "eq_84_hessian_factor_corrected"),
        ("bounds/theorem_f_1/displays.py", "eq_84_hessian_factor")]
    # A range in a reference covers the numbers inside it, and a result's name finds its files.
    assert {b.id for b in find("Lemma 4.8")} >= {"lemma_4_8"}
    assert find("(999)") == []
    for b in BOUNDS.values():  # every Bound's file exists where ``where`` says
        assert (ROOT / file_of(b)).is_file(), b.id


def test_every_result_is_a_package_of_statement_displays_and_arithmetic():
    for b in BOUNDS.values():
        top, result, module = b.module.split(".")
        assert top == "bounds" and module in ("statement", "displays", "arithmetic", "corrected"), b.module
        # Only the erratum's module holds corrected statements, and it holds nothing else.
        assert (module == "corrected") == bool(b.corrects), b.id


def test_where_matches_names_whole_and_knows_the_main_texts_theorems():
    from bounds.where import find

    assert find("Lemma 4.1") == []  # not Lemma 4.10
    # The lemma and the displays of its proof ("Lemma 4.10 proof, eq. (62)"), nothing of another result.
    found = find("Lemma 4.10")
    assert {b.id for b in found} >= {"lemma_4_10_bias", "lemma_4_10_second_moment", "eq_63_inner_noise_mean_norm"}
    assert all(b.reference.startswith("Lemma 4.10") for b in found), [b.reference for b in found]
    # Theorems 4.12, 4.15, 4.17 are proved (general versions) as F.1, G.1, H.1.
    for main_text, appendix in (("Theorem 4.12", "F.1"), ("Theorem 4.15", "G.1"), ("Theorem 4.17", "H.1")):
        found = find(main_text)
        assert found and all(f"Theorem {appendix}" in b.reference for b in found), main_text
        assert {b.module for b in found} >= {f"bounds.theorem_{appendix.replace('.', '_').lower()}.statement"}


def test_matrix_expressions_render_as_the_paper_writes_them():
    import sympy as sp

    from bounds import mathml

    a, A = sp.Symbol("alpha"), sp.MatrixSymbol("A_i", 3, 3)
    out = mathml(sp.Identity(3) - a * A)
    assert "<mn>-1</mn>" not in out and out.index("&#x1D540;") < out.index("<mo>-</mo>")  # "I - alpha A_i"
    for b in BOUNDS.values():  # no Bound shows a "(-1)" factor
        assert "<mo>(</mo><mn>-1</mn><mo>)</mo>" not in b.to_mathml(), b.id
