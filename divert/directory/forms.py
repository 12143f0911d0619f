"""Directory forms: the search filters, and the service and organisation forms for admins."""

from typing import Any

from django import forms

from divert.cases.fields import NHSForm, YesNoField
from divert.core import codelists
from divert.directory.models import DirectoryOrganisation, DirectoryService
from divert.organisation.models import ForceArea

AGE_ERRORS = {
    "invalid": "Enter the age as a whole number of years, like 17",
    "min_value": "The age must be 0 or more",
    "max_value": "The age must be 120 or less",
}


def _age_field(label: str, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=120,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-3"}),
        error_messages=AGE_ERRORS,
        **kwargs,
    )


class SearchForm(forms.Form):
    """GET filters on the directory list; every field is optional."""

    category = forms.ChoiceField(required=False, label="Need (service category)")
    force_area = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="Area (police force)"
    )
    age = _age_field("Age of the person")
    text = forms.CharField(required=False, max_length=100, label="Words in the name or description")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [  # type: ignore[attr-defined]
            ("", "Any need"),
            *codelists.choices("service-category"),
        ]
        self.fields["force_area"].choices = [  # type: ignore[attr-defined]
            ("", "Any area"),
            *[(area.pk, area.name) for area in ForceArea.objects.order_by("name")],
        ]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        area = data.get("force_area")
        return {
            "category": data.get("category") or None,
            "force_area": ForceArea.objects.filter(pk=area).first() if area else None,
            "age": data.get("age"),
            "text": data.get("text") or "",
        }


class ServiceForm(NHSForm):
    organisation = forms.TypedChoiceField(
        coerce=int,
        label="Organisation",
        error_messages={"required": "Choose the organisation that runs the service"},
    )
    name = forms.CharField(
        label="Service name", max_length=200, error_messages={"required": "Enter the service name"}
    )
    categories = forms.MultipleChoiceField(
        label="Needs it meets (service categories)",
        choices=codelists.choices("service-category"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one category"},
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    eligibility = forms.CharField(
        label="Who it is for (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Eligibility in words, for example adults registered with a Tees GP",
    )
    min_age = _age_field("Youngest age accepted (optional)")
    max_age = _age_field("Oldest age accepted (optional)")
    areas_served = forms.TypedMultipleChoiceField(
        coerce=int,
        label="Police force areas served",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave every box empty if the service takes people from anywhere",
    )
    area_description = forms.CharField(
        label="Area served, in words (optional)", required=False, max_length=200
    )
    hours = forms.CharField(
        label="Opening hours (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    phone = forms.CharField(label="Telephone (optional)", required=False, max_length=40)
    email = forms.EmailField(
        label="Email address for referrals (optional)",
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.org"},
    )
    website = forms.URLField(
        label="Website (optional)",
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter a web address like https://example.org"},
    )
    address = forms.CharField(
        label="Address (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    referral_route = forms.CharField(
        label="How to refer (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    is_self_referral_accepted = YesNoField(
        label="Can people refer themselves?",
        error_messages={"required": "Say whether people can refer themselves"},
    )
    accessibility = forms.CharField(
        label="Accessibility (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    languages = forms.CharField(label="Languages (optional)", required=False, max_length=200)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].choices = [  # type: ignore[attr-defined]
                ("", "Choose an organisation"),
                *[
                    (org.pk, org.name)
                    for org in DirectoryOrganisation.objects.filter(is_active=True)
                ],
            ]
        self.fields["areas_served"].choices = [  # type: ignore[attr-defined]
            (area.pk, area.name) for area in ForceArea.objects.order_by("name")
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        low, high = cleaned.get("min_age"), cleaned.get("max_age")
        if low is not None and high is not None and high < low:
            self.add_error("max_age", "The oldest age must not be below the youngest age")
        return cleaned

    def values(self) -> dict[str, Any]:
        values = dict(self.cleaned_data)
        values.pop("organisation", None)
        values["areas_served"] = list(ForceArea.objects.filter(pk__in=values["areas_served"]))
        return values

    @staticmethod
    def initial_for(service: DirectoryService) -> dict[str, Any]:
        initial = {
            name: getattr(service, name)
            for name in ServiceForm.base_fields
            if name not in {"organisation", "areas_served"}
        }
        initial["areas_served"] = [area.pk for area in service.areas_served.all()]
        return initial


class OrganisationForm(NHSForm):
    name = forms.CharField(
        label="Organisation name",
        max_length=200,
        error_messages={"required": "Enter the organisation name"},
    )
    description = forms.CharField(
        label="Description (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    website = forms.URLField(
        label="Website (optional)",
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter a web address like https://example.org"},
    )
    email = forms.EmailField(
        label="Email address (optional)",
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.org"},
    )
    phone = forms.CharField(label="Telephone (optional)", required=False, max_length=40)


class ImportForm(forms.Form):
    """A CSV file in the export format. The file is read here; the rows are checked by
    ``csvio.import_csv``, which names each problem by line and column."""

    MAX_BYTES = 5 * 1024 * 1024

    file = forms.FileField(
        label="CSV file",
        error_messages={
            "required": "Choose a CSV file",
            "empty": "The file is empty",
            "invalid": "Choose a CSV file",
        },
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The file must be smaller than 5 MB")
        try:
            self.cleaned_data["text"] = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                "The file must be saved as CSV UTF-8 (in Excel: Save As, CSV UTF-8)"
            ) from None
        return upload
