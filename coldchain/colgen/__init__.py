"""Branch-and-price over whole routes: the tree and master LP (`tree`), the compiled ng-route
labelling for pricing and enumeration (`labelling`), and the per-type arc-flow LP bound
(`arc_bound`).
"""
