"""PyVRP and OR-Tools on the same benchmark instances, for comparison in one run.

Both need integer data: distances and times are scaled (x10 for the truncated-to-one-decimal
convention, exact; x1000 and rounded for unrounded distances) and each peer's routes are then
costed again under the instance's own convention. Routes use customer numbers 1..n.
"""

from __future__ import annotations

import time

from coldchain.apps.benchmarks import BenchInstance


def _scale(b: BenchInstance) -> int:
    return 10 if b.rounding == "trunc1" else 1000


def solve_pyvrp(b: BenchInstance, budget_s: float, seed: int = 1) -> tuple[list[list[int]], float]:
    """Best PyVRP routes within ``budget_s`` seconds, and the wall time."""
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    sc = _scale(b)
    m = Model()
    locs = [m.add_location(x, y) for x, y in b.xy]
    depot = m.add_depot(locs[0], tw_early=round(b.ready[0] * sc), tw_late=round(b.due[0] * sc))
    m.add_vehicle_type(
        num_available=b.vehicles,
        capacity=round(b.capacity),
        start_depot=depot,
        end_depot=depot,
        tw_early=round(b.ready[0] * sc),
        tw_late=round(b.due[0] * sc),
    )
    for i in range(1, b.n + 1):
        m.add_client(
            locs[i],
            delivery=round(b.delivery[i]),
            pickup=round(b.pickup[i]),
            service_duration=round(b.service[i] * sc),
            tw_early=round(b.ready[i] * sc),
            tw_late=round(b.due[i] * sc),
        )
    for i in range(b.n + 1):
        for j in range(b.n + 1):
            if i != j:
                d = round(b.dist(i, j) * sc)
                m.add_edge(locs[i], locs[j], distance=d, duration=d)
    t0 = time.perf_counter()
    res = m.solve(stop=MaxRuntime(budget_s), seed=seed, display=False)
    wall = time.perf_counter() - t0
    if not res.best.is_feasible():
        return [], wall
    # client activity idx 0 is the first client added, i.e. customer 1
    return [[a.idx + 1 for a in r.schedule() if a.is_client()] for r in res.best.routes()], wall


def solve_ortools(b: BenchInstance, budget_s: float) -> tuple[list[list[int]], float]:
    """Best OR-Tools routes (guided local search) within ``budget_s`` seconds, and the wall time.

    Simultaneous pickup and delivery: a 'delivered' dimension counts deliveries made; a 'load'
    dimension changes by pickup - delivery at each customer and must start each route with at
    least that route's total delivery (a constraint between the two dimensions' cumul variables).
    """
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    sc = _scale(b)
    n = b.n + 1
    dist = [[round(b.dist(i, j) * sc) for j in range(n)] for i in range(n)]
    manager = pywrapcp.RoutingIndexManager(n, b.vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)

    def arc(i, j):
        return dist[manager.IndexToNode(i)][manager.IndexToNode(j)]

    def travel(i, j):
        a, c = manager.IndexToNode(i), manager.IndexToNode(j)
        return dist[a][c] + round(b.service[a] * sc)

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(arc))
    horizon = round(b.due[0] * sc)
    routing.AddDimension(routing.RegisterTransitCallback(travel), horizon, horizon, False, "time")
    tdim = routing.GetDimensionOrDie("time")
    for i in range(1, n):
        tdim.CumulVar(manager.NodeToIndex(i)).SetRange(round(b.ready[i] * sc), round(b.due[i] * sc))
    for v in range(b.vehicles):
        tdim.CumulVar(routing.Start(v)).SetRange(round(b.ready[0] * sc), horizon)
        tdim.CumulVar(routing.End(v)).SetRange(round(b.ready[0] * sc), horizon)
    cap = round(b.capacity)
    deliv = [round(x) for x in b.delivery]
    change = [round(b.pickup[i]) - round(b.delivery[i]) for i in range(n)]
    routing.AddDimension(
        routing.RegisterUnaryTransitCallback(lambda i: deliv[manager.IndexToNode(i)]), 0, cap, True, "delivered"
    )
    routing.AddDimension(
        routing.RegisterUnaryTransitCallback(lambda i: change[manager.IndexToNode(i)]), 0, cap, False, "load"
    )
    ddim, ldim = routing.GetDimensionOrDie("delivered"), routing.GetDimensionOrDie("load")
    solver = routing.solver()
    for v in range(b.vehicles):
        # start load >= the route's deliveries (more would only be harder, so this is exact)
        solver.Add(ldim.CumulVar(routing.Start(v)) >= ddim.CumulVar(routing.End(v)))
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
        if not any(b.pickup)
        else routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION
    )
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(int(budget_s * 1000))
    t0 = time.perf_counter()
    sol = routing.SolveWithParameters(params)
    wall = time.perf_counter() - t0
    if sol is None:
        return [], wall
    routes = []
    for v in range(b.vehicles):
        idx, r = sol.Value(routing.NextVar(routing.Start(v))), []
        while not routing.IsEnd(idx):
            r.append(manager.IndexToNode(idx))
            idx = sol.Value(routing.NextVar(idx))
        if r:
            routes.append(r)
    return routes, wall
