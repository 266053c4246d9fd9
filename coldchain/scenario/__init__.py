"""The scenario: the domain types, reading and validating a scenario folder, the model data in
``models/`` (catalogue), travel, freshness terms, clock times and the scenario summary.

The bottom layer: it imports only the standard library, pydantic and numpy.
"""
