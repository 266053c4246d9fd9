"""Route search: cheapest insertion with ruin-and-recreate (`insertion`), the compiled SISR
search (`sisr`, Numba) and its items for days with every rule (`day`).
"""
