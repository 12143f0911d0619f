"""The referral status machine, table-driven from states.py: every cell of the grid."""

import itertools

import pytest

from divert.referrals import states
from divert.referrals.models import ReferralStatus as S

ALL_PAIRS = list(itertools.product(S, S))
ALLOWED = [(a, b) for a, b in ALL_PAIRS if states.is_allowed(a, b)]
REFUSED = [(a, b) for a, b in ALL_PAIRS if not states.is_allowed(a, b)]


def test_grid_is_the_full_cross_product():
    """The table has a row for every status and a cell for every next status."""

    assert set(states.GRID) == set(S)
    assert all(len(row) == len(S) for row in states.GRID.values())
    assert all(cell in (0, 1) for row in states.GRID.values() for cell in row)
    assert len(ALLOWED) + len(REFUSED) == len(S) ** 2


def test_grid_is_the_documented_machine():
    """The allowed moves are exactly those in ADR 0011."""

    assert set(ALLOWED) == {
        (S.DRAFT, S.SENT),
        (S.DRAFT, S.CLOSED),
        (S.SENT, S.ACCEPTED),
        (S.SENT, S.DECLINED),
        (S.SENT, S.CLOSED),
        (S.ACCEPTED, S.APPOINTMENT_BOOKED),
        (S.ACCEPTED, S.CLOSED),
        (S.DECLINED, S.CLOSED),
        (S.APPOINTMENT_BOOKED, S.ATTENDED),
        (S.APPOINTMENT_BOOKED, S.DID_NOT_ATTEND),
        (S.APPOINTMENT_BOOKED, S.CLOSED),
        (S.ATTENDED, S.CLOSED),
        (S.DID_NOT_ATTEND, S.CLOSED),
    }


def test_closed_is_final_and_every_live_status_can_close():
    """Nothing follows closed; every other status can be closed."""

    assert states.next_statuses(S.CLOSED) == []
    assert all(states.is_allowed(status, S.CLOSED) for status in states.LIVE)


@pytest.mark.parametrize(("current", "to"), ALL_PAIRS)
def test_needs_reason_for_decline_and_early_close(current, to):
    """A reason is needed to decline, and to close before an outcome."""

    expected = to == S.DECLINED or (
        to == S.CLOSED and current not in {S.DECLINED, S.ATTENDED, S.DID_NOT_ATTEND}
    )

    assert states.needs_reason(current, to) is expected
