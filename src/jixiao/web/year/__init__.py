"""The year of a project beyond the self-evaluation: target declaration and review, monitoring, 预警 (issue 11)."""
