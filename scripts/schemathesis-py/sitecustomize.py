"""Loaded by scripts/schemathesis.sh (PYTHONPATH) before Schemathesis starts.

CPython 3.11 before 3.11.8 can raise `SystemError: AST constructor recursion depth
mismatch` from `ast.parse` when it is called deep in a stack (CPython gh-106905). Hypothesis
parses a module's source only to print a lambda's text in a strategy's repr, so on such an
interpreter that cosmetic step aborts a whole Schemathesis operation. Here it falls back to
Hypothesis's own "unknown lambda" text; generation and checks are untouched.
"""

try:
    from hypothesis.internal import lambda_sources as _sources
except ImportError:  # Hypothesis not installed: nothing to patch
    _sources = None

if _sources is not None and hasattr(_sources, "_lambda_description"):
    _describe = _sources._lambda_description

    def _lambda_description(f):
        try:
            return _describe(f)
        except SystemError:
            return "lambda: <unknown>"

    _sources._lambda_description = _lambda_description
