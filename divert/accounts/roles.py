"""Roles as data. Each description is written for the IG lead and Caldicott Guardian to review.

A user may hold several roles (an administrator who is also a practitioner); their permissions
are the union.
"""

from dataclasses import dataclass

from django.db import models

from divert.accounts.permissions import Permission as P  # noqa: N817 - keeps the role table readable


class RoleName(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    TEAM_LEADER = "team_leader", "Team leader"
    SERVICE_MANAGER = "service_manager", "Service manager"
    COMMISSIONER = "commissioner", "Commissioner"
    PARTNER = "partner", "Partner agency"
    IG_OFFICER = "ig_officer", "Information governance officer"
    ADMINISTRATOR = "administrator", "Administrator"


@dataclass(frozen=True)
class Role:
    name: RoleName
    description: str
    permissions: frozenset[P]
    is_clinical: bool = False

    @property
    def display_name(self) -> str:
        return self.name.label


ROLES: dict[RoleName, Role] = {
    role.name: role
    for role in [
        Role(
            RoleName.PRACTITIONER,
            "Works referrals in custody and court: screening, assessment, onward referrals, "
            "reports and support. Sees people and episodes at their team's sites; anyone else "
            "only through an audited break-glass with a reason.",
            frozenset(
                {
                    P.VIEW_CASELOAD,
                    P.VIEW_RECORDS,
                    P.RECORD_CLINICAL,
                    P.BREAK_GLASS,
                    P.VIEW_AGGREGATES,
                }
            ),
            is_clinical=True,
        ),
        Role(
            RoleName.TEAM_LEADER,
            "Allocates work, reviews and approves reports and disclosures, supervises. Sees "
            "their team's caseload, and the reporting dashboards for their team's sites. Reviews "
            "likely duplicate people on that caseload and merges (or unmerges) two records of "
            "one person, giving a reason.",
            frozenset(
                {
                    P.VIEW_CASELOAD,
                    P.VIEW_RECORDS,
                    P.RECORD_CLINICAL,
                    P.ALLOCATE_WORK,
                    P.APPROVE_DISCLOSURE,
                    P.BREAK_GLASS,
                    P.REVIEW_ACCESS,
                    P.VIEW_AGGREGATES,
                    P.VIEW_UNSUPPRESSED_REPORTS,
                    P.MERGE_PEOPLE,
                    P.VIEW_REPORTS,
                }
            ),
            is_clinical=True,
        ),
        Role(
            RoleName.SERVICE_MANAGER,
            "Runs the service across force areas and watches performance. Sees the whole "
            "service's records and reports. Reviews likely duplicate people and merges (or "
            "unmerges) two records of one person, giving a reason.",
            frozenset(
                {
                    P.VIEW_CASELOAD,
                    P.VIEW_RECORDS,
                    P.VIEW_SERVICE_RECORDS,
                    P.ALLOCATE_WORK,
                    P.APPROVE_DISCLOSURE,
                    P.VIEW_AGGREGATES,
                    P.VIEW_UNSUPPRESSED_REPORTS,
                    P.MERGE_PEOPLE,
                    P.VIEW_REPORTS,
                }
            ),
            is_clinical=True,
        ),
        Role(
            RoleName.COMMISSIONER,
            "Monitors KPIs and equality for the commissioner. Sees aggregates only (the "
            "dashboards and the monthly return), with small numbers suppressed; never a "
            "person, an episode or free text.",
            frozenset({P.VIEW_AGGREGATES, P.VIEW_REPORTS}),
        ),
        Role(
            RoleName.PARTNER,
            "A named person at one police force, court, CPS, probation or youth justice "
            "service. Sees only disclosures addressed to their agency, within the consent "
            "given; never the clinical record.",
            frozenset({P.VIEW_PARTNER_INBOX}),
        ),
        Role(
            RoleName.IG_OFFICER,
            "Reviews the audit trail, access reports, break-glass use, subject access requests "
            "and retention. Opens a person's record only against a recorded request reference.",
            frozenset({P.VIEW_AUDIT, P.VIEW_RECORDS, P.REVIEW_ACCESS}),
        ),
        Role(
            RoleName.ADMINISTRATOR,
            "Manages users, teams, sites, the directory of services and code lists. Sees no "
            "clinical data unless they also hold a clinical role.",
            frozenset({P.MANAGE_USERS, P.MANAGE_CONFIGURATION}),
        ),
    ]
}
