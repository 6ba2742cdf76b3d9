"""Verdicts on the papers' printed formulas: the record, the runner, width sweeps, training
runs and figures."""
