"""Explainable credit scorecards: learned from outcomes or written as an expert rubric.

A pure library (numpy, pandas, scikit-learn); see docs/credit.md.
"""

from credit.expert import ExpertScorecard, load_rubric
from credit.scorecard import Scorecard

__all__ = ["ExpertScorecard", "Scorecard", "load_rubric"]
