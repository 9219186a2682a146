"""The learner model: knowledge tracing, its fitting, spaced reviews, and planning.

- :mod:`~tutor.learner.bkt`: Bayesian Knowledge Tracing, P(known) per (learner, concept)
  from graded answers, partial credit allowed.
- :mod:`~tutor.learner.fit`: BKT parameters fitted to an attempts log by EM, and scored.
- :mod:`~tutor.learner.reviews`: review scheduling with FSRS.
- :mod:`~tutor.learner.planning`: the next step and the path to targets, over a
  :class:`PlanningGraph` built once per concept graph.
- :mod:`~tutor.learner.simulate`: simulated learners, for tests and benchmarks.

Everything here is pure: the services store attempts, mastery and cards, and call in.
"""

from tutor.learner._planning_graph import PlanningGraph
from tutor.learner.bkt import (
    DEFAULT_PARAMS,
    MASTERY_THRESHOLD,
    BKTParams,
    mastered,
    params_for,
    predict_correct,
    update,
)
from tutor.learner.fit import Evaluation, FitReport, evaluate, fit_bkt
from tutor.learner.planning import (
    Difficulty,
    LearnerState,
    Plan,
    PlanKind,
    PlanRules,
    Preferences,
    difficulty,
    learning_path,
    next_concept,
    plan_for,
)
from tutor.learner.reviews import CardState, new_card, rating_for, review
from tutor.learner.simulate import simulate_population, simulate_sequence

__all__ = [
    "DEFAULT_PARAMS",
    "MASTERY_THRESHOLD",
    "BKTParams",
    "CardState",
    "Difficulty",
    "Evaluation",
    "FitReport",
    "LearnerState",
    "Plan",
    "PlanKind",
    "PlanRules",
    "PlanningGraph",
    "Preferences",
    "difficulty",
    "evaluate",
    "fit_bkt",
    "learning_path",
    "mastered",
    "new_card",
    "next_concept",
    "params_for",
    "plan_for",
    "predict_correct",
    "rating_for",
    "review",
    "simulate_population",
    "simulate_sequence",
    "update",
]
