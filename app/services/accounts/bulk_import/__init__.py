"""Bulk onboarding: many people from one CSV file, checked whole before anything is written.

`plan_people_import` reads and checks the file and says what would happen to each row;
`carry_out` writes a plan with no problems. The pages and `flask users import` both
use them: a preview (or `--dry-run`) is a plan, an import is a plan carried out.
"""

from app.services.accounts.bulk_import.csv_file import COLUMNS, Problem
from app.services.accounts.bulk_import.plan import ImportPlan, plan_people_import
from app.services.accounts.bulk_import.rows import OUTCOME_LABELS, PlannedRow
from app.services.accounts.bulk_import.writing import ImportResult, carry_out

__all__ = [
    "COLUMNS",
    "OUTCOME_LABELS",
    "ImportPlan",
    "ImportResult",
    "PlannedRow",
    "Problem",
    "carry_out",
    "plan_people_import",
]
