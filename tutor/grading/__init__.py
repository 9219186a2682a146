"""Short-answer grading against reference answers and key points."""

from tutor.grading.features import FEATURE_NAMES, GradingItem, compute_features
from tutor.grading.short_answer import (
    CALIBRATION_PATH,
    Calibration,
    Grade,
    ShortAnswerGrader,
    calibrate,
    shipped_calibration,
)

__all__ = [
    "CALIBRATION_PATH",
    "FEATURE_NAMES",
    "Calibration",
    "Grade",
    "GradingItem",
    "ShortAnswerGrader",
    "calibrate",
    "compute_features",
    "shipped_calibration",
]
