"""Blocking keys for people, kept in the database so an intake lookup is a few index seeks."""

from django.db import models

from divert.people.models import Alias, Person


class PersonKey(models.Model):
    """The linkage keys of one current person, or of one of their aliases.

    Derived data: ``divert.linkage.lookup.refresh_keys(person_ids)`` rewrites a person's rows
    from ``Person`` and ``Alias``. Merged-away people have no rows. Names are stored in their
    normalised forms (see ``linkage/normalise.py``), never shown.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="linkage_keys")
    alias = models.ForeignKey(
        Alias, on_delete=models.CASCADE, null=True, blank=True, related_name="linkage_keys"
    )
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    given_phonetic = models.CharField(max_length=40, blank=True)
    family_phonetic = models.CharField(max_length=40, blank=True)
    given_root = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    date_of_birth_swapped = models.DateField(null=True, blank=True)
    nhs_number = models.CharField(max_length=10, null=True, blank=True)
    pnc_id = models.CharField(max_length=10, null=True, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    postcode_district = models.CharField(max_length=4, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["nhs_number"], name="linkage_key_nhs"),
            models.Index(fields=["pnc_id"], name="linkage_key_pnc"),
            models.Index(fields=["family_phonetic", "date_of_birth"], name="linkage_key_fam_dob"),
            models.Index(fields=["given_phonetic", "date_of_birth"], name="linkage_key_giv_dob"),
            models.Index(fields=["date_of_birth"], name="linkage_key_dob"),
            models.Index(fields=["date_of_birth_swapped"], name="linkage_key_dob_swapped"),
            models.Index(fields=["family_name", "postcode_district"], name="linkage_key_fam_dist"),
            models.Index(fields=["given_root", "date_of_birth"], name="linkage_key_root_dob"),
            models.Index(fields=["given_root", "postcode"], name="linkage_key_root_postcode"),
            models.Index(fields=["given_root", "family_phonetic"], name="linkage_key_root_fam"),
            models.Index(fields=["given_name"], name="linkage_key_given"),
            models.Index(fields=["family_name", "given_root"], name="linkage_key_fam_root"),
        ]

    def __str__(self) -> str:
        return f"Linkage keys of person {self.person_id}"
