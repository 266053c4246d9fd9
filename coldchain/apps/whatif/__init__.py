"""What-if studies of refrigeration investment across a season (``coldchain whatif``).

Modules, one concept each:

* ``economics``: capital recovery factor, annualised capital, NPV, payback (pure arithmetic);
* ``options``: the options CSV (one row per option, combinations, swept parameters);
* ``season``: the days of a season (a folder of days or a profile scaling a base day) and the
  representative days picked by k-medoids, weighted by the days each stands for;
* ``apply``: an option applied to a Scenario (a pure function);
* ``cases``: one (option, day) solve, its input hash and the worker function;
* ``store``: finished cases in SQLite, so an interrupted study resumes without recomputing;
* ``sweep``: every case solved in-process or on Dask distributed, with a progress bar;
* ``appraisal``: season figures per option with the planner's gap carried, NPV and payback;
* ``plots``: the PNG figures; ``command``: the typer command.
"""
