"""The pure core: templates, calendar, schedule, merge and report over plain data.

Nothing in this package reads the clock, the environment or files, or imports an edge library
(Typer, Rich, TinyDB, openpyxl); ``today`` is always a parameter. tests/test_core_purity.py keeps
it that way.
"""
