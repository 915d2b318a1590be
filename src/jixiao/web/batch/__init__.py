"""A batch spread over many machines: files queued in the database, claimed by `jixiao batch work` /
`jixiao worker` processes with a conditional UPDATE, results back in the database."""

CLAIM_TIMEOUT = 300.0  # seconds: a claim older than this is taken to be a dead worker's, and taken over
