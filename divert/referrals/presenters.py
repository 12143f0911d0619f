"""Display-ready values for a referral: key facts, the history and the next moves."""

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from divert.core.formatting import uk_datetime
from divert.directory.presenters import age_range
from divert.referrals import states
from divert.referrals.models import OnwardReferral, ReferralStatus, ReferralStatusChange

S = ReferralStatus

# What the button or page for each move says.
STATUS_ACTIONS: dict[ReferralStatus, str] = {
    S.DRAFT: "Return to draft",
    S.SENT: "Mark as sent",
    S.ACCEPTED: "Mark as accepted",
    S.DECLINED: "Record that it was declined",
    S.APPOINTMENT_BOOKED: "Record the first appointment",
    S.ATTENDED: "Record that they attended",
    S.DID_NOT_ATTEND: "Record that they did not attend",
    S.CLOSED: "Close the referral",
}


def _name(user: Any) -> str:
    return (user.get_full_name() or user.username) if user else ""


def changed_message(current: OnwardReferral) -> str:
    return (
        "Someone else changed this referral while you were working on it. It is now "
        f"{current.get_status_display().lower()}. Nothing was saved: check it and try again."
    )


@dataclass
class NextMove:
    status: ReferralStatus
    text: str
    needs_details: bool
    href: str


@dataclass
class ReferralPresenter:
    referral: OnwardReferral
    history: list[ReferralStatusChange]

    @classmethod
    def load(cls, referral: OnwardReferral) -> "ReferralPresenter":
        return cls(referral, list(referral.status_changes.select_related("changed_by")))

    def rows(self) -> list[dict[str, Any]]:
        r = self.referral
        supported = r.was_supported_to_first_appointment
        rows = [
            ("Service", r.service.name),
            ("Organisation", r.service.organisation.name),
            ("Need", r.need.get_category_display() if r.need else "Not for a recorded need"),
            ("Status", r.get_status_display()),
            ("First appointment", uk_datetime(r.first_appointment_at) or "Not booked"),
            (
                "Supported to the first appointment",
                "Not recorded" if supported is None else ("Yes" if supported else "No"),
            ),
            ("Made", f"{uk_datetime(r.created_at)} by {_name(r.created_by)}"),
            ("Service contact", " · ".join(p for p in (r.service.phone, r.service.email) if p)),
            ("Ages the service takes", age_range(r.service)),
        ]
        return [
            {"key": {"text": key}, "value": {"text": value or "Not recorded"}}
            for key, value in rows
        ]

    def history_lines(self) -> list[dict[str, str]]:
        return [
            {
                "when": uk_datetime(change.changed_at),
                "status": change.get_status_display(),
                "by": _name(change.changed_by),
                "reason": change.reason,
            }
            for change in self.history
        ]

    def next_moves(self) -> list[NextMove]:
        r = self.referral
        base = reverse("referrals:change_status", args=[r.episode_id, r.pk])
        moves = []
        for status in states.next_statuses(r.status):
            needs_details = (
                states.needs_reason(r.status, status)
                or states.needs_appointment(status)
                or states.needs_supported_answer(status)
            )
            moves.append(
                NextMove(status, STATUS_ACTIONS[status], needs_details, f"{base}?to={status}")
            )
        return moves
