"""ORM models of the triage database. Each module owns one concern; all share `Base`."""

from schildwacht.models.base import Base
from schildwacht.models.collector_state import CollectorCursor
from schildwacht.models.evidence import Capture, CaseAttachment, CustodyEvent, OrganisationKey
from schildwacht.models.mentions import Case, DeadLetterRecord, EvidenceBlob, Mention
from schildwacht.models.registry import Consent, Official, Organisation
from schildwacht.models.staff import AuditEvent, StaffSession, StaffToken, StaffUser
from schildwacht.models.workflow import AlertOutbox, CaseLink, CaseNote, CaseStep, LabelCorrection, LoginAttempt

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
    "CustodyEvent",
    "OrganisationKey",
    "AlertOutbox",
    "CaseStep",
    "CaseNote",
    "LabelCorrection",
    "CaseLink",
    "LoginAttempt",
    "CollectorCursor",
]
