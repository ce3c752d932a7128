"""ORM models of the triage database. Each module owns one concern; all share `Base`."""

from schildwacht.models.base import Base
from schildwacht.models.collector_state import CollectorCursor, CollectorPause, CollectorUsage
from schildwacht.models.evidence import Capture, CaseAttachment, CustodyEvent, OrganisationKey
from schildwacht.models.intake import IntakeUpload
from schildwacht.models.mentions import Case, DeadLetterRecord, EvidenceBlob, Mention
from schildwacht.models.meta import MetaAccount, MetaComment, MetaOAuthState
from schildwacht.models.registry import Consent, Official, Organisation
from schildwacht.models.staff import AuditEvent, StaffSession, StaffToken, StaffUser
from schildwacht.models.statistics import FlaggedPostDay
from schildwacht.models.workflow import (
    AlertOutbox,
    CaseLink,
    CaseNote,
    CaseStep,
    LabelCorrection,
    LoginAttempt,
    MonthlyReportMailing,
)

__all__ = [
    "Base",
    "Organisation",
    "Official",
    "Consent",
    "StaffUser",
    "StaffSession",
    "StaffToken",
    "AuditEvent",
    "Mention",
    "Case",
    "EvidenceBlob",
    "DeadLetterRecord",
    "Capture",
    "CaseAttachment",
    "IntakeUpload",
    "CustodyEvent",
    "OrganisationKey",
    "AlertOutbox",
    "CaseStep",
    "CaseNote",
    "LabelCorrection",
    "CaseLink",
    "LoginAttempt",
    "CollectorCursor",
    "CollectorUsage",
    "CollectorPause",
    "MonthlyReportMailing",
    "FlaggedPostDay",
    "MetaAccount",
    "MetaOAuthState",
    "MetaComment",
]
