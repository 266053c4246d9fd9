"""Route search: cheapest insertion with ruin-and-recreate (`insertion`) and the compiled SISR
search (`sisr`, Numba).
"""
