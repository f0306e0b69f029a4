"""`make bench`: the site under load, against baselines from the same run (README: Benchmark)."""
