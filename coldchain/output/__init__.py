"""What a plan run writes: the tables and KPIs (`report`), the printed summary (`summary`), the
map (`map`) and atomic writes (`atomic`). Imports no engine.
"""
