"""A small directory built through the directory actions, for tests."""

from divert.directory import actions


def directory(admin, service):
    """Four services across two organisations and the fixture's north and south force areas.

    Returns a dict by short name: ``adult_drugs`` (north, 18+), ``youth_drugs`` (everywhere,
    10-17), ``national_drugs`` (everywhere, any age), ``south_housing`` (south, 18+).
    """
    areas = {
        "north": service["sites"]["north-custody"].force_area,
        "south": service["sites"]["south-custody"].force_area,
    }
    nhs = actions.create_organisation(by=admin, name="Example Health (synthetic)")
    charity = actions.create_organisation(by=admin, name="Example Charity (synthetic)")
    return {
        "adult_drugs": actions.create_service(
            by=admin,
            organisation=nhs,
            name="North Recovery Service (synthetic)",
            categories=["drug_and_alcohol"],
            min_age=18,
            areas_served=[areas["north"]],
            description="Drug and alcohol treatment for adults.",
        ),
        "youth_drugs": actions.create_service(
            by=admin,
            organisation=charity,
            name="Young People's Drug Service (synthetic)",
            categories=["drug_and_alcohol", "youth_services"],
            min_age=10,
            max_age=17,
        ),
        "national_drugs": actions.create_service(
            by=admin,
            organisation=charity,
            name="Drugs Helpline (synthetic)",
            categories=["drug_and_alcohol"],
            description="Advice line, any age.",
        ),
        "south_housing": actions.create_service(
            by=admin,
            organisation=nhs,
            name="South Housing Options (synthetic)",
            categories=["housing"],
            min_age=18,
            areas_served=[areas["south"]],
        ),
    }
