"""Every permission Divert checks. Roles (roles.py) grant them; views declare which they need."""

from django.db import models


class Permission(models.TextChoices):
    VIEW_CASELOAD = "view_caseload", "See the team's caseload list"
    VIEW_RECORDS = "view_records", "Open person and episode records within the user's scope"
    VIEW_SERVICE_RECORDS = "view_service_records", "See people and episodes across the service"
    RECORD_CLINICAL = "record_clinical", "Record referrals, screening, assessment and support"
    ALLOCATE_WORK = "allocate_work", "Allocate referrals to practitioners"
    APPROVE_DISCLOSURE = "approve_disclosure", "Approve reports and disclosures before sharing"
    BREAK_GLASS = "break_glass", "Open a record outside the caseload, giving a reason"
    REVIEW_ACCESS = "review_access", "Review break-glass access by the team"
    VIEW_AGGREGATES = "view_aggregates", "See aggregate reports (suppressed for commissioners)"
    VIEW_UNSUPPRESSED_REPORTS = "view_unsuppressed_reports", "See reports without suppression"
    VIEW_REPORTS = "view_reports", "Open the reporting dashboards and downloads"
    VIEW_PARTNER_INBOX = "view_partner_inbox", "See disclosures addressed to the user's agency"
    VIEW_AUDIT = "view_audit", "See the audit trail and access reports"
    MANAGE_USERS = "manage_users", "Manage users, teams and role assignments"
    MANAGE_CONFIGURATION = "manage_configuration", "Manage sites, directory and code lists"
    MERGE_PEOPLE = (
        "merge_people",
        "Review likely duplicate people, and merge or unmerge two records of one person",
    )
