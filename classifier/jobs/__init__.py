"""Jobs and work logs: split a text into activities, then label them and sum them into the job's mix.

* :mod:`classifier.jobs.patterns`: the pattern tables (bullets, headings, section names,
  requirement/salary/benefit patterns) that find where activities start and what the other
  pieces are;
* :mod:`classifier.jobs.duty_lists`: :func:`split_duty_list`, which cuts a prose sentence listing
  several duties into them;
* :mod:`classifier.jobs.splitter`: :class:`ActivitySplitter`, the walk through a text, and
  :func:`split_activities`;
* :mod:`classifier.jobs.analysis`: :func:`analyze_job` (a text), :func:`analyze_job_table`
  (a work log or duty list as a table, with hours per row) and :class:`JobAnalysis`.
"""

from classifier.jobs.analysis import (
    JobAnalysis,
    ScoredActivity,
    analyze_job,
    analyze_job_source,
    analyze_job_table,
    label_mix,
    read_job_text,
    recommendations,
)
from classifier.jobs.patterns import ACTIVITY, NON_ACTIVITY_KINDS
from classifier.jobs.splitter import Activity, ActivitySplitter, split_activities

__all__ = [
    "Activity",
    "ActivitySplitter",
    "split_activities",
    "ACTIVITY",
    "NON_ACTIVITY_KINDS",
    "JobAnalysis",
    "ScoredActivity",
    "analyze_job",
    "analyze_job_table",
    "analyze_job_source",
    "label_mix",
    "recommendations",
    "read_job_text",
]
