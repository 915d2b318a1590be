"""jixiao (绩效): budget performance self-evaluation forms — fill in, score, check, publish."""

__version__ = "0.1.0"
