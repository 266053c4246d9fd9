"""Shared types and exact evaluations every engine and writer uses: the indexed `Instance`, a
`Route` and its exact evaluation, a `Plan`, solve outcomes, the compiled loops' arrays, and the
explanation of unserved orders. Imports no solver (no Pyomo, HiGHS or Numba).
"""
