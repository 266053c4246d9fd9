"""Set partitioning and packing over routes in HiGHS and Pyomo: recombining a route pool (`pool`),
re-dealing pickups between runs (`pickups`), and HiGHS's process-wide settings (`highs`).
"""
