"""The indicator library (指标库, issue 13): entries managed by the finance bureau, learnt usage of stored forms,
statistics, benchmarks, suggestions for the editors and the checks that need the library."""
