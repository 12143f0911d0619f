"""Commissioner suppression: small counts hidden, others rounded, rates only on safe bases."""

import pytest

from divert.core.presenters import suppressed
from divert.reporting import suppression


def entry(numerator, denominator, value):
    return {"numerator": numerator, "denominator": denominator, "value": value}


def kpi(numerator, denominator, value):
    top = entry(numerator, denominator, value)
    return {**top, "by_age_group": {"youth": entry(0, 0, None), "adult": dict(top)}}


@pytest.mark.parametrize(
    ("count", "shown", "is_suppressed"),
    [
        (0, 0, False),
        (1, None, True),
        (4, None, True),
        (5, 5, False),
        (7, 5, False),
        (8, 10, False),
        (12, 10, False),
        (13, 15, False),
    ],
)
def test_for_audience_commissioner_counts(count, shown, is_suppressed):
    """0 stays 0, 1–4 are suppressed, others round to the nearest 5 (7 → 5, 8 → 10)."""
    result = suppression.for_audience({"referrals": kpi(count, None, count)}, "commissioner")

    referrals = result["referrals"]
    assert referrals["numerator"] == shown
    assert referrals["value"] == shown
    assert ("numerator" in referrals["suppressed"]) is is_suppressed


def test_for_audience_commissioner_rate_needs_safe_denominator():
    """A rate is shown only when its denominator (and numerator) are not suppressed."""
    result = suppression.for_audience(
        {
            "screened": kpi(3, 4, 0.75),
            "assessed": kpi(7, 8, 0.875),
            "referred_onward": kpi(2, 40, 0.05),
            "shared_before_decision": kpi(0, 0, None),
        },
        "commissioner",
    )

    assert result["screened"]["value"] is None
    assert result["screened"]["suppressed"] == ["numerator", "denominator", "value"]
    assert (result["assessed"]["numerator"], result["assessed"]["denominator"]) == (5, 10)
    assert result["assessed"]["value"] == 0.88  # from the exact counts, to a whole percent
    assert result["referred_onward"]["value"] is None
    assert result["referred_onward"]["denominator"] == 40
    assert result["shared_before_decision"]["value"] is None
    assert result["shared_before_decision"]["suppressed"] == []
    assert result["assessed"]["by_age_group"]["adult"]["numerator"] == 5


def test_for_audience_commissioner_median_needs_five_episodes():
    """A median over fewer than five episodes is not shown."""
    few = {"median_hours_to_screening": kpi(None, 3, 4.0)}
    many = {"median_hours_to_screening": kpi(None, 6, 4.5)}

    assert (
        suppression.for_audience(few, "commissioner")["median_hours_to_screening"]["value"] is None
    )
    assert (
        suppression.for_audience(many, "commissioner")["median_hours_to_screening"]["value"] == 4.5
    )


def test_for_audience_service_unchanged_and_breakdowns_supported():
    """Other audiences see exact numbers; breakdown rows are handled row by row."""
    rows = [{"group": "north", "label": "North", "kpis": {"referrals": kpi(3, None, 3)}}]

    service = suppression.for_audience(rows, "service")
    commissioner = suppression.for_audience(rows, "commissioner")

    assert service[0]["kpis"]["referrals"]["numerator"] == 3
    assert commissioner[0]["kpis"]["referrals"]["numerator"] is None
    assert rows[0]["kpis"]["referrals"]["numerator"] == 3  # input untouched
    with pytest.raises(ValueError, match="audience"):
        suppression.for_audience(rows, "public")


def test_for_audience_threshold_and_rounding_come_from_settings(settings):
    """DIVERT_SUPPRESSION_THRESHOLD and DIVERT_ROUNDING_BASE change the rules."""
    settings.DIVERT_SUPPRESSION_THRESHOLD = 10
    settings.DIVERT_ROUNDING_BASE = 10

    result = suppression.for_audience(
        {"a": kpi(9, None, 9), "b": kpi(15, None, 15), "c": kpi(14, None, 14)}, "commissioner"
    )

    assert result["a"]["numerator"] is None
    assert result["b"]["numerator"] == 20
    assert result["c"]["numerator"] == 10
    assert suppressed(9) == "<10"
    assert suppressed(10) == "10"
