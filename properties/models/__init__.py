"""Property services (红色物业): companies and how each compound is served, owners'
committees and their decision pre-reports, half-yearly star ratings, disputes.

The models are split by concern; import them from here.
"""

from .committees import (  # noqa: F401
    Committee,
    CommitteeKind,
    CommitteeMember,
    CommitteeTerm,
    DecisionKind,
    DecisionReport,
    DecisionStatus,
    MemberRole,
    Reminder,
    ReminderKind,
)
from .companies import (  # noqa: F401
    COMPANY_MODES,
    COMPANYLESS_MODES,
    CompanyStaff,
    CrossAppointment,
    CrossAppointmentKind,
    PropertyCompany,
    ServiceMode,
    ServiceModeKind,
)
from .ratings import (  # noqa: F401
    Dispute,
    DisputeOutcome,
    Half,
    Household,
    Inspection,
    OrgReview,
    OwnerRating,
    PeriodStatus,
    RatingPeriod,
    RatingResult,
    ResultStatus,
)
