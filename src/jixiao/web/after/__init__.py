"""After the score (issue 12): evidence, rectification, re-check results in public, 结果应用, and the
department-wide self-evaluation with its 自评报告."""
