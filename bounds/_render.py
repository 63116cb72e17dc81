"""LaTeX and presentation-MathML renderings of a Bound, from its sympy expressions.

The functions take any object with a Bound's fields (lhs, rhs, relation, preconditions); this
module imports no Bound, so ``bounds._core`` can import it.

The renderings are made from the same expressions that are evaluated, so the
report can never show one statement while the harness checks another.  Symbols
are drawn with the paper's notation from the shared table (sigma~, D_in, ...).
"""
from __future__ import annotations

import re
from html.entities import html5
from xml.dom.minidom import parseString

import sympy as sp
from sympy.printing.mathml import MathMLPresentationPrinter

from ._relation import Relation
from ._symbols import TABLE

_MATHML_NS = "http://www.w3.org/1998/Math/MathML"

_LATEX_REL = {Relation.LE: r"\le", Relation.GE: r"\ge", Relation.EQ: "="}
_MATHML_REL = {Relation.LE: "&#8804;", Relation.GE: "&#8805;", Relation.EQ: "="}


def _latex_names() -> dict:
    return {row.symbol: row.latex for row in TABLE.values()}


def latex(expr) -> str:
    """LaTeX of an expression over the shared table, with the paper's symbol names."""
    return sp.latex(expr, symbol_names=_latex_names())


def bound_latex(bound) -> str:
    """The whole statement: ``lhs REL rhs`` followed by its definitions."""
    if bound.relation is Relation.ORDER:
        core = f"{latex(bound.lhs)} = O\\left({latex(bound.rhs)}\\right)"
    else:
        core = f"{latex(bound.lhs)} {_LATEX_REL[bound.relation]} {latex(bound.rhs)}"
    if bound.definitions:
        defs = ",\\quad ".join(f"{latex(d.symbol)} := {latex(d.expr)}" for d in bound.definitions)
        core += f",\\qquad \\text{{where }} {defs}"
    return core


class _PaperMathML(MathMLPresentationPrinter):
    """The presentation printer, with the shared table's notation for each symbol."""

    def _snippet(self, markup: str):
        doc = parseString(f'<math xmlns="{_MATHML_NS}">{markup}</math>')
        node = doc.documentElement.firstChild
        return node.cloneNode(True)

    def _print_Symbol(self, sym, style="plain"):
        row = TABLE.get(sym.name)
        if row is None:
            return super()._print_Symbol(sym, style)
        return self._snippet(row.mathml)

    def _print_MatrixSymbol(self, sym):
        name = sym.name
        if "^" in name:
            base, sup = name.split("^", 1)
            return self._snippet(f"<msup><mi>{base}</mi><mo>{sup.strip('{}')}</mo></msup>")
        if "_" in name:
            base, sub = name.split("_", 1)
            return self._snippet(f"<msub><mi>{base}</mi><mi>{sub.strip('{}')}</mi></msub>")
        return self._snippet(f"<mi>{name}</mi>")

    # sympy keeps a matrix product's scalar factor whole, so -alpha A_i prints as "(-1) alpha A_i" and
    # I - alpha A_i as "(-1) alpha A_i + I"; the paper writes "I - alpha A_i".
    def _print_MatMul(self, expr):
        coeff, matrices = expr.as_coeff_matrices()
        if coeff.could_extract_minus_sign():
            row = self.dom.createElement("mrow")
            row.appendChild(self._snippet("<mo>-</mo>"))
            row.appendChild(super()._print_MatMul(sp.MatMul(-coeff, *matrices)))
            return row
        return super()._print_MatMul(expr)

    def _print_MatAdd(self, expr):
        terms = sorted(expr.args, key=lambda t: _is_negative_term(t))
        row = self.dom.createElement("mrow")
        for k, term in enumerate(terms):
            if _is_negative_term(term):
                row.appendChild(self._snippet("<mo>-</mo>"))
                term = -term
            elif k:
                row.appendChild(self._snippet("<mo>+</mo>"))
            row.appendChild(self.parenthesize(term, sp.printing.precedence.precedence_traditional(expr), False))
        return row

    def _expectation(self, arg, prefix: str):
        row = self.dom.createElement("mrow")
        row.appendChild(self._snippet(prefix))
        row.appendChild(self._snippet("<mo>[</mo>"))
        row.appendChild(self._print(arg))
        row.appendChild(self._snippet("<mo>]</mo>"))
        return row

    def _print_TaskMean(self, e):
        return self._expectation(e.args[0], "<msub><mi>&#120124;</mi><mrow><mi>i</mi><mo>&#8764;</mo><mi>p</mi></mrow></msub>")

    def _print_MatrixTaskMean(self, e):
        prefix = (
            "<mrow><mfrac><mn>1</mn><mi>n</mi></mfrac>"
            "<munderover><mo>&#8721;</mo><mrow><mi>i</mi><mo>=</mo><mn>1</mn></mrow><mi>n</mi></munderover></mrow>"
        )
        return self._expectation(e.arg, prefix)


def _is_negative_term(term) -> bool:
    if isinstance(term, sp.MatMul):
        return term.as_coeff_matrices()[0].could_extract_minus_sign()
    return bool(getattr(term, "could_extract_minus_sign", lambda: False)())


_NAMED_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")


def _numeric_entities(markup: str) -> str:
    # sympy writes HTML named entities (&InvisibleTimes;), which XML parsers reject,
    # and strict relations as a bare "<"; numeric character references and &lt;
    # keep the markup well-formed XML as well as HTML.
    def repl(m):
        char = html5.get(m.group(1) + ";")
        if char is None or m.group(1) in ("amp", "lt", "gt", "quot", "apos"):
            return m.group(0)
        return "".join(f"&#{ord(c)};" for c in char)

    markup = markup.replace("<mo><</mo>", "<mo>&lt;</mo>").replace("<mo>></mo>", "<mo>&gt;</mo>")
    return _NAMED_ENTITY.sub(repl, markup)


def mathml(expr) -> str:
    """Presentation MathML (no <math> wrapper) of an expression over the shared table."""
    printer = _PaperMathML()
    return _numeric_entities(printer._print(sp.sympify(expr)).toxml())


def bound_mathml(bound, display: str = "block") -> str:
    """The whole statement as one ``<math>`` element."""
    lhs, rhs = mathml(bound.lhs), mathml(bound.rhs)
    if bound.relation is Relation.ORDER:
        body = f"{lhs}<mo>=</mo><mi>O</mi><mrow><mo>(</mo>{rhs}<mo>)</mo></mrow>"
    else:
        body = f"{lhs}<mo>{_MATHML_REL[bound.relation]}</mo>{rhs}"
    for i, dfn in enumerate(bound.definitions):
        sep = "<mtext>,&#160;&#160;where&#160;</mtext>" if i == 0 else "<mtext>,&#160;&#160;</mtext>"
        body += f"{sep}{mathml(dfn.symbol)}<mo>:=</mo>{mathml(dfn.expr)}"
    return f'<math xmlns="{_MATHML_NS}" display="{display}"><mrow>{body}</mrow></math>'


def precondition_mathml(bound) -> list[str]:
    """Each hypothesis as its own inline ``<math>`` element."""
    return [
        f'<math xmlns="{_MATHML_NS}" display="inline">{mathml(p.relation)}</math>'
        for p in bound.preconditions
    ]
