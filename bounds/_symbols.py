"""The one shared symbol table: every sympy symbol a Bound may use, with its meaning.

Each entry carries
  * the sympy Symbol, with the assumptions the paper gives it (batch sizes are
    positive integers, L > 0, rho >= 0, ...);
  * a role: ``parameter`` (a number the user or the instance strategy chooses),
    ``quantity`` (a number the harness computes on an instance, e.g. ||grad F(w)||),
    ``per_task`` (a quantity with one value per task, averaged by ``TaskMean``), or
    ``defined`` (a name for an expression, such as L(w) of Lemma 4.8);
  * its LaTeX and presentation-MathML renderings;
  * its *dimension*: the exponents (a, b) such that the symbol scales as
    c**a * s**b when every task loss is multiplied by c (f_i -> c f_i) and the
    parameter space is stretched by s (w -> s w).  L scales as c/s^2, rho as c/s^3,
    gradients and sigma as c/s, stepsizes as s^2/c.  A statement that is true on
    the whole hypothesis class must survive both rescalings, because the class is
    closed under them; the dimensional-consistency check in ``pytest verify`` uses
    these exponents.

Names use the paper's words: ``sigma_tilde`` is the paper's sigma~ of (13),
``D_h`` the Hessian batch size of (5), ``B_prime`` the batch B' of (16)-(18).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import sympy as sp

Role = Literal["parameter", "quantity", "per_task", "defined"]


@dataclass(frozen=True)
class SymbolInfo:
    """One row of the symbol table."""

    symbol: sp.Symbol
    role: Role
    description: str
    latex: str
    mathml: str
    dimension: tuple[int, int]
    integer: bool = False
    positive: bool = False
    nonnegative: bool = False

    @property
    def name(self) -> str:
        return self.symbol.name


TABLE: dict[str, SymbolInfo] = {}

# Dimensions, as (power of the loss scale c, power of the parameter scale s).
DIMENSIONLESS = (0, 0)
LOSS = (1, 0)
GRADIENT = (1, -1)
HESSIAN = (1, -2)
HESSIAN_LIPSCHITZ = (1, -3)
STEPSIZE = (-1, 2)
DISPLACEMENT = (0, 1)


def _mi(text: str) -> str:
    return f"<mi>{text}</mi>"


def _sub(base: str, sub: str) -> str:
    return f"<msub>{base}{sub}</msub>"


def _tilde(base: str) -> str:
    return f'<mover accent="true">{base}<mo>~</mo></mover>'


def _norm(inner: str) -> str:
    return f"<mrow><mo>&#x2016;</mo>{inner}<mo>&#x2016;</mo></mrow>"


def _row(*parts: str) -> str:
    return "<mrow>" + "".join(parts) + "</mrow>"


def _text(t: str) -> str:
    return f"<mtext>{t}</mtext>"


def _add(
    name: str,
    role: Role,
    description: str,
    latex: str,
    mathml: str,
    dimension: tuple[int, int],
    *,
    integer: bool = False,
    positive: bool = False,
    nonnegative: bool = False,
) -> sp.Symbol:
    if name in TABLE:
        raise ValueError(f"symbol {name!r} declared twice in the symbol table")
    assumptions: dict[str, bool] = {"real": True}
    if integer:
        assumptions["integer"] = True
    if positive:
        assumptions["positive"] = True
    elif nonnegative:
        assumptions["nonnegative"] = True
    symbol = sp.Symbol(name, **assumptions)
    TABLE[name] = SymbolInfo(
        symbol, role, description, latex, mathml, dimension, integer, positive, nonnegative
    )
    return symbol


GREEK = {
    "alpha": "&#945;",
    "beta": "&#946;",
    "delta": "&#948;",
    "epsilon": "&#949;",
    "rho": "&#961;",
    "sigma": "&#963;",
    "phi": "&#966;",
    "Delta": "&#916;",
    "nabla": "&#8711;",
}

# ---------------------------------------------------------------- parameters
alpha = _add("alpha", "parameter", "stepsize of the inner (task) gradient step, (2) and (4)",
             r"\alpha", _mi(GREEK["alpha"]), STEPSIZE, nonnegative=True)
beta = _add("beta", "parameter", "stepsize beta_k of the outer (meta) step, (5)",
            r"\beta", _mi(GREEK["beta"]), STEPSIZE, positive=True)
L = _add("L", "parameter", "L := max_i L_i, the gradient-Lipschitz constant of every task (Assumption 4.3)",
         "L", _mi("L"), HESSIAN, positive=True)
rho = _add("rho", "parameter", "rho := max_i rho_i, the Hessian-Lipschitz constant of every task (Assumption 4.4)",
           r"\rho", _mi(GREEK["rho"]), HESSIAN_LIPSCHITZ, nonnegative=True)
sigma = _add("sigma", "parameter", "bound on the task variance of the gradient, (12) (Assumption 4.5)",
             r"\sigma", _mi(GREEK["sigma"]), GRADIENT, nonnegative=True)
sigma_tilde = _add("sigma_tilde", "parameter",
                   "bound on the per-sample gradient standard deviation, (13) (Assumption 4.6)",
                   r"\tilde{\sigma}", _tilde(_mi(GREEK["sigma"])), GRADIENT, nonnegative=True)
sigma_H = _add("sigma_H", "parameter",
               "bound on the per-sample Hessian standard deviation, (14) (Assumption 4.6)",
               r"\sigma_{H}", _sub(_mi(GREEK["sigma"]), _mi("H")), HESSIAN, nonnegative=True)
B = _add("B", "parameter", "number of tasks in the batch B_k of each iteration",
         "B", _mi("B"), DIMENSIONLESS, integer=True, positive=True)
B_prime = _add("B_prime", "parameter", "number of tasks in the batch B' of the stepsize estimate (16)",
               "B'", _row(_mi("B"), "<mo>&#8242;</mo>"), DIMENSIONLESS, integer=True, positive=True)
D_in = _add("D_in", "parameter", "size of the inner-step data batch D_in^i, (4)",
            r"D_{in}", _sub(_mi("D"), _mi("in")), DIMENSIONLESS, integer=True, positive=True)
D_o = _add("D_o", "parameter", "size of the outer-gradient data batch D_o^i, (5)",
           r"D_{o}", _sub(_mi("D"), _mi("o")), DIMENSIONLESS, integer=True, positive=True)
D_h = _add("D_h", "parameter", "size of the Hessian data batch D_h^i, (5) and (11)",
           r"D_{h}", _sub(_mi("D"), _mi("h")), DIMENSIONLESS, integer=True, positive=True)
D_beta = _add("D_beta", "parameter", "size of the data batch D_beta^j of the stepsize estimate (16)",
              r"D_{\beta}", _sub(_mi("D"), _mi(GREEK["beta"])), DIMENSIONLESS, integer=True, positive=True)
D_test = _add("D_test", "parameter", "size of the test batch D_test^i of F-hat, (3)",
              r"D_{test}", _sub(_mi("D"), _mi("test")), DIMENSIONLESS, integer=True, positive=True)
# The batch sizes, and the words the harness (verify.model.algorithms.run) uses for their limits: a
# batch of every task ("all") or the exact oracle ("exact").  A Bound evaluates either as an
# infinite batch, where every noise term sigma^2/D vanishes.
BATCH_SIZES = ("B", "B_prime", "D_in", "D_o", "D_h", "D_beta", "D_test")
LIMIT_WORDS = ("exact", "all")
delta = _add("delta", "parameter",
             "finite-difference step delta of (9), which multiplies the vector v (HF-MAML's delta_k^i of (11)); the length delta := 1/(6 rho alpha) of (135) is delta_H",
             r"\delta", _mi(GREEK["delta"]), STEPSIZE, positive=True)
epsilon = _add("epsilon", "parameter", "target accuracy epsilon of an epsilon-FOSP (Definition 4.1)",
               r"\epsilon", _mi(GREEK["epsilon"]), GRADIENT, positive=True)
Delta = _add("Delta", "parameter", "Delta := F(w_0) - min_w F(w) (Assumption 4.2)",
             r"\Delta", _mi(GREEK["Delta"]), LOSS, nonnegative=True)
d = _add("d", "parameter", "dimension of the parameter w", "d", _mi("d"), DIMENSIONLESS,
         integer=True, positive=True)
phi = _add("phi", "parameter", "the free constant phi > 0 of Lemma 4.10, (21)",
           r"\phi", _mi(GREEK["phi"]), DIMENSIONLESS, positive=True)
K = _add("K", "parameter", "samples per task in K-shot learning (Table 1)", "K", _mi("K"),
         DIMENSIONLESS, integer=True, positive=True)
c = _add("c", "parameter", "stepsize factor: beta_k = c * beta~(w_k), Section 4.1 (II)", "c", _mi("c"),
         DIMENSIONLESS, positive=True)
T = _add("T", "parameter", "number of iterations run", "T", _mi("T"), DIMENSIONLESS,
         integer=True, nonnegative=True)
# Theorem A.2 (Wooff's bound (32)) is about any random variable X >= 0 and constants c > 0, k: its own symbols.
c_A2 = _add("c_A2", "parameter", "the positive constant c of Theorem A.2, (32)", "c", _mi("c"), DIMENSIONLESS,
            positive=True)
k_A2 = _add("k_A2", "parameter", "the positive integer k of Theorem A.2, (32)", "k", _mi("k"), DIMENSIONLESS,
            integer=True, positive=True)
K_1 = _add("K_1", "parameter",
           "the unnamed constant 'C1' of Corollaries 4.13, 4.16 and H.2 (renamed K_1 to keep it "
           "apart from Lemma A.3's C_1)",
           r"K_{1}", _sub(_mi("K"), "<mn>1</mn>"), DIMENSIONLESS, positive=True)
K_2 = _add("K_2", "parameter",
           "the unnamed constant 'C2' of Corollaries 4.13, 4.16 and H.2 (renamed K_2 to keep it "
           "apart from Lemma A.3's C_2)",
           r"K_{2}", _sub(_mi("K"), "<mn>2</mn>"), DIMENSIONLESS, positive=True)

_grad = GREEK["nabla"]

# ---------------------------------------------------------------- quantities
norm_w_minus_u = _add("norm_w_minus_u", "quantity", "||w - u|| for two points w, u",
                      r"\|w-u\|", _norm(_row(_mi("w"), "<mo>-</mo>", _mi("u"))), DISPLACEMENT,
                      nonnegative=True)
norm_v = _add("norm_v", "quantity", "||v||, the vector multiplied by the Hessian in (9)",
              r"\|v\|", _norm(_mi("v")), GRADIENT, nonnegative=True)
grad_F_norm = _add("grad_F_norm", "quantity", "||grad F(w)||, the meta-gradient (6) at w",
                   r"\|\nabla F(w)\|", _norm(_row(_mi(_grad), _mi("F"), _text("(w)"))), GRADIENT,
                   nonnegative=True)
grad_f_norm = _add("grad_f_norm", "quantity", "||grad f(w)||, the gradient of the expected loss (1) at w",
                   r"\|\nabla f(w)\|", _norm(_row(_mi(_grad), _mi("f"), _text("(w)"))), GRADIENT,
                   nonnegative=True)
F_w = _add("F_w", "quantity", "F(w), the meta-objective (2) at the current iterate",
           r"F(w_k)", _row(_mi("F"), _text("(w"), "<msub><mi></mi><mi>k</mi></msub>", _text(")")),
           LOSS)

# per-task quantities: one value per task; a Bound averages them with TaskMean (E_{i~p}).
grad_fi_norm_w = _add("grad_fi_norm_w", "per_task", "||grad f_i(w)||",
                      r"\|\nabla f_i(w)\|", _norm(_row(_mi(_grad), _sub(_mi("f"), _mi("i")), _text("(w)"))),
                      GRADIENT, nonnegative=True)
grad_fi_norm_u = _add("grad_fi_norm_u", "per_task", "||grad f_i(u)||",
                      r"\|\nabla f_i(u)\|", _norm(_row(_mi(_grad), _sub(_mi("f"), _mi("i")), _text("(u)"))),
                      GRADIENT, nonnegative=True)
grad_fi_inner_norm = _add(
    "grad_fi_inner_norm", "per_task", "||grad f_i(w - alpha grad f_i(w))||, the exact gradient after the inner step",
    r"\|\nabla f_i(w-\alpha\nabla f_i(w))\|",
    _norm(_row(_mi(_grad), _sub(_mi("f"), _mi("i")), _text("(w &#8722; &#945;&#8711;f"),
               "<msub><mi></mi><mi>i</mi></msub>", _text("(w))"))),
    GRADIENT, nonnegative=True)
grad_Fi_norm = _add("grad_Fi_norm", "per_task", "||grad F_i(w)||, F_i(w) := f_i(w - alpha grad f_i(w)), (35b)",
                    r"\|\nabla F_i(w)\|", _norm(_row(_mi(_grad), _sub(_mi("F"), _mi("i")), _text("(w)"))),
                    GRADIENT, nonnegative=True)
I_minus_alpha_hess_norm = _add(
    "I_minus_alpha_hess_norm", "per_task", "||I - alpha grad^2 f_i(w)|| (spectral norm)",
    r"\|I-\alpha\nabla^2 f_i(w)\|",
    _norm(_row(_mi("I"), "<mo>-</mo>", _mi(GREEK["alpha"]), "<msup><mi>&#8711;</mi><mn>2</mn></msup>",
               _sub(_mi("f"), _mi("i")), _text("(w)"))),
    DIMENSIONLESS, nonnegative=True)
outer_grad_second_moment = _add(
    "outer_grad_second_moment", "per_task",
    "E_{D_in,D_o} ||grad~ f_i(w - alpha grad~ f_i(w, D_in), D_o)||^2, the second moment of Lemma 4.10 (21)",
    r"\mathbb{E}\|\tilde\nabla f_i(w-\alpha\tilde\nabla f_i(w,\mathcal{D}_{in}),\mathcal{D}_o)\|^2",
    _row(_mi("&#120124;"), _norm(_row(_tilde(_mi(_grad)), _sub(_mi("f"), _mi("i")),
                                      _text("(w &#8722; &#945;"), _tilde(_mi(_grad)),
                                      _sub(_mi("f"), _mi("i")), _text("(w, D"),
                                      "<msub><mi></mi><mi>in</mi></msub>", _text("), D"),
                                      "<msub><mi></mi><mi>o</mi></msub>", _text(")"))),
         "<msup><mi></mi><mn>2</mn></msup>"),
    (2, -2), nonnegative=True)
outer_grad_mean_norm = _add(
    "outer_grad_mean_norm", "per_task",
    "E_{D_in,D_o} ||grad~ f_i(w - alpha grad~ f_i(w, D_in), D_o)||, the first moment of the norm in (137)",
    r"\mathbb{E}\|\tilde\nabla f_i(w-\alpha\tilde\nabla f_i(w,\mathcal{D}_{in}),\mathcal{D}_o)\|",
    _row(_mi("&#120124;"), _norm(_row(_tilde(_mi(_grad)), _sub(_mi("f"), _mi("i")), _text("(&#8230;)")))),
    GRADIENT, nonnegative=True)
batch_grad_norm = _add(
    "batch_grad_norm", "per_task",
    "||grad~ f_j(w, D_beta^j)|| for task j of the batch B' of (16); TaskMean over B' is the batch average",
    r"\|\tilde\nabla f_j(w,\mathcal{D}^j_\beta)\|",
    _norm(_row(_tilde(_mi(_grad)), _sub(_mi("f"), _mi("j")), _text("(w, D"),
               "<msub><mi></mi><mi>&#946;</mi></msub>", _text(")"))),
    GRADIENT, nonnegative=True)
outer_grad_sample_norm = _add(
    "outer_grad_sample_norm", "per_task",
    "||grad~ f_i(w_k - alpha grad~ f_i(w_k, D_in^i), D_o^i)|| for one draw of the batches (the delta rule of H.1)",
    r"\|\tilde\nabla f_i(w_k-\alpha\tilde\nabla f_i(w_k,\mathcal{D}^i_{in}),\mathcal{D}^i_o)\|",
    _norm(_row(_tilde(_mi(_grad)), _sub(_mi("f"), _mi("i")), _text("(w"),
               "<msub><mi></mi><mi>k</mi></msub>", _text(" &#8722; &#945;&#8711;&#771;f"),
               "<msub><mi></mi><mi>i</mi></msub>", _text("(&#8230;), D"),
               "<msub><mi></mi><mi>o</mi></msub>", _text(")"))),
    GRADIENT, nonnegative=True)


def info(symbol_or_name: sp.Symbol | str) -> SymbolInfo:
    """The table row of a symbol, by Symbol or by name; a clear error for an unknown name."""
    name = symbol_or_name if isinstance(symbol_or_name, str) else symbol_or_name.name
    try:
        return TABLE[name]
    except KeyError:
        raise KeyError(f"{name!r} is not in the shared symbol table (bounds/_symbols.py)") from None


def declare_quantity(
    name: str,
    description: str,
    latex: str,
    dimension: tuple[int, int],
    *,
    per_task: bool = False,
    nonnegative: bool = True,
    text: str | None = None,
) -> sp.Symbol:
    """Declare a left-hand-side quantity that one result module needs.

    The quantity still lands in the one shared table, so a name can mean only one
    thing across the registry.  ``text`` is its notation in Unicode (e.g.
    "‖∇F(w) − ∇F(u)‖"), drawn in MathML as one token; the description in words
    is used when it is omitted.
    """
    return _add(
        name,
        "per_task" if per_task else "quantity",
        description,
        latex,
        f"<mi mathvariant=\"normal\">{text if text is not None else description}</mi>",
        dimension,
        nonnegative=nonnegative,
    )


def declare_defined(name: str, description: str, latex: str, mathml: str,
                    dimension: tuple[int, int], *, positive: bool = False) -> sp.Symbol:
    """Declare a symbol that names an expression (e.g. L(w) of Lemma 4.8)."""
    return _add(name, "defined", description, latex, mathml, dimension, positive=positive)
