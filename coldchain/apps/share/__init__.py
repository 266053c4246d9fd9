"""Alliance savings and cost sharing among the member companies (issue 24).

Pure game theory (no planner): `game` (coalitions as bitmasks, subadditive closure), `proportional`,
`shapley` (exact and sampled), `core` (core check, least core), `nucleolus` (sequential LPs and
Kohlberg's test), `epm` (equal profit method), `interval` (costs known within [bound, incumbent]).
The routing part: `coalitions` (a coalition's sub-scenario), `cache` (SQLite), `sweep` (plans
every coalition on Dask), `allocate` (every rule on one game), `report` (table, CSV, chart) and
`cli` (the ``coldchain share`` command).
"""
