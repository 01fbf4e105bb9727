"""Explainable credit scorecards: learned from outcomes or written as an expert rubric.

A pure library (numpy, pandas, scikit-learn); see docs/credit.md.
"""

from credit._binning import TrendWarning
from credit._rubric import Domain, MissingRule
from credit.expert import ExpertScorecard, load_rubric
from credit.grades import grade_risk_table, grade_risks
from credit.scorecard import Scorecard

__all__ = [
    "Domain",
    "ExpertScorecard",
    "MissingRule",
    "Scorecard",
    "TrendWarning",
    "grade_risk_table",
    "grade_risks",
    "load_rubric",
]
