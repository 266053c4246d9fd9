"""Planning a day: the method registry (`registry`) and one module per method.

``plan(scenario, options) -> Plan`` (`coldchain.planner.plan`) prepares the day and runs the
method ``options.method`` names: `compact` (the MILP), `by_routes` (search + branch-and-price),
`by_pool` (search + set partitioning, county days), `lines` (fixed lines); `imported` turns
routes given as site ids into a plan.
"""
