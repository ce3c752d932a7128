"""ORM models of the triage database. Each module owns one concern; all share `Base`."""

from triage.models.base import Base
from triage.models.collector_state import CollectorCursor
from triage.models.evidence import Capture, CustodyEvent, OrganisationKey
from triage.models.mentions import Case, DeadLetterRecord, EvidenceBlob, Mention
from triage.models.registry import Consent, Official, Organisation
from triage.models.staff import AuditEvent, StaffSession, StaffUser
from triage.models.workflow import AlertOutbox, CaseStep, LoginAttempt

__all__ = ["Base", "Organisation", "Official", "Consent", "StaffUser", "StaffSession", "AuditEvent", "Mention",
           "Case", "EvidenceBlob", "DeadLetterRecord", "Capture", "CustodyEvent", "OrganisationKey", "AlertOutbox",
           "CaseStep", "LoginAttempt", "CollectorCursor"]
