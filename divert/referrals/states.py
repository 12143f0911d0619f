"""The onward referral status machine (ADR 0011): which status may follow which.

``GRID`` is the whole table: one row per current status, one cell per next status, in the
order of ``ReferralStatus``. 1 means the move is allowed. Tests walk every cell, so a change
here is a change to the tested behaviour.

    draft -> sent -> accepted -> appointment_booked -> attended / did_not_attend -> closed
                  \\-> declined (with a reason) -> closed

A draft that will not be sent is closed (with a reason): that is how a draft is cancelled.
Any live referral can be closed; closing before an outcome (attended, did not attend or
declined) needs a reason. Closed is final.
"""

from divert.referrals.models import ReferralStatus as S  # noqa: N817 - keeps the grid readable

ORDER: tuple[S, ...] = tuple(S)

# fmt: off
GRID: dict[S, tuple[int, ...]] = {
    #                      draft sent acc  decl book att  dna  closed
    S.DRAFT:              (0,    1,   0,   0,   0,   0,   0,   1),
    S.SENT:               (0,    0,   1,   1,   0,   0,   0,   1),
    S.ACCEPTED:           (0,    0,   0,   0,   1,   0,   0,   1),
    S.DECLINED:           (0,    0,   0,   0,   0,   0,   0,   1),
    S.APPOINTMENT_BOOKED: (0,    0,   0,   0,   0,   1,   1,   1),
    S.ATTENDED:           (0,    0,   0,   0,   0,   0,   0,   1),
    S.DID_NOT_ATTEND:     (0,    0,   0,   0,   0,   0,   0,   1),
    S.CLOSED:             (0,    0,   0,   0,   0,   0,   0,   0),
}
# fmt: on

# Statuses that record how the referral ended; closing after one of these needs no reason.
OUTCOMES = frozenset({S.DECLINED, S.ATTENDED, S.DID_NOT_ATTEND})
# Statuses that record whether the person was supported to the first appointment.
ATTENDANCE = frozenset({S.ATTENDED, S.DID_NOT_ATTEND})
LIVE = frozenset(set(S) - {S.CLOSED})


def is_allowed(current: str, to: str) -> bool:
    return bool(GRID[S(current)][ORDER.index(S(to))])


def next_statuses(current: str) -> list[S]:
    """The statuses that may follow ``current``, in the table's order."""
    return [status for status, cell in zip(ORDER, GRID[S(current)], strict=True) if cell]


def needs_reason(current: str, to: str) -> bool:
    """A decline always needs a reason; so does closing before any outcome (a cancellation)."""
    return S(to) == S.DECLINED or (S(to) == S.CLOSED and S(current) not in OUTCOMES)


def needs_appointment(to: str) -> bool:
    return S(to) == S.APPOINTMENT_BOOKED


def needs_supported_answer(to: str) -> bool:
    return S(to) in ATTENDANCE
