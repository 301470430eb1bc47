"""Route tables in the routers' docstrings are checked against the routes the app really serves,
both ways: every documented route exists, every route of the router is documented."""

from __future__ import annotations

import re

import pytest

from app.routers import prefill, staff

ROW = re.compile(r"^\s+(GET|POST|PUT|PATCH|DELETE)\s+(/\S+)", re.MULTILINE)


@pytest.mark.parametrize("module", [prefill, staff], ids=lambda m: m.__name__)
def test_docstring_route_table_matches_the_router(module):
    documented = {(m, p) for m, p in ROW.findall(module.__doc__)}
    served = {(m, r.path) for r in module.router.routes for m in r.methods}
    assert documented, f"{module.__name__} has no route table"
    assert documented - served == set(), "documented but not served"
    assert served - documented == set(), "served but not documented"
