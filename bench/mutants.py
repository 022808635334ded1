"""Small AST mutation operators (PURE): the mutants bench/mutation.py runs the tests on.

``mutants(source)`` yields one ``Mutant`` per change, each a whole module source with
exactly one change. Operators (the usual mutmut/cosmic-ray set):

- comparison swaps: ``==``/``!=``, ``<``/``<=``, ``>``/``>=``, ``in``/``not in``, ``is``/``is not``
- boolean swaps: ``and``/``or``, ``not x`` -> ``x``, ``True``/``False``
- constants: an int ``n`` -> ``n + 1`` (off by one), a string ``"s"`` -> ``"XXsXX"``
  (``""`` -> ``"XX"``), f-string parts included
- arithmetic swaps: ``+``/``-``, ``*``/``/``, ``//`` -> ``/``, ``%`` -> ``//``, ``|``/``&``
  (also in ``x += ...``)
- statement removal inside functions: a statement -> ``pass``, ``return x`` -> ``return None``

Not mutated: docstrings, the arguments of logging calls (``log.*``/``logging.*``: no
behaviour), ``import`` lines, module- and class-level statements (removing one only
breaks the import) and lines marked ``# pragma: no mutate``.
"""
import ast
import copy
from dataclasses import dataclass

COMPARE_SWAPS = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.LtE, ast.LtE: ast.Lt,
                 ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.In: ast.NotIn, ast.NotIn: ast.In,
                 ast.Is: ast.IsNot, ast.IsNot: ast.Is}
BINOP_SWAPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
               ast.FloorDiv: ast.Div, ast.Mod: ast.FloorDiv, ast.BitOr: ast.BitAnd,
               ast.BitAnd: ast.BitOr}
BOOL_SWAPS = {ast.And: ast.Or, ast.Or: ast.And}
LOGGERS = ("log", "logger", "logging", "LOG")
REMOVABLE = (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Raise, ast.If, ast.For,
             ast.While, ast.With, ast.Try, ast.Delete, ast.Assert)


@dataclass(frozen=True)
class Mutant:
    index: int          # position in the file's list (stable for the same source)
    lineno: int
    operator: str       # e.g. "compare Eq->NotEq"
    before: str         # the changed node, unparsed
    after: str
    source: str         # the whole mutated module


def _docstring_nodes(tree):
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                found.add(id(body[0]))
                found.add(id(body[0].value))
    return found


def _is_log_call(node):
    func = node.func if isinstance(node, ast.Call) else None
    return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
        and func.value.id in LOGGERS


def _skipped_ids(tree, source_lines):
    """ids of nodes never mutated: docstrings, logging calls' subtrees, imports, pragmas."""
    skipped = _docstring_nodes(tree)
    for node in ast.walk(tree):
        log_statement = isinstance(node, ast.Expr) and _is_log_call(node.value)
        if log_statement or _is_log_call(node) or isinstance(node, (ast.Import, ast.ImportFrom)):
            skipped.update(id(sub) for sub in ast.walk(node))
        lineno = getattr(node, "lineno", None)
        if lineno and "pragma: no mutate" in source_lines[lineno - 1]:
            skipped.add(id(node))
    return skipped


def _function_statements(tree):
    """ids of statements inside function bodies (removable ones)."""
    inside = set()
    for func in ast.walk(tree):
        if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(func):
                for field in ("body", "orelse", "finalbody"):
                    body = getattr(node, field, None)
                    for stmt in body if isinstance(body, list) else []:
                        if isinstance(stmt, ast.stmt):
                            inside.add(id(stmt))
    return inside


def _changes(node, in_function):
    """(operator, apply) pairs for one node; ``apply(node)`` returns the replacement."""
    out = []
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            swap = COMPARE_SWAPS.get(type(op))
            if swap:
                out.append((f"compare {type(op).__name__}->{swap.__name__}",
                            lambda n, i=i, s=swap: _set_op(n, i, s)))
    elif isinstance(node, ast.BoolOp):
        swap = BOOL_SWAPS[type(node.op)]
        out.append((f"bool {type(node.op).__name__}->{swap.__name__}",
                    lambda n, s=swap: _replace_attr(n, "op", s())))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        out.append(("bool remove not", lambda n: n.operand))
    elif isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in BINOP_SWAPS:
        swap = BINOP_SWAPS[type(node.op)]
        out.append((f"arith {type(node.op).__name__}->{swap.__name__}",
                    lambda n, s=swap: _replace_attr(n, "op", s())))
    elif isinstance(node, ast.Constant):
        out.extend(_constant_changes(node.value))
    if in_function and isinstance(node, ast.Return) and not _returns_none(node):
        out.append(("return None", lambda n: ast.Return(value=ast.Constant(None))))
    elif in_function and isinstance(node, REMOVABLE):
        out.append(("remove statement", lambda n: ast.Pass()))
    return out


def _constant_changes(value):
    if isinstance(value, bool):
        return [(f"constant {value}->{not value}", lambda n: ast.Constant(not n.value))]
    if isinstance(value, int):
        return [("constant n->n+1", lambda n: ast.Constant(n.value + 1))]
    if isinstance(value, str):
        return [("string change", lambda n: ast.Constant(f"XX{n.value}XX"))]
    return []


def _returns_none(node):
    return node.value is None or (isinstance(node.value, ast.Constant) and node.value.value is None)


def _set_op(node, index, swap):
    node.ops = list(node.ops)
    node.ops[index] = swap()
    return node


def _replace_attr(node, attr, value):
    setattr(node, attr, value)
    return node


def _points(tree, source):
    """[(node, operator, apply)] in a stable order for this source."""
    skipped = _skipped_ids(tree, source.splitlines())
    in_function = _function_statements(tree)
    points = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        for operator, apply in _changes(node, id(node) in in_function):
            points.append((node, operator, apply))
    return points


def _replace_in_parent(tree, old, new):
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, new)
                return
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if item is old:
                        value[i] = new
                        return
    raise LookupError("node not found in its tree")


def _short(node):
    text = ast.unparse(node) if not isinstance(node, ast.stmt) else ast.unparse(node).split("\n")[0]
    return text if len(text) <= 90 else text[:87] + "..."


def mutants(source):
    """Every single-change mutant of ``source`` (a whole module), in a stable order."""
    count = len(_points(ast.parse(source), source))
    for index in range(count):
        tree = ast.parse(source)
        node, operator, apply = _points(tree, source)[index]
        before = _short(node)
        replacement = apply(copy.deepcopy(node))
        _replace_in_parent(tree, node, replacement)
        ast.fix_missing_locations(tree)
        yield Mutant(index, node.lineno, operator, before, _short(replacement), ast.unparse(tree))


def score(source, check):
    """Run ``check(namespace)`` on every mutant of ``source`` executed in memory: a mutant
    is killed when ``check`` raises. Returns (killed, survivors) - the tool's own self-test."""
    killed, survivors = 0, []
    for mutant in mutants(source):
        namespace = {}
        try:
            exec(compile(mutant.source, "<mutant>", "exec"), namespace)
            check(namespace)
        except KeyboardInterrupt:
            raise
        except BaseException:  # noqa: BLE001 - any failure (pytest's too) kills the mutant
            killed += 1
        else:
            survivors.append(mutant)
    return killed, survivors
