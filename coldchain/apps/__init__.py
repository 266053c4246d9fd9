"""What stands on the planner: fixed lines, the county day generator, the public benchmarks, and
the applications (order book, what-if, cost sharing).
"""
