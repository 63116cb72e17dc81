"""The dimensional-consistency check and the findings file: they catch what they must."""
import dataclasses

import pytest
import sympy as sp

from bounds import BOUNDS, Precondition, symbols
from verify.checks import dimensions
from verify.judge.findings import FindingsFileError, load

L, alpha, rho = symbols.L, symbols.alpha, symbols.rho


def _variant(bound_id, **changes):
    """A falsified copy of a registered Bound (not registered: built outside bounds/)."""
    return dataclasses.replace(BOUNDS[bound_id], **changes)


def test_a_consistent_bound_passes():
    assert dimensions.check(BOUNDS["lemma_4_8"]).consistent


def test_negative_control_a_constant_with_the_wrong_dimension_is_caught():
    # Lemma 4.8 with its constant min{L(w), L(u)} multiplied by L: a Lipschitz constant squared.
    falsified = _variant("lemma_4_8", rhs=BOUNDS["lemma_4_8"].rhs * L)
    assert not dimensions.check(falsified).statement_consistent


def test_negative_control_a_dropped_dimensionful_factor_is_caught():
    # (9) without the ||v||^2: rho delta alone does not scale like ||H v - FD||.
    falsified = _variant("eq_9_finite_difference_hvp", rhs=rho * symbols.delta)
    assert not dimensions.check(falsified).statement_consistent


def test_negative_control_a_hypothesis_without_its_units_is_caught():
    bad = Precondition("alpha <= 1/6", alpha <= sp.Rational(1, 6), "falsified")
    falsified = _variant("theorem_f_1_accuracy", preconditions=BOUNDS["theorem_f_1_accuracy"].preconditions + (bad,))
    report = dimensions.check(falsified)
    assert report.inconsistent_preconditions == ["alpha <= 1/6"]


def test_ceiling_does_not_hide_an_inconsistency():
    # ceil(x) of a small dimensionful x is 1 before and after rescaling; the check looks inside.
    bad = Precondition("D_h >= ceil(alpha)", symbols.D_h >= sp.ceiling(alpha), "falsified")
    falsified = _variant("eq_86_hessian_factor_at_most_2", preconditions=(bad,))
    assert dimensions.check(falsified).inconsistent_preconditions == ["D_h >= ceil(alpha)"]


def test_table_1_and_matrix_identities_are_exempt_with_a_reason():
    assert "O(.)" in dimensions.applicable(BOUNDS["table_1_maml_runtime"])
    assert "matrix" in dimensions.applicable(BOUNDS["appendix_i_w_star"])


def test_findings_file_loads():
    findings = load()
    assert findings and all(f.counterexample and f.failing_step for f in findings)
    assert {f.kind for f in findings} <= {"false", "gap", "inconsistency", "typo"}


_ROW = "[[finding]]\nid='a'\nkind='false'\ncheck='c'\nwhere='w'\nsummary='s'\ncounterexample='x'\nfailing_step='f'\n"


@pytest.mark.parametrize("text,message", [
    ("schema = 2\n", "schema 2"),
    ("schema = 1\n[[finding]]\nid = 'x'\n", "lacks"),
    ("this is not toml", "not valid TOML"),
    ("schema = 1\n" + _ROW * 2, "appears twice"),
    ("schema = 1\n" + _ROW + "extra=1\n", "unknown keys"),
    ("schema = 1\n" + _ROW.replace("kind='false'", "kind='wrong'"), "kind 'wrong' is not one of"),
    ("schema = 1\n" + _ROW.replace("kind='false'\n", ""), r"lacks \['kind'\]"),
    ("schema = 1\n" + _ROW + "holds_as='<='\n", "needs kind 'typo'"),
    ("schema = 1\n" + _ROW.replace("kind='false'", "kind='typo'") + "holds_as='='\n", "needs kind 'typo'"),
])
def test_a_malformed_findings_file_is_refused_clearly(tmp_path, text, message):
    path = tmp_path / "findings.toml"
    path.write_text(text)
    with pytest.raises(FindingsFileError, match=message):
        load(path)


def test_a_missing_findings_file_is_named(tmp_path):
    with pytest.raises(FindingsFileError, match="no findings file"):
        load(tmp_path / "absent.toml")
