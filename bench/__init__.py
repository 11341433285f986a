"""`make bench`: the project against floors built from the same packages (see bench/run.py)."""
