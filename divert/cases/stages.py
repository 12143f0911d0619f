"""The stage of an episode, derived from what has been recorded (never typed in).

Order of precedence, latest first: closed, awaiting outcome (assessed), awaiting assessment
(screened), awaiting screening (offer accepted), not engaged (declined/not possible), new.
"""

from django.db import models
from django.db.models import Case, Exists, OuterRef, Value, When


class Stage(models.TextChoices):
    NEW = "new", "New referral"
    NOT_ENGAGED = "not_engaged", "Offer declined or not possible"
    AWAITING_SCREENING = "awaiting_screening", "Awaiting screening"
    AWAITING_ASSESSMENT = "awaiting_assessment", "Awaiting assessment"
    SUPPORT = "support", "Assessed: referral and support"
    CLOSED = "closed", "Closed"


def derive_stage(
    *,
    is_closed: bool,
    has_completed_assessment: bool,
    has_screening: bool,
    has_accepted_offer: bool,
    has_any_offer: bool,
) -> Stage:
    """Pure rule, shared by the QuerySet annotation and tests."""
    if is_closed:
        return Stage.CLOSED
    if has_completed_assessment:
        return Stage.SUPPORT
    if has_screening:
        return Stage.AWAITING_ASSESSMENT
    if has_accepted_offer:
        return Stage.AWAITING_SCREENING
    if has_any_offer:
        return Stage.NOT_ENGAGED
    return Stage.NEW


def annotate_stage(queryset: models.QuerySet) -> models.QuerySet:  # type: ignore[type-arg]
    """Add ``stage`` to each episode with EXISTS subqueries: one query however many rows."""
    from divert.cases.models import Assessment, Offer, OfferOutcome
    from divert.screening.models import Administration

    episode = OuterRef("pk")
    completed_assessment = Exists(
        Assessment.objects.filter(episode=episode, completed_at__isnull=False)
    )
    screening = Exists(Administration.objects.filter(episode=episode, is_complete=True))
    accepted = Exists(Offer.objects.filter(episode=episode, outcome=OfferOutcome.ACCEPTED))
    any_offer = Exists(Offer.objects.filter(episode=episode))
    return queryset.annotate(
        stage=Case(
            When(closed_at__isnull=False, then=Value(Stage.CLOSED.value)),
            When(completed_assessment, then=Value(Stage.SUPPORT.value)),
            When(screening, then=Value(Stage.AWAITING_ASSESSMENT.value)),
            When(accepted, then=Value(Stage.AWAITING_SCREENING.value)),
            When(any_offer, then=Value(Stage.NOT_ENGAGED.value)),
            default=Value(Stage.NEW.value),
            output_field=models.CharField(),
        )
    )
