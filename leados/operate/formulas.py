"""Formula measurables: arithmetic over other measurables' keys, e.g. ``won / leads * 100``.

Formulas are checked once when saved (syntax, only known keys, no loops) and evaluated by
simpleeval, a restricted evaluator: no ``eval``, no attribute access, no calls but the
few functions below. A period where an input has no value, or where the formula divides
by zero, has no value (never a zero).
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping

from simpleeval import DEFAULT_OPERATORS, InvalidExpression, SimpleEval

MAX_LENGTH = 500
MAX_POWER = 100

# Arithmetic and comparison only: no bit operations, membership or identity tests.
OPERATORS = {
    op: fn
    for op, fn in DEFAULT_OPERATORS.items()
    if op
    in (
        ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.USub, ast.UAdd,
        ast.Eq, ast.NotEq, ast.Gt, ast.Lt, ast.GtE, ast.LtE,
    )
}  # fmt: skip
FUNCTIONS: dict[str, Callable] = {
    "min": min,
    "max": max,
    "abs": abs,
    "round": round,
    "sqrt": math.sqrt,
}
ALLOWED_NODES = (
    ast.Expression, ast.BinOp, ast.UnaryOp, ast.Compare, ast.IfExp, ast.Call, ast.Name,
    ast.Load, ast.Constant, *OPERATORS,
)  # fmt: skip


class FormulaError(ValueError):
    """A formula that cannot be used, with a message for the person who wrote it."""


def _power(base, exponent):
    if abs(exponent) > MAX_POWER:
        raise FormulaError(f"Keep powers to at most {MAX_POWER}.")
    return base**exponent


def parse(formula: str) -> set[str]:
    """Check ``formula`` and return the keys it names; ``FormulaError`` says what is wrong."""
    text = (formula or "").strip()
    if not text:
        raise FormulaError("Write a formula, such as won / leads * 100.")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"Keep formulas to {MAX_LENGTH} characters.")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"This formula cannot be read near character {exc.offset}.") from None
    names: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ALLOWED_NODES):
            raise FormulaError(
                "Use numbers, measurable keys, + - * / // % **, comparisons, "
                f"'a if condition else b' and {', '.join(sorted(FUNCTIONS))}()."
            )
        if isinstance(node, ast.Constant) and (
            isinstance(node.value, bool) or not isinstance(node.value, int | float)
        ):
            raise FormulaError("Only numbers may be written into a formula.")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                raise FormulaError(f"Functions are {', '.join(sorted(FUNCTIONS))}.")
            if node.keywords:
                raise FormulaError("Functions take plain arguments.")
        elif isinstance(node, ast.Name):
            names.add(node.id)
    # Function names are not keys (a key may not be named like a function).
    return names - set(FUNCTIONS)


def find_cycle(start: str, inputs: Mapping[str, set[str]]) -> list[str] | None:
    """A loop through ``start`` in the graph ``key → keys its formula names``, if any, as
    the keys along it (``[a, b, a]``)."""
    path: list[str] = []
    on_path: set[str] = set()
    done: set[str] = set()

    def visit(key: str) -> list[str] | None:
        if key in on_path:
            return [*path[path.index(key) :], key]
        if key in done:
            return None
        path.append(key)
        on_path.add(key)
        for name in sorted(inputs.get(key, ())):
            loop = visit(name)
            if loop:
                return loop
        path.pop()
        on_path.discard(key)
        done.add(key)
        return None

    return visit(start)


def evaluate(formula: str, values: Mapping[str, float | None]) -> float | None:
    """The formula's value given its inputs' values; ``None`` when an input has no value,
    on a division by zero, or when the result is not a finite number."""
    if any(values.get(name) is None for name in parse(formula)):
        return None
    evaluator = SimpleEval(
        operators={**OPERATORS, ast.Pow: _power}, functions=FUNCTIONS, names=dict(values)
    )
    try:
        result = evaluator.eval(formula.strip())
    except (ZeroDivisionError, OverflowError, ValueError, TypeError):
        return None
    except InvalidExpression as exc:
        raise FormulaError(str(exc)) from None
    if isinstance(result, bool):
        return float(result)
    if not isinstance(result, int | float) or not math.isfinite(result):
        return None
    return float(result)
