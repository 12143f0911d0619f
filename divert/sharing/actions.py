"""Changes to disclosures made by their recipients. (Drafting, approving and sharing arrive with
the disclosures workflow; consent enforcement lives there too.)"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from divert.accounts.models import User
from divert.audit import auditor
from divert.audit.models import AuditEvent
from divert.sharing.models import Disclosure


@transaction.atomic
def acknowledge_disclosure(*, disclosure: Disclosure, by: User) -> Disclosure:
    """A partner confirms receipt. Only someone at the recipient agency can, and only once."""
    disclosure = Disclosure.objects.select_for_update().get(pk=disclosure.pk)
    if by.agency_id != disclosure.agency_id or disclosure.shared_at is None:
        raise ValidationError("Only the receiving agency can acknowledge this disclosure")
    if disclosure.acknowledged_at is not None:
        raise ValidationError("This disclosure has already been acknowledged")
    disclosure.acknowledged_at = timezone.now()
    disclosure.acknowledged_by = by
    disclosure.save(update_fields=["acknowledged_at", "acknowledged_by"])
    auditor.record(
        event="disclosure.acknowledged",
        action=AuditEvent.Action.UPDATE,
        by=by,
        target=disclosure,
        person_id=disclosure.episode.person_id,
    )
    return disclosure
