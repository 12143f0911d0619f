"""Synthetic people and episodes, generated in two passes so a million episodes fit in memory.

Pass one plans every person (demographics, identifiers, duplicates) and the time and site of
each of their episodes, and writes the people. Pass two walks the episodes in referral order
and writes each one with everything recorded under it, a chunk at a time.

Every random choice goes through the one ``random.Random`` passed in, in a fixed order, so the
same seed and options give the same rows. Nothing iterates over a ``set`` (string hashing is
randomised per process).
"""

import datetime as dt
from dataclasses import dataclass, field
from random import Random
from typing import Any
from zoneinfo import ZoneInfo

from divert.cases.models import (
    Assessment,
    Contact,
    CourtHearing,
    Episode,
    Need,
    Offer,
    PoliceOutcome,
    Task,
)
from divert.core.bulk import new
from divert.nonprod import names
from divert.nonprod.seed import instruments as inst
from divert.nonprod.seed.reference import TEAM_FOR_AREA, Reference, StaffMember
from divert.organisation.models import SiteType
from divert.people.models import Alert, Alias, Person
from divert.referrals.models import OnwardReferral, ReferralStatus, ReferralStatusChange
from divert.screening.models import Administration, Answer
from divert.sharing.models import ConsentDecision, Disclosure, Document

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)

# Share of administrations whose item answers are stored. Totals, bands and flags are kept for
# every administration; item rows for all of them would be the largest table by far and make a
# million-episode seed several times slower, so only the scenario people and this fraction get
# them (enough to exercise every screen that shows answers).
ANSWER_ROW_FRACTION = 0.05

# Episodes per person: about 29% of people return at least once; 2% are frequent attenders.
EPISODES_PER_PERSON = [(1, 710), (2, 170), (3, 60), (4, 25), (5, 15), (6, 20)]
FREQUENT_RANGE = (6, 12)

# Age at first referral (ages 10 to 80, peak 18-40); under-18s are about 13% of people.
AGE_BANDS = [
    ((10, 13), 2.0),
    ((14, 15), 4.0),
    ((16, 17), 6.5),
    ((18, 24), 19.0),
    ((25, 34), 28.0),
    ((35, 44), 20.0),
    ((45, 54), 11.0),
    ((55, 64), 4.5),
    ((65, 80), 1.5),
]
GENDER_WEIGHTS = [("1", 800), ("2", 175), ("3", 8), ("4", 3), ("X", 8), ("Z", 6)]
# Custody populations in the North East are mostly White British; minority groups as seen on
# Teesside (Pakistani, Kurdish/Iranian/Iraqi, Eastern European, African communities).
ETHNIC_WEIGHTS = [
    ("A", 840),
    ("B", 5),
    ("C", 35),
    ("D", 7),
    ("E", 3),
    ("F", 5),
    ("G", 4),
    ("H", 6),
    ("J", 22),
    ("K", 4),
    ("L", 5),
    ("M", 3),
    ("N", 12),
    ("P", 2),
    ("R", 2),
    ("S", 12),
    ("Z", 20),
    ("99", 25),
]

SITE_WEIGHTS = {
    ("cleveland", True): [
        ("middlesbrough-youth-custody", 66),
        ("teesside-youth-court", 20),
        ("teesside-community-base", 8),
        ("virtual", 6),
    ],
    ("cleveland", False): [
        ("middlesbrough-custody", 63),
        ("teesside-magistrates", 19),
        ("teesside-crown-court", 4),
        ("teesside-community-base", 7),
        ("virtual", 7),
    ],
    ("durham", True): [
        ("durham-custody", 38),
        ("darlington-custody", 27),
        ("durham-youth-court", 22),
        ("virtual", 13),
    ],
    ("durham", False): [
        ("durham-custody", 35),
        ("darlington-custody", 24),
        ("darlington-voluntary-attendance", 9),
        ("newton-aycliffe-magistrates", 22),
        ("virtual", 10),
    ],
}
YOUTH_ONLY_SITE_FALLBACK = {
    "middlesbrough-youth-custody": "middlesbrough-custody",
    "teesside-youth-court": "teesside-magistrates",
    "durham-youth-court": "newton-aycliffe-magistrates",
}
ADULT_ONLY_SITE_FALLBACK = {
    "middlesbrough-custody": "middlesbrough-youth-custody",
    "teesside-magistrates": "teesside-youth-court",
    "teesside-crown-court": "teesside-youth-court",
    "newton-aycliffe-magistrates": "durham-youth-court",
    "darlington-voluntary-attendance": "darlington-custody",
}

# Referral hour (local time) by kind of site: custody around the clock with a night dip,
# courts in the morning list and after lunch, the rest in office hours.
_CUSTODY_HOURS = [3, 2.5, 2.5, 2, 1.5, 1.5, 2, 3, 5, 7, 8, 8, 8, 8, 8, 8, 8, 8, 8, 7.5, 7, 6, 5, 4]
_COURT_HOURS = [0] * 9 + [10, 25, 20, 12, 6, 15, 9, 3] + [0] * 7
_VA_HOURS = [0] * 9 + [8, 12, 12, 8, 10, 12, 12, 10, 6, 4, 2] + [0] * 4
_OFFICE_HOURS = [0] * 9 + [10, 14, 14, 8, 10, 12, 10, 6] + [0] * 7
_VIRTUAL_HOURS = [0] * 8 + [4, 10, 12, 12, 8, 10, 12, 10, 8, 6, 4, 3] + [0] * 4
HOUR_WEIGHTS: dict[str, list[Any]] = {
    SiteType.CUSTODY_SUITE: _CUSTODY_HOURS,
    SiteType.YOUTH_CUSTODY_SUITE: _CUSTODY_HOURS,
    SiteType.VOLUNTARY_ATTENDANCE: _VA_HOURS,
    SiteType.MAGISTRATES_COURT: _COURT_HOURS,
    SiteType.YOUTH_COURT: _COURT_HOURS,
    SiteType.CROWN_COURT: _COURT_HOURS,
    SiteType.COMMUNITY: _OFFICE_HOURS,
    SiteType.VIRTUAL: _VIRTUAL_HOURS,
}
# Monday..Sunday; custody is busiest at weekends, courts sit on weekdays (a Saturday remand court).
WEEKDAY_WEIGHTS: dict[str, list[Any]] = {
    SiteType.CUSTODY_SUITE: [0.9, 0.85, 0.85, 0.9, 1.0, 1.15, 1.05],
    SiteType.YOUTH_CUSTODY_SUITE: [0.9, 0.85, 0.85, 0.9, 1.0, 1.15, 1.05],
    SiteType.VOLUNTARY_ATTENDANCE: [1, 1, 1, 1, 1, 0.2, 0],
    SiteType.MAGISTRATES_COURT: [1, 1, 1, 1, 1, 0.04, 0],
    SiteType.YOUTH_COURT: [1, 1, 1, 1, 1, 0, 0],
    SiteType.CROWN_COURT: [1, 1, 1, 1, 1, 0, 0],
    SiteType.COMMUNITY: [1, 1, 1, 1, 1, 0, 0],
    SiteType.VIRTUAL: [1, 1, 1, 1, 1, 0.4, 0.4],
}
CUSTODY_TYPES = (SiteType.CUSTODY_SUITE, SiteType.YOUTH_CUSTODY_SUITE)
COURT_TYPES = (SiteType.MAGISTRATES_COURT, SiteType.YOUTH_COURT, SiteType.CROWN_COURT)

OFFENCES_ADULT = [
    ("violence_against_person", 30),
    ("theft", 12),
    ("criminal_damage_arson", 9),
    ("drug_offence", 8),
    ("public_order", 9),
    ("breach_of_order", 8),
    ("possession_of_weapons", 4),
    ("sexual_offence", 3),
    ("robbery", 3),
    ("fraud", 2),
    ("motoring", 5),
    ("miscellaneous_against_society", 3),
    ("other", 4),
]
OFFENCES_YOUTH = [
    ("violence_against_person", 30),
    ("theft", 15),
    ("criminal_damage_arson", 15),
    ("robbery", 8),
    ("possession_of_weapons", 7),
    ("drug_offence", 7),
    ("public_order", 8),
    ("sexual_offence", 2),
    ("motoring", 3),
    ("other", 5),
]
SOURCES = {
    "custody": [("E1", 94), ("E6", 1), ("B2", 2), ("H1", 1), ("M6", 2)],
    "voluntary_attendance": [("E1", 90), ("B1", 5), ("C1", 5)],
    "magistrates_court": [("E2", 62), ("E5", 15), ("E3", 12), ("M6", 6), ("B1", 5)],
    "crown_court": [("E2", 70), ("E3", 20), ("M6", 10)],
    "youth_court": [("E2", 60), ("E6", 35), ("B2", 5)],
    "community": [
        ("B1", 30),
        ("B2", 15),
        ("E3", 15),
        ("A1", 10),
        ("M4", 10),
        ("C1", 6),
        ("C3", 5),
        ("G4", 5),
        ("E1", 4),
    ],
    "probation": [("E3", 100)],
    "youth_justice_service": [("E6", 80), ("C2", 10), ("F1", 10)],
}
REFERRER_ROLES = {
    "custody": "Custody sergeant",
    "voluntary_attendance": "Investigating officer",
    "magistrates_court": "Legal adviser",
    "crown_court": "Court liaison officer",
    "youth_court": "Youth justice court officer",
    "community": "Referrer",
    "probation": "Probation practitioner",
    "youth_justice_service": "Youth justice case manager",
}
REFERRAL_REASONS = [
    "Custody staff concerned about low mood and poor eye contact.",
    "Disclosed thoughts of self-harm at booking-in.",
    "Appears confused and distracted; struggling to follow the booking-in process.",
    "Known to mental health services; reports not taking medication.",
    "History of alcohol misuse; withdrawal risk noted by the custody nurse.",
    "Reports heavy daily drug use and no fixed address.",
    "Distressed and tearful; asked to speak to someone about their mental health.",
    "Defence solicitor raised concerns about understanding of proceedings.",
    "Bench asked for L&D input before deciding bail.",
    "Appropriate adult concerned about communication and understanding.",
    "Probation practitioner requests a mental health screen.",
    "Self-referral after an earlier L&D contact.",
]
NOT_POSSIBLE_REASONS = {
    "custody": [
        ("intoxicated", 35),
        ("released_before_seen", 35),
        ("too_unwell", 15),
        ("asleep_or_resting", 7),
        ("transferred", 4),
        ("other", 4),
    ],
    "court": [("too_unwell", 40), ("transferred", 30), ("other", 30)],
    "other": [("too_unwell", 40), ("other", 60)],
}
POLICE_OUTCOMES = {
    "adult": [
        ("no_further_action", 20),
        ("community_resolution", 8),
        ("simple_caution", 7),
        ("conditional_caution", 5),
        ("charged_bailed", 20),
        ("charged_remanded", 10),
        ("released_under_investigation", 20),
        ("bail_pending_enquiries", 10),
    ],
    "youth": [
        ("no_further_action", 25),
        ("community_resolution", 20),
        ("youth_caution", 12),
        ("youth_conditional_caution", 10),
        ("charged", 13),
        ("released_under_investigation", 12),
        ("bail_pending_enquiries", 8),
    ],
}
FIRST_HEARING_OUTCOMES = {
    SiteType.MAGISTRATES_COURT: [
        ("sentenced", 30),
        ("adjourned_for_reports", 25),
        ("bail", 15),
        ("remanded_in_custody", 7),
        ("committed_to_crown_court", 8),
        ("dismissed_or_acquitted", 5),
        ("adjourned_other", 8),
        ("fitness_to_plead_referral", 2),
    ],
    SiteType.YOUTH_COURT: [
        ("sentenced", 35),
        ("adjourned_for_reports", 30),
        ("bail", 15),
        ("remanded_in_custody", 3),
        ("dismissed_or_acquitted", 7),
        ("adjourned_other", 10),
    ],
    SiteType.CROWN_COURT: [
        ("sentenced", 40),
        ("adjourned_for_reports", 30),
        ("bail", 15),
        ("remanded_in_custody", 10),
        ("fitness_to_plead_referral", 5),
    ],
}
SENTENCES = {
    "adult": [
        ("custodial", 12),
        ("suspended_sentence", 12),
        ("community_order", 28),
        ("community_order_cstr", 9),
        ("fine", 15),
        ("conditional_discharge", 12),
        ("absolute_discharge", 2),
        ("hospital_order", 2),
        ("other", 8),
    ],
    "youth": [
        ("youth_referral_order", 40),
        ("youth_rehabilitation_order", 25),
        ("conditional_discharge", 14),
        ("fine", 5),
        ("custodial", 5),
        ("absolute_discharge", 5),
        ("other", 6),
    ],
}
# Need category -> service-directory category for onward referrals.
NEED_TO_SERVICE = {
    "mental_health": "mental_health",
    "personality_disorder": "mental_health",
    "trauma": "mental_health",
    "suicide_self_harm": "mental_health",
    "substance_misuse_drugs": "drug_and_alcohol",
    "substance_misuse_alcohol": "drug_and_alcohol",
    "accommodation": "housing",
    "financial": "debt_and_benefits",
    "learning_disability": "learning_disability_autism",
    "learning_difficulty": "learning_disability_autism",
    "autism": "learning_disability_autism",
    "adhd": "learning_disability_autism",
    "speech_language_communication": "youth_services",
    "domestic_abuse": "domestic_abuse_support",
    "sexual_abuse": "domestic_abuse_support",
    "veteran": "veterans",
    "female_pathway": "womens_services",
    "physical_health": "gp_primary_care",
    "social_isolation": "voluntary_sector",
    "employment_education": "education_employment",
    "safeguarding": "social_care",
}
YOUTH_NEED_TO_SERVICE = {"adhd": "mental_health", "autism": "mental_health"}
IDENTIFIED_BY = [
    ("ld_practitioner", 60),
    ("self_reported", 25),
    ("police", 7),
    ("other_professional", 5),
    ("family_or_carer", 3),
]
DECLINE_REASONS = [
    "Outside the service's criteria.",
    "Already open to another team; information passed on.",
    "Person not contactable.",
]
AA_ORGANISATIONS = {
    "cleveland": "Tees Appropriate Adult Service (synthetic)",
    "durham": "County Durham Appropriate Adult Scheme (synthetic)",
}


def _weighted(rng: Random, pairs: list[tuple[Any, Any]]) -> Any:
    return rng.choices([value for value, _ in pairs], weights=[w for _, w in pairs])[0]


def parent_given(rng: Random) -> list[str]:
    return names.FEMALE_GIVEN_NAMES if rng.random() < 0.75 else names.MALE_GIVEN_NAMES


def age_on(dob: dt.date, on: dt.date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def at_local(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON).astimezone(UTC)


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(LONDON).date()


# --- identifiers ---------------------------------------------------------------------------


def nhs_check_digit(nine: str) -> int | None:
    total = sum(int(digit) * weight for digit, weight in zip(nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


PNC_CHECK_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"


def pnc_id(rng: Random, year: int) -> str:
    serial = rng.randrange(1, 1_000_000)
    yy = year % 100
    letter = PNC_CHECK_LETTERS[int(f"{yy:02d}{serial:07d}") % 23]
    return f"{yy:02d}/{serial}{letter}"


def typo(rng: Random, word: str) -> str:
    """A plausible keying error: transposed, doubled, dropped or changed letter."""
    if len(word) < 4:
        return word + word[-1]
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    if kind == 2:
        return word[:i] + word[i + 1 :]
    vowels = "aeiou"
    if word[i] in vowels:
        return word[:i] + rng.choice(vowels.replace(word[i], "")) + word[i + 1 :]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


# --- planning -------------------------------------------------------------------------------


@dataclass(slots=True)
class PersonRec:
    """What the episode pass needs to know about a person (the row itself is written early)."""

    local_id: str
    given: str
    family: str
    dob: dt.date
    gender: str
    ethnic: str
    area: str
    nfa: bool = False
    frequent: bool = False
    veteran: bool = False
    ld: bool = False
    autism: bool = False
    adhd: bool = False
    slcn: bool = False
    pk: int | None = None
    model: Any = None  # the Person row until it is written, then None


@dataclass(slots=True)
class Slot:
    """One episode to write: when, who, where, and (for scenarios) how."""

    at: dt.datetime
    order: int
    person: PersonRec
    site: str
    key: tuple = ()
    force_needs: tuple[str, ...] = ()
    force_open: bool = False
    force_accept: bool = False


@dataclass
class Generator:
    rng: Random
    ref: Reference
    now: dt.datetime
    years: int
    batch: Any
    people: list[PersonRec] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)
    used_nhs: set[str] = field(default_factory=set)
    counter: int = 0

    def __post_init__(self) -> None:
        self.today = local_date(self.now)
        self.window_start = self.now - dt.timedelta(days=round(365.25 * self.years))
        self.site_type: dict[str, str] = {
            code: site.site_type for code, site in self.ref.sites.items()
        }
        self.site_area = {code: site.force_area.code for code, site in self.ref.sites.items()}
        self._age_bands = [band for band, _ in AGE_BANDS]
        self._age_weights = [weight for _, weight in AGE_BANDS]
        self._k_values = [k for k, _ in EPISODES_PER_PERSON]
        self._k_weights = [w for _, w in EPISODES_PER_PERSON]
        self._genders = [g for g, _ in GENDER_WEIGHTS]
        self._gender_w = [w for _, w in GENDER_WEIGHTS]
        self._ethnic = [e for e, _ in ETHNIC_WEIGHTS]
        self._ethnic_w = [w for _, w in ETHNIC_WEIGHTS]
        self.staff_by_team: dict[str, list[StaffMember]] = self.ref.practitioners
        self.leaders_by_team = self.ref.team_leaders
        self.demo_practitioner = self.ref.users["demo-practitioner"]
        self.episode_seq = 0
        assert self.ref.scorer is not None
        self.scorer: inst.Scorer = self.ref.scorer

    # --- people ---

    def new_local_id(self) -> str:
        self.counter += 1
        return f"DIV-{self.counter:07d}"

    def nhs_number(self) -> str:
        rng = self.rng
        while True:
            nine = f"999{rng.randrange(0, 1_000_000):06d}"
            check = nhs_check_digit(nine)
            if check is None:
                continue
            number = f"{nine}{check}"
            if number not in self.used_nhs:
                self.used_nhs.add(number)
                return number

    def names_for(self, gender: str, ethnic: str) -> tuple[str, str]:
        rng = self.rng
        female = gender == "2" or (gender not in ("1", "2") and rng.random() < 0.5)
        neutral = gender in ("3", "4") and rng.random() < 0.5
        if ethnic in ("H", "J", "K", "L", "F"):
            given = rng.choice(
                names.SOUTH_ASIAN_GIVEN_FEMALE if female else names.SOUTH_ASIAN_GIVEN_MALE
            )
            family = rng.choice(
                names.INDIAN_FAMILY
                if ethnic == "H"
                else names.BANGLADESHI_FAMILY
                if ethnic == "K"
                else names.PAKISTANI_FAMILY
            )
        elif ethnic in ("N", "P", "E"):
            given = rng.choice(names.AFRICAN_GIVEN_FEMALE if female else names.AFRICAN_GIVEN_MALE)
            family = rng.choice(names.AFRICAN_FAMILY)
        elif ethnic in ("M", "D"):
            given = rng.choice(names.FEMALE_GIVEN_NAMES if female else names.MALE_GIVEN_NAMES)
            family = rng.choice(names.CARIBBEAN_FAMILY)
        elif ethnic == "C":
            given = rng.choice(
                names.OTHER_WHITE_GIVEN_FEMALE if female else names.OTHER_WHITE_GIVEN_MALE
            )
            family = rng.choice(names.OTHER_WHITE_FAMILY)
        elif ethnic == "S":
            given = rng.choice(names.OTHER_GIVEN_FEMALE if female else names.OTHER_GIVEN_MALE)
            family = rng.choice(names.OTHER_FAMILY)
        elif ethnic == "R":
            given, family = rng.choice(names.CHINESE_GIVEN), rng.choice(names.CHINESE_FAMILY)
        else:
            given = rng.choice(names.FEMALE_GIVEN_NAMES if female else names.MALE_GIVEN_NAMES)
            family = rng.choice(names.NORTH_EAST_FAMILY_NAMES)
        if neutral:
            given = rng.choice(names.NEUTRAL_GIVEN_NAMES)
        return given, family

    def address(self, area: str) -> tuple[str, str]:
        rng = self.rng
        town, districts = rng.choice(
            names.CLEVELAND_TOWNS if area == "cleveland" else names.DURHAM_TOWNS
        )
        letters = names.POSTCODE_INWARD_LETTERS
        postcode = f"{rng.choice(districts)} {rng.randrange(1, 10)}{rng.choice(letters)}"
        postcode += rng.choice(letters)
        line = f"{rng.randrange(1, 180)} {rng.choice(names.STREET_NAMES)}, {town}"
        return line, postcode

    def staff_for(self, team_name: str, when: dt.datetime) -> Any:
        """A practitioner on the team at ``when``; team leaders pick up some work too."""
        rng = self.rng
        if rng.random() < 0.08:
            return rng.choice(self.leaders_by_team[team_name])
        cutoff = when.date() + dt.timedelta(days=60)
        recent = when > self.now - 45 * DAY
        if team_name == TEAM_FOR_AREA["cleveland"] and recent and rng.random() < 0.05:
            return self.demo_practitioner
        while True:
            member = rng.choice(self.staff_by_team[team_name])
            if member.left_on is None or cutoff < member.left_on:
                return member.user

    def make_person(
        self,
        *,
        first_at: dt.datetime,
        age: int,
        area: str,
        gender: str | None = None,
        ethnic: str | None = None,
        given: str | None = None,
        family: str | None = None,
        dob: dt.date | None = None,
        nhs: bool | None = None,
        pnc: str | None | bool = None,
        nfa: bool | None = None,
        frequent: bool = False,
        alerts: bool = True,
    ) -> PersonRec:
        rng = self.rng
        gender = gender or rng.choices(self._genders, weights=self._gender_w)[0]
        ethnic = ethnic or rng.choices(self._ethnic, weights=self._ethnic_w)[0]
        drawn_given, drawn_family = self.names_for(gender, ethnic)
        given = given or drawn_given
        family = family or drawn_family
        first_day = local_date(first_at)
        if dob is None:
            dob = years_before(first_day, age) - dt.timedelta(days=rng.randrange(0, 365))
            if age_on(dob, first_day) < 10:
                dob = years_before(dob, 1)
        youth = age < 18
        nfa = (rng.random() < (0.02 if youth else 0.09)) if nfa is None else nfa
        has_nhs = (rng.random() < 0.70) if nhs is None else nhs
        if pnc is None:
            pnc = rng.random() < (0.25 if youth else 0.60)
        if pnc is True:
            first_arrest = min(first_day.year, dob.year + max(12, min(age, 14 + rng.randrange(20))))
            pnc = pnc_id(rng, first_arrest)
        rec = PersonRec(
            local_id=self.new_local_id(),
            given=given,
            family=family,
            dob=dob,
            gender=gender,
            ethnic=ethnic,
            area=area,
            nfa=nfa,
            frequent=frequent,
            veteran=not youth and age >= 22 and rng.random() < (0.04 if gender == "1" else 0.01),
            ld=rng.random() < 0.03,
            autism=rng.random() < (0.06 if youth else 0.03),
            adhd=rng.random() < (0.15 if youth else 0.05),
            slcn=rng.random() < (0.15 if youth else 0.03),
        )
        if nfa:
            line, postcode = "", ""
        else:
            line, postcode = self.address(area)
        gp_code, gp_name = "", ""
        if rng.random() < 0.75:
            gp_code, gp_name = rng.choice(names.GP_PRACTICES[:-1])
        elif nfa and rng.random() < 0.5:
            gp_code, gp_name = names.GP_PRACTICES[-1]
        interpreter = ""
        if ethnic in names.INTERPRETER_LANGUAGES and rng.random() < 0.25:
            interpreter = rng.choice(names.INTERPRETER_LANGUAGES[ethnic])
        communication = []
        if rec.ld:
            communication.append("Use simple language and check understanding.")
        if rec.slcn:
            communication.append("Speech and language needs: short questions, allow extra time.")
        if rec.autism:
            communication.append("Autistic: prefers a quiet room and clear explanations.")
        if interpreter:
            communication.append(f"Needs an interpreter ({interpreter}).")
        rec.model = new(
            Person,
            local_id=rec.local_id,
            nhs_number=self.nhs_number() if has_nhs else None,
            pnc_id=pnc or None,
            given_name=given,
            family_name=family,
            date_of_birth=dob,
            gender_identity=gender,
            ethnic_category=ethnic,
            address_line=line,
            postcode=postcode,
            has_no_fixed_abode=nfa,
            gp_practice_code=gp_code,
            gp_practice_name=gp_name,
            communication_needs=" ".join(communication),
            interpreter_language=interpreter,
            ld_status=rng.choice("1234") if rec.ld else rng.choice("XXXXXXX5U"),
            autism_status=rng.choice("1234") if rec.autism else rng.choice("XXXXXXX5U"),
            is_synthetic=True,
            created_at=min(first_at + 5 * MINUTE, self.now),
            created_by=self.staff_for(TEAM_FOR_AREA[area], first_at),
        )
        self.people.append(rec)
        self.batch.add(rec.model)
        if alerts:
            self._maybe_alert(rec, first_at)
        return rec

    def _maybe_alert(self, rec: PersonRec, first_at: dt.datetime) -> None:
        rng = self.rng
        category = None
        roll = rng.random()
        if (rec.ld or rec.slcn) and roll < 0.4:
            category, text = "communication_needs", "Communication needs: see person record."
        elif roll < 0.02:
            category, text = "self_harm_risk", "History of self-harm in custody."
        elif roll < 0.035:
            category, text = "risk_to_staff", "Assaulted staff during a previous detention."
        elif roll < 0.045:
            category, text = "medical", "Epilepsy: medication must be available in custody."
        if category is None:
            return
        raised_at = min(first_at + rng.randrange(60, 360) * MINUTE, self.now)
        raised_by = self.staff_for(TEAM_FOR_AREA[rec.area], first_at)
        alert = new(
            Alert,
            person=rec.model,
            category=category,
            description=text,
            raised_at=raised_at,
            raised_by=raised_by,
        )
        ended_at = raised_at + rng.randrange(30, 400) * DAY
        if category != "communication_needs" and rng.random() < 0.2 and ended_at <= self.now:
            alert.ended_at = ended_at
            alert.ended_by = raised_by
            alert.end_reason = "Reviewed: no longer current."
        self.batch.add(alert)

    def duplicate_of(self, rec: PersonRec, first_at: dt.datetime) -> PersonRec:
        """A second record for the same person, with the errors linkage has to see through."""
        rng = self.rng
        given, family, dob = rec.given, rec.family, rec.dob
        kind = rng.randrange(4)
        alias_kind = "recorded_spelling"
        if kind == 0 and given in names.NAME_VARIANTS:
            given = rng.choice(names.NAME_VARIANTS[given])
            alias_kind = "nickname"
        elif kind == 1:
            family = typo(rng, family)
        elif kind == 2 and dob.day <= 12 and dob.day != dob.month:
            dob = dob.replace(month=dob.day, day=dob.month)
        else:
            given = typo(rng, given) if rng.random() < 0.5 else given
            family = typo(rng, family) if given == rec.given else family
        if age_on(dob, local_date(first_at)) < 10:
            dob = rec.dob
        original = rec.model
        dup = self.make_person(
            first_at=first_at,
            age=age_on(dob, local_date(first_at)),
            area=rec.area,
            gender=rec.gender,
            ethnic=rec.ethnic,
            given=given,
            family=family,
            dob=dob,
            nhs=False,
            pnc=original.pnc_id if rng.random() < 0.4 else False,
            nfa=rec.nfa,
            frequent=rec.frequent,
        )
        dup.veteran, dup.ld, dup.autism, dup.adhd, dup.slcn = (
            rec.veteran,
            rec.ld,
            rec.autism,
            rec.adhd,
            rec.slcn,
        )
        if rng.random() < 0.5 and (given, family, dob) != (rec.given, rec.family, rec.dob):
            self.batch.add(
                new(
                    Alias,
                    person=original,
                    kind=alias_kind,
                    given_name=given if given != rec.given else "",
                    family_name=family if family != rec.family else "",
                    date_of_birth=dob if dob != rec.dob else None,
                    recorded_at=original.created_at,
                    recorded_by=original.created_by,
                )
            )
        return dup

    def plan_random_people(self, episodes: int, on_flush) -> None:
        rng = self.rng
        remaining = episodes
        span = (self.now - self.window_start).total_seconds()
        while remaining > 0:
            k = rng.choices(self._k_values, weights=self._k_weights)[0]
            frequent = k >= FREQUENT_RANGE[0]
            if frequent:
                k = rng.randint(*FREQUENT_RANGE)
            band = rng.choices(self._age_bands, weights=self._age_weights)[0]
            age = rng.randint(*band)
            if age < 18:
                k, frequent = min(k, 3), False
            k = min(k, remaining)
            remaining -= k
            area = "cleveland" if rng.random() < 0.55 else "durham"
            moments = sorted(
                self.window_start + dt.timedelta(seconds=rng.random() * span) for _ in range(k)
            )
            rec = self.make_person(
                first_at=moments[0],
                age=age,
                area=area,
                frequent=frequent,
                nfa=True if frequent and rng.random() < 0.7 else None,
            )
            owner = rec
            duplicate_from = k if k < 2 or rng.random() >= 0.12 else rng.randrange(1, k)
            for number, moment in enumerate(moments):
                if number == duplicate_from:
                    owner = self.duplicate_of(rec, moment)
                episode_area = area
                if rng.random() < (0.3 if frequent else 0.08):
                    episode_area = "durham" if area == "cleveland" else "cleveland"
                self.add_slot(owner, moment, episode_area)
            if len(self.batch.rows[Person]) >= 5000:
                on_flush()

    def add_slot(self, rec: PersonRec, moment: dt.datetime, area: str) -> None:
        rng = self.rng
        day = local_date(moment)
        age = age_on(rec.dob, day)
        site = _weighted(rng, SITE_WEIGHTS[(area, age < 18)])
        stype = self.site_type[site]
        weekday_w = WEEKDAY_WEIGHTS[stype]
        shifts = list(range(-3, 4))
        shift = rng.choices(
            shifts, weights=[weekday_w[(day + dt.timedelta(days=j)).weekday()] for j in shifts]
        )[0]
        day = day + dt.timedelta(days=shift)
        hour = rng.choices(range(24), weights=HOUR_WEIGHTS[stype])[0]
        at = at_local(day, hour, rng.randrange(60))
        while at > self.now:
            at -= DAY
        if age_on(rec.dob, local_date(at)) < 18:
            site = ADULT_ONLY_SITE_FALLBACK.get(site, site)
        else:
            site = YOUTH_ONLY_SITE_FALLBACK.get(site, site)
        if age_on(rec.dob, local_date(at)) < 10:
            at = at + 7 * DAY
        self.slots.append(Slot(at, len(self.slots), rec, site))

    def plan_recent_custody(self, count: int) -> None:
        """Referrals in the last 24 hours at Middlesbrough custody, for the practitioner demo."""
        rng = self.rng
        for _ in range(count):
            at = self.now - dt.timedelta(minutes=rng.randrange(30, 23 * 60))
            band = rng.choices(self._age_bands[3:], weights=self._age_weights[3:])[0]
            rec = self.make_person(first_at=at, age=rng.randint(*band), area="cleveland")
            self.slots.append(Slot(at, len(self.slots), rec, "middlesbrough-custody"))

    # --- episodes ---

    def sample_needs(self, rec: PersonRec, youth: bool, force: tuple[str, ...]) -> list[str]:
        rng = self.rng
        needs: list[str] = list(force)
        p_any = 0.85 if youth else 0.895
        if rec.frequent or force:
            p_any = 1.0
        if rng.random() >= p_any:
            return needs

        def add(code: str, p: float) -> None:
            if code not in needs and rng.random() < p:
                needs.append(code)

        mental = rng.random() < (0.64 if youth else 0.805)
        if mental:
            add("mental_health", 1)
            add("personality_disorder", 0 if youth else 0.07)
            add("trauma", 0.18)
        substance = rec.frequent or rng.random() < (0.45 if youth else 0.585)
        if substance:
            drugs = rec.frequent or rng.random() < (0.8 if youth else 0.66)
            alcohol = rng.random() < (0.3 if youth else 0.5)
            if not (drugs or alcohol):
                drugs, alcohol = (True, False) if rng.random() < 0.6 else (False, True)
            add("substance_misuse_drugs", 1 if drugs else 0)
            add("substance_misuse_alcohol", 1 if alcohol else 0)
        female = rec.gender == "2"
        add("suicide_self_harm", 0.22 if mental else 0.06)
        add("accommodation", 0.9 if rec.nfa else 0.12)
        add("financial", 0.11)
        add("domestic_abuse", 0.28 if female else 0.05)
        add("sexual_abuse", 0.06 if female else 0.01)
        add("learning_disability", 0.85 if rec.ld else 0)
        add("learning_difficulty", 0.05)
        add("autism", 0.85 if rec.autism else 0)
        add("adhd", 0.8 if rec.adhd else 0)
        add("speech_language_communication", 0.85 if rec.slcn else 0)
        add("veteran", 0.9 if rec.veteran else 0)
        add("female_pathway", 0.45 if female and not youth else 0)
        add("physical_health", 0.08)
        add("social_isolation", 0.07)
        add("employment_education", 0.3 if youth else 0.08)
        add("safeguarding", 0.2 if youth else 0.04)
        add("charge_related", 0.04)
        if not needs:
            needs.append(
                _weighted(
                    rng,
                    [
                        ("accommodation", 3),
                        ("financial", 2),
                        ("trauma", 2),
                        ("physical_health", 2),
                        ("social_isolation", 1),
                        ("learning_difficulty", 1),
                    ],
                )
            )
        return needs

    def next_reference(self) -> str:
        self.episode_seq += 1
        return f"EP-{self.episode_seq:07d}"

    def build_episode(self, slot: Slot) -> Episode:  # noqa: C901 - one episode, start to end
        rng = self.rng
        now = self.now
        add = self.batch.add
        rec = slot.person
        t0 = slot.at
        site = self.ref.sites[slot.site]
        stype = self.site_type[slot.site]
        area = self.site_area[slot.site]
        age = age_on(rec.dob, local_date(t0))
        youth = age < 18
        pathway = "youth" if youth else "adult"
        team = self.ref.team_by_area[rec.area if stype == SiteType.VIRTUAL else area]
        if stype in CUSTODY_TYPES:
            point = "custody"
        elif stype == SiteType.VOLUNTARY_ATTENDANCE:
            point = "voluntary_attendance"
        elif stype in COURT_TYPES:
            point = stype  # the court pathway points share the site-type codes
        elif stype == SiteType.COMMUNITY:
            point = "community"
        else:
            point = _weighted(
                rng,
                [("custody", 40), ("youth_justice_service", 60)]
                if youth
                else [("custody", 50), ("probation", 25), ("community", 25)],
            )
        in_custody = point == "custody"
        at_court = point in ("magistrates_court", "youth_court", "crown_court")
        staff = self.staff_for(team.name, t0)
        source = _weighted(rng, SOURCES[point])
        if source == "E6" and not youth:
            source = "E1" if in_custody else "E3"
        detained_at = None
        crn = ""
        if in_custody:
            detained_at = t0 - dt.timedelta(minutes=rng.randrange(30, 600))
            prefix = (
                "CL" if (area if stype != SiteType.VIRTUAL else rec.area) == "cleveland" else "DU"
            )
            crn = f"{prefix}/{rng.randrange(10000, 99999)}/{local_date(t0).year % 100:02d}"
        elif point == "voluntary_attendance":
            detained_at = t0 - dt.timedelta(minutes=rng.randrange(5, 60))
        offence = ""
        if point != "community" or rng.random() < 0.5:
            offence = _weighted(rng, OFFENCES_YOUTH if youth else OFFENCES_ADULT)
        episode = new(
            Episode,
            person_id=rec.pk,
            reference=self.next_reference(),
            site=site,
            team=team,
            pathway_point=point,
            referral_source=source,
            referrer_name=(
                ""
                if source == "B1"
                else f"{rng.choice(names.MALE_GIVEN_NAMES + names.FEMALE_GIVEN_NAMES)} "
                f"{rng.choice(names.NORTH_EAST_FAMILY_NAMES)}"
            ),
            referrer_role="" if source == "B1" else REFERRER_ROLES[point],
            referral_reason=rng.choice(REFERRAL_REASONS),
            referral_received_at=t0,
            detained_at=detained_at,
            custody_record_number=crn,
            alleged_offence_category=offence,
            age_at_referral=age,
            pathway=pathway,
            created_at=min(t0 + rng.randrange(1, 10) * MINUTE, now),
            created_by=staff,
        )
        add(episode)
        events: list[dt.datetime] = [t0]
        needs = self.sample_needs(rec, youth, slot.force_needs)

        # Offer of support, and the answer (a second offer after a decline or a release).
        if in_custody:
            delay = rng.randrange(10, 240)
        elif at_court:
            delay = rng.randrange(5, 90)
        elif point == "voluntary_attendance":
            delay = rng.randrange(5, 60)
        else:
            delay = rng.randrange(60, 4 * 24 * 60)
        first_seen = t0 + delay * MINUTE
        offers: list[tuple[dt.datetime, str, str]] = []
        if first_seen <= now:
            p_not_possible = 0.07 if in_custody else 0.025 if at_court else 0.035
            p_accept = 0.97 if youth else 0.875
            roll = rng.random()
            if slot.force_accept:
                roll, p_accept = 1.0, 1.0
            if roll < p_not_possible:
                table = "custody" if in_custody else "court" if at_court else "other"
                reason = _weighted(rng, NOT_POSSIBLE_REASONS[table])
                offers.append((first_seen, "not_possible", reason))
                if rng.random() < 0.35:
                    again = first_seen + rng.randrange(18 * 60, 72 * 60) * MINUTE
                    outcome = "accepted" if rng.random() < 0.75 else "declined"
                    offers.append((again, outcome, ""))
            elif roll < p_not_possible + 0.01:
                offers.append((first_seen, "not_offered", ""))
            elif rng.random() < p_accept:
                offers.append((first_seen, "accepted", ""))
            else:
                offers.append((first_seen, "declined", ""))
                if rng.random() < (0.5 if youth else 0.12):
                    again = first_seen + rng.randrange(30, 180) * MINUTE
                    outcome = "accepted" if rng.random() < 0.8 else "declined"
                    offers.append((again, outcome, ""))
        offers = [offer for offer in offers if offer[0] <= now]
        parent_name = ""
        if youth:
            parent_name = f"{rng.choice(parent_given(rng))} {rec.family}"
        competence = ""
        if youth and age < 16:
            competence = _weighted(
                rng, [("competent", 80), ("not_competent", 7), ("not_assessed", 13)]
            )
        aa_present = None
        if in_custody and (youth or rec.ld or rec.autism):
            aa_present = rng.random() < (0.95 if youth else 0.8)
        parent_present = (rng.random() < (0.8 if at_court else 0.55)) if youth else None
        yjs_worker = ""
        if youth and rng.random() < 0.4:
            yjs_worker = (
                f"{rng.choice(names.FEMALE_GIVEN_NAMES + names.MALE_GIVEN_NAMES)} "
                f"{rng.choice(names.NORTH_EAST_FAMILY_NAMES)}"
            )
        accepted_at = None
        for number, (offered_at, outcome, reason) in enumerate(offers):
            later = number > 0
            add(
                new(
                    Offer,
                    episode=episode,
                    recorded_at=min(offered_at + rng.randrange(1, 20) * MINUTE, now),
                    recorded_by=staff,
                    offered_at=offered_at,
                    outcome=outcome,
                    not_possible_reason=reason,
                    reason_detail=(
                        "Already open to the community mental health team; care coordinator "
                        "informed."
                        if outcome == "not_offered"
                        else ""
                    ),
                    parent_carer_present=(True if later and youth else parent_present),
                    parent_carer_name=parent_name if youth and (later or parent_present) else "",
                    appropriate_adult_present=aa_present,
                    appropriate_adult_name=(
                        f"{rng.choice(names.FEMALE_GIVEN_NAMES)} "
                        f"{rng.choice(names.NORTH_EAST_FAMILY_NAMES)}"
                        if aa_present
                        else ""
                    ),
                    appropriate_adult_organisation=AA_ORGANISATIONS[area] if aa_present else "",
                    competence=competence if outcome in ("accepted", "declined") else "",
                    youth_justice_worker=yjs_worker,
                )
            )
            events.append(offered_at)
            if outcome == "accepted":
                accepted_at = offered_at
        engaged = accepted_at is not None
        first_accept = accepted_at or t0

        if engaged:
            contact_type = (
                "in_custody"
                if in_custody and stype != SiteType.VIRTUAL
                else "video"
                if in_custody
                else "at_court"
                if at_court
                else "in_custody"
                if point == "voluntary_attendance"
                else rng.choice(("phone", "community_visit", "video"))
            )
            if len(offers) > 1 and offers[0][1] == "not_possible":
                contact_type = "phone"
            add(
                new(
                    Contact,
                    episode=episode,
                    recorded_at=min(first_accept + 45 * MINUTE, now),
                    recorded_by=staff,
                    contact_type=contact_type,
                    occurred_at=accepted_at,
                    duration_minutes=rng.randrange(15, 80),
                )
            )

        # Screening: validated instruments, scored; needs recorded from it.
        screened_at = None
        instrument_positive: list[str] = []
        if engaged and rng.random() < (0.95 if youth else 0.93):
            cursor = first_accept + rng.randrange(5, 45) * MINUTE
            cursor, instrument_positive = self.screen(episode, staff, cursor, youth, needs)
            if cursor is not None:
                screened_at = cursor
                events.append(cursor)
        need_rows: dict[str, Need] = {}
        if screened_at is not None:
            for code in needs:
                identified = (
                    "screening_instrument"
                    if code in instrument_positive
                    else _weighted(rng, IDENTIFIED_BY)
                )
                need_rows[code] = new(
                    Need,
                    episode=episode,
                    recorded_at=min(screened_at + rng.randrange(1, 15) * MINUTE, now),
                    recorded_by=staff,
                    category=code,
                    identified_by=identified,
                )
        elif rng.random() < 0.3:
            code = "mental_health" if rng.random() < 0.7 else "substance_misuse_alcohol"
            need_rows[code] = new(
                Need,
                episode=episode,
                recorded_at=min(t0 + 5 * MINUTE, now),
                recorded_by=staff,
                category=code,
                identified_by="police",
                note="Identified at referral.",
            )
        for need in need_rows.values():
            add(need)

        # Assessment, urgent actions and safeguarding.
        assessed_at = None
        urgent: list[str] = []
        safeguarding = False
        if screened_at is not None and rng.random() < (0.85 if needs else 0.3):
            started = screened_at + rng.randrange(10, 90) * MINUTE
            if started <= now:
                completed = started + rng.randrange(30, 120) * MINUTE
                if completed > now:
                    completed = None
                safeguarding = (
                    "safeguarding" in needs
                    or ("domestic_abuse" in needs and rng.random() < 0.7)
                    or rng.random() < (0.12 if youth else 0.04)
                )
                if rng.random() < 0.07:
                    urgent.append(self.urgent_action(in_custody, needs, youth, safeguarding))
                labels = ", ".join(code.replace("_", " ") for code in needs) or "none identified"
                add(
                    new(
                        Assessment,
                        episode=episode,
                        recorded_at=completed or started,
                        recorded_by=staff,
                        started_at=started,
                        completed_at=completed,
                        presenting_needs=f"Needs identified: {labels}.",
                        history="Synthetic history for demonstration.",
                        risk_to_self=(
                            "Reports recent thoughts of self-harm; no current plan. Protective "
                            "factors: family contact."
                            if "suicide_self_harm" in needs
                            else "No current thoughts of self-harm reported."
                        ),
                        risk_to_others="No specific concerns beyond the alleged offence.",
                        risk_from_others=(
                            "Discloses abuse from a partner."
                            if "domestic_abuse" in needs
                            else "None disclosed."
                        ),
                        safeguarding_concern=safeguarding,
                        safeguarding_referral_reference=(
                            f"SG-{local_date(started).year}-{rng.randrange(10000, 99999)}"
                            if safeguarding and rng.random() < 0.8
                            else ""
                        ),
                        recommendations="Onward referral and support to first appointment.",
                        reasonable_adjustments=(
                            "Simple language, extra time, breaks; appropriate adult present."
                            if {"learning_disability", "autism", "speech_language_communication"}
                            & set(needs)
                            or youth
                            else ""
                        ),
                        urgent_actions=urgent,
                    )
                )
                if completed is not None:
                    assessed_at = completed
                    events.append(completed)

        # Criminal-justice outcomes.
        police_decided = None
        police_outcome = ""
        if point in ("custody", "voluntary_attendance") and rng.random() < 0.9:
            police_decided = t0 + rng.randrange(60, 20 * 60) * MINUTE
            police_outcome = _weighted(rng, POLICE_OUTCOMES[pathway])
            if police_decided <= now:
                add(
                    new(
                        PoliceOutcome,
                        episode=episode,
                        recorded_at=min(police_decided + rng.randrange(10, 600) * MINUTE, now),
                        recorded_by=staff,
                        outcome_list=pathway,
                        outcome=police_outcome,
                        decided_at=police_decided,
                        reported_by=f"Custody sergeant, {self.police_name(area)}",
                    )
                )
                events.append(police_decided)
            else:
                police_decided, police_outcome = None, ""
        sentencing_at = None
        hearings = []
        if at_court:
            hearings = self.hearings_at_court(site, stype, t0, pathway)
        elif police_outcome in ("charged_bailed", "charged_remanded", "charged") and (
            rng.random() < 0.45
        ):
            court_code = (
                ("teesside-youth-court" if youth else "teesside-magistrates")
                if area == "cleveland"
                else ("durham-youth-court" if youth else "newton-aycliffe-magistrates")
            )
            gap = DAY if police_outcome == "charged_remanded" else rng.randrange(14, 29) * DAY
            charged_at = police_decided or t0
            hearings = self.hearings_at_court(
                self.ref.sites[court_code],
                self.site_type[court_code],
                charged_at + gap,
                pathway,
                listed_at=charged_at + HOUR,
            )
        for hearing in hearings:
            hearing.episode = episode
            hearing.recorded_by = staff
            add(hearing)
            if hearing.decided_at is not None:
                events.append(hearing.decided_at)
                if hearing.outcome == "sentenced":
                    sentencing_at = hearing.decided_at
        next_decision = sentencing_at or next(
            (h.decided_at for h in hearings if h.decided_at is not None), None
        )

        # Onward referrals with their status history; tasks to check attendance.
        referred = 0
        referral_events: list[dt.datetime] = []
        if assessed_at is not None:
            for code in needs:
                if referred >= 3:
                    break
                category = (YOUTH_NEED_TO_SERVICE.get(code) if youth else None) or (
                    NEED_TO_SERVICE.get(code)
                )
                if category is None or rng.random() >= 0.55:
                    continue
                choices = self.ref.services.get((rec.area, youth, category))
                if not choices:
                    continue
                referred += 1
                created = assessed_at + rng.randrange(10, 48 * 60) * MINUTE
                referral_events += self.onward_referral(
                    episode, rng.choice(choices), need_rows.get(code), staff, created
                )
            if (
                rng.random() < 0.05
                and not youth
                and (
                    police_outcome == "charged_remanded"
                    or any(h.outcome == "remanded_in_custody" for h in hearings)
                )
            ):
                choices = self.ref.services.get((rec.area, False, "reconnect"))
                if choices:
                    referral_events += self.onward_referral(
                        episode, choices[0], None, staff, assessed_at + DAY
                    )
        events.extend(referral_events)

        # Consent to share, documents and disclosures.
        if engaged and (screened_at is not None or assessed_at is not None):
            base = assessed_at or screened_at
            events.extend(
                self.sharing(
                    episode,
                    rec,
                    youth,
                    age,
                    point,
                    area,
                    stype,
                    staff,
                    team.name,
                    base,
                    police_decided,
                    next_decision,
                    parent_name,
                    competence,
                    safeguarding,
                )
            )

        # Follow-up contacts while on bail or waiting for appointments.
        if assessed_at is not None:
            for _ in range(rng.choices((0, 1, 2, 3, 4), weights=(30, 30, 20, 12, 8))[0]):
                occurred = assessed_at + rng.randrange(1, 35) * DAY + rng.randrange(-3, 6) * HOUR
                if occurred > now:
                    continue
                add(
                    new(
                        Contact,
                        episode=episode,
                        recorded_at=min(occurred + 30 * MINUTE, now),
                        recorded_by=staff,
                        contact_type=_weighted(
                            rng,
                            [
                                ("phone", 50),
                                ("community_visit", 15),
                                ("during_bail", 15),
                                ("court_accompaniment", 10),
                                ("video", 10),
                            ],
                        ),
                        occurred_at=occurred,
                        duration_minutes=rng.randrange(10, 90),
                    )
                )
                events.append(occurred)

        # Closure (or still open), allocation and remaining tasks.
        last = max(events)
        if engaged:
            closing = last + rng.randrange(12, 5 * 24) * HOUR
        elif offers:
            closing = last + rng.randrange(1, 36) * HOUR
        else:
            closing = None
        if slot.force_open or closing is None or closing > now:
            closing = None
        if offers and offers[0][1] == "not_possible" and len(offers) == 1:
            due = local_date(offers[0][0]) + dt.timedelta(days=1)
            done = offers[0][0] + rng.randrange(18, 30) * HOUR
            if closing is not None and done > closing:
                done = closing
            finished = done <= now
            add(
                new(
                    Task,
                    episode=episode,
                    recorded_at=min(offers[0][0] + 10 * MINUTE, now),
                    recorded_by=staff,
                    title="Follow up after release: try to contact",
                    due_on=due,
                    assigned_to=staff,
                    completed_at=done if finished else None,
                    completed_by=staff if finished else None,
                )
            )
        if closing is None and not (assessed_at is not None):
            due = local_date(t0) + dt.timedelta(days=1)
            add(
                new(
                    Task,
                    episode=episode,
                    recorded_at=min(t0 + 15 * MINUTE, now),
                    recorded_by=staff,
                    title="Complete screening and assessment"
                    if not screened_at
                    else "Complete assessment",
                    due_on=due,
                    assigned_to=staff,
                )
            )
        episode.allocated_to = None
        if engaged or (offers and rng.random() < 0.7) or (not offers and rng.random() < 0.5):
            allocated_at = min(t0 + rng.randrange(5, 30) * MINUTE, first_seen, now)
            episode.allocated_to = staff
            episode.allocated_at = max(allocated_at, t0)
        if closing is not None:
            episode.closed_at = closing
            episode.closed_by = staff
            episode.closure_reason = self.closure_reason(
                offers, engaged, urgent, referred, screened_at, needs
            )
        return episode

    def police_name(self, area: str) -> str:
        return "Cleveland Police" if area == "cleveland" else "Durham Constabulary"

    def urgent_action(self, in_custody: bool, needs: list[str], youth: bool, sg: bool) -> str:
        options = [("other", 2), ("emergency_department", 8)]
        if "mental_health" in needs:
            options += [("mha_assessment_requested", 35), ("section_136", 3)]
        if in_custody:
            options += [("medical_attention_custody", 20)]
            if youth or {"learning_disability", "autism"} & set(needs):
                options += [("appropriate_adult_requested", 20)]
        if sg:
            options += [("safeguarding_referral_urgent", 12)]
        return _weighted(self.rng, options)

    def closure_reason(self, offers, engaged, urgent, referred, screened_at, needs) -> str:
        rng = self.rng
        if not engaged:
            outcomes = [outcome for _, outcome, _ in offers]
            reasons = [reason for _, _, reason in offers]
            if "declined" in outcomes:
                return "declined_service"
            if "released_before_seen" in reasons or "intoxicated" in reasons:
                return "released_before_seen_no_contact"
            if "transferred" in reasons:
                return "transferred_other_ld_service"
            if "too_unwell" in reasons and rng.random() < 0.4:
                return "transferred_inpatient"
            return "other"
        roll = rng.random()
        if roll < 0.01:
            return "moved_out_of_area"
        if roll < 0.02:
            return "transferred_other_ld_service"
        if roll < 0.0205:
            return "died"
        if roll < 0.03:
            return "other"
        if "mha_assessment_requested" in urgent and rng.random() < 0.6:
            return "transferred_inpatient"
        if referred:
            return "disengaged" if rng.random() < 0.1 else "completed_referred_on"
        return "completed_no_further_need"

    def screen(self, episode, staff, cursor, youth, needs):
        """Administer instruments; returns (end time or None, needs the scores support)."""
        rng = self.rng
        now = self.now
        mental = "mental_health" in needs
        alcohol = "substance_misuse_alcohol" in needs
        drugs = "substance_misuse_drugs" in needs
        chosen: list[str] = []
        if youth:
            if rng.random() < 0.45:
                chosen.append("gad-7")
            if rng.random() < (0.6 if mental else 0.35):
                chosen.append("phq-9")
            if rng.random() < (0.5 if alcohol else 0.1):
                chosen.append("audit-c")
            if rng.random() < (0.45 if drugs else 0.05):
                chosen.append("dast-10")
        else:
            if rng.random() < 0.55 and episode.pathway_point == "custody":
                chosen.append("bjmhs")
            if rng.random() < (0.7 if mental else 0.4):
                chosen.append("phq-9")
            if rng.random() < 0.3:
                chosen.append("gad-7")
            if rng.random() < (0.85 if alcohol else 0.3):
                chosen.append("audit-c")
            if rng.random() < (0.8 if drugs else 0.2):
                chosen.append("dast-10")
        if not chosen:
            chosen.append("gad-7" if youth else "phq-9")
        positive: list[str] = []
        end = None
        for slug in chosen:
            started = cursor
            finished = started + rng.randrange(3, 12) * MINUTE
            if finished > now:
                break
            if slug == "phq-9":
                sev = rng.uniform(0.4, 0.85) if mental else rng.uniform(0.02, 0.3)
                result = self.scorer.phq9(rng, sev, "suicide_self_harm" in needs)
                if result.total >= 10 and mental:
                    positive.append("mental_health")
            elif slug == "gad-7":
                sev = rng.uniform(0.35, 0.8) if mental else rng.uniform(0.02, 0.3)
                result = self.scorer.gad7(rng, sev)
                if result.total >= 10 and mental:
                    positive.append("mental_health")
            elif slug == "bjmhs":
                result = self.scorer.bjmhs(rng, rng.uniform(0.4, 0.9) if mental else 0.1)
                if result.outcome == "refer" and mental:
                    positive.append("mental_health")
            elif slug == "audit-c":
                items = inst.audit_c_items(
                    rng, rng.uniform(0.5, 0.9) if alcohol else rng.uniform(0.0, 0.3)
                )
                result = self.scorer.audit_c(items)
                if result.total >= 5 and not youth and rng.random() < 0.5:
                    self.administration(episode, "audit-c", result, staff, started, finished)
                    started, finished = finished, finished + rng.randrange(3, 8) * MINUTE
                    if finished > now:
                        break
                    slug = "audit"
                    result = self.scorer.audit(rng, rng.uniform(0.5, 0.9), items)
                if result.outcome == "positive" and alcohol:
                    positive.append("substance_misuse_alcohol")
            else:
                result = self.scorer.dast10(
                    rng, rng.uniform(0.35, 0.8) if drugs else rng.uniform(0.0, 0.12)
                )
                if result.total >= 3 and drugs:
                    positive.append("substance_misuse_drugs")
            self.administration(episode, slug, result, staff, started, finished)
            end = finished
            cursor = finished + rng.randrange(1, 5) * MINUTE
        if end is not None and rng.random() < 0.03:
            self.administration(episode, "gad-7", None, staff, end + MINUTE, None, complete=False)
        return end, positive

    def administration(
        self, episode, slug, result, staff, started, finished, complete=True, answers=None
    ) -> Administration:
        row = new(
            Administration,
            episode=episode,
            instrument_version=self.ref.instruments[slug],
            started_at=started,
            completed_at=finished,
            administered_by=staff,
            is_complete=complete,
            total=result.total if result else None,
            band=result.band if result else "",
            outcome=result.outcome if result else "",
            flags=result.flags if result else [],
        )
        self.batch.add(row)
        store = answers if answers is not None else self.rng.random() < ANSWER_ROW_FRACTION
        if result is not None and store:
            for link_id, value, score in result.answers:
                self.batch.add(
                    new(Answer, administration=row, link_id=link_id, value=value, score=score)
                )
        return row

    def hearings_at_court(self, court, stype, when, pathway, listed_at=None):
        rng = self.rng
        now = self.now
        listed_at = listed_at or when
        outcome = _weighted(rng, FIRST_HEARING_OUTCOMES[stype])
        hearings = []
        decided = max(when, listed_at) + rng.randrange(60, 5 * 60) * MINUTE
        first = new(
            CourtHearing,
            court=court,
            hearing_on=local_date(when),
            recorded_at=min(listed_at, now),
        )
        hearings.append(first)
        if decided <= now:
            first.outcome = outcome
            first.decided_at = decided
            if outcome == "sentenced":
                first.sentence_type = self.sentence(pathway)
        else:
            return hearings
        if outcome in (
            "adjourned_for_reports",
            "bail",
            "remanded_in_custody",
            "adjourned_other",
            "fitness_to_plead_referral",
            "committed_to_crown_court",
        ):
            next_day = local_date(when) + dt.timedelta(days=rng.randrange(14, 36))
            while next_day.weekday() >= 5:
                next_day += dt.timedelta(days=1)
            next_court = court
            if outcome == "committed_to_crown_court":
                next_court = self.ref.sites["teesside-crown-court"]
            second = new(
                CourtHearing,
                court=next_court,
                hearing_on=next_day,
                recorded_at=min(decided + HOUR, now),
            )
            second_decided = at_local(next_day, rng.randrange(10, 16), rng.randrange(60))
            if second_decided <= now:
                second.outcome = _weighted(
                    rng,
                    [
                        ("sentenced", 75),
                        ("adjourned_other", 10),
                        ("bail", 10),
                        ("dismissed_or_acquitted", 5),
                    ],
                )
                second.decided_at = second_decided
                if second.outcome == "sentenced":
                    second.sentence_type = self.sentence(pathway)
            hearings.append(second)
        return hearings

    def sentence(self, pathway: str) -> str:
        return _weighted(self.rng, SENTENCES[pathway])

    def onward_referral(self, episode, service, need, staff, created) -> list[dt.datetime]:
        rng = self.rng
        now = self.now
        if created > now:
            return []
        referral = new(
            OnwardReferral,
            episode=episode,
            service=service,
            need=need,
            created_at=created,
            created_by=staff,
        )
        changes = [(ReferralStatus.DRAFT, created, "")]
        sent = created + rng.randrange(0, 240) * MINUTE
        appointment = None
        supported = None
        if rng.random() < 0.97:
            changes.append((ReferralStatus.SENT, sent, ""))
            roll = rng.random()
            if roll < 0.82:
                accepted = sent + rng.randrange(1, 10) * DAY
                changes.append((ReferralStatus.ACCEPTED, accepted, ""))
                if rng.random() < 0.85:
                    booked = accepted + rng.randrange(0, 72) * HOUR
                    appointment = at_local(
                        local_date(booked) + dt.timedelta(days=rng.randrange(2, 22)),
                        rng.randrange(9, 16),
                        rng.choice((0, 15, 30, 45)),
                    )
                    changes.append((ReferralStatus.APPOINTMENT_BOOKED, booked, ""))
                    supported = rng.random() < 0.4
                    attended = rng.random() < (0.85 if supported else 0.6)
                    changes.append(
                        (
                            ReferralStatus.ATTENDED if attended else ReferralStatus.DID_NOT_ATTEND,
                            appointment + rng.randrange(1, 26) * HOUR,
                            "",
                        )
                    )
            elif roll < 0.9:
                changes.append(
                    (
                        ReferralStatus.DECLINED,
                        sent + rng.randrange(1, 8) * DAY,
                        rng.choice(DECLINE_REASONS),
                    )
                )
        changes = [change for change in changes if change[1] <= now]
        referral.status = changes[-1][0]
        booked_kept = any(status == ReferralStatus.APPOINTMENT_BOOKED for status, _, _ in changes)
        if booked_kept:
            referral.first_appointment_at = appointment
            referral.was_supported_to_first_appointment = supported
        self.batch.add(referral)
        for status, at, reason in changes:
            self.batch.add(
                new(
                    ReferralStatusChange,
                    referral=referral,
                    status=status,
                    reason=reason,
                    changed_at=at,
                    changed_by=staff,
                )
            )
        if booked_kept and appointment is not None:
            appointment_at = appointment
            booked_at = next(at for s, at, _ in changes if s == ReferralStatus.APPOINTMENT_BOOKED)
            outcome_at = (
                changes[-1][1] if changes[-1][0] != ReferralStatus.APPOINTMENT_BOOKED else None
            )
            self.batch.add(
                new(
                    Task,
                    episode=episode,
                    recorded_at=booked_at,
                    recorded_by=staff,
                    title=f"Check attendance at first appointment: {service.name}",
                    due_on=local_date(appointment_at) + dt.timedelta(days=1),
                    assigned_to=staff,
                    completed_at=outcome_at,
                    completed_by=staff if outcome_at else None,
                )
            )
        moments = [at for _, at, _ in changes]
        if booked_kept and appointment is not None:
            moments.append(appointment)  # stays open until the first appointment has happened
        return moments

    def leader_other_than(self, team_name: str, user: Any) -> Any:
        leaders = [leader for leader in self.leaders_by_team[team_name] if leader != user]
        if not leaders:
            return self.ref.users["demo-service-manager"]
        return self.rng.choice(leaders)

    def sharing(
        self,
        episode,
        rec,
        youth,
        age,
        point,
        area,
        stype,
        staff,
        team_name,
        base,
        police_decided,
        court_decided,
        parent_name,
        competence,
        safeguarding,
    ) -> list[dt.datetime]:
        rng = self.rng
        now = self.now
        add = self.batch.add
        wanted: list[tuple[str, str]] = []
        if point in ("custody", "voluntary_attendance"):
            if rng.random() < 0.7:
                purpose = _weighted(
                    rng,
                    [
                        ("fitness_for_interview_advice", 50),
                        ("charging_decision", 30),
                        ("out_of_court_disposal", 20),
                    ],
                )
                wanted.append(("police", purpose))
            if youth and rng.random() < 0.5:
                wanted.append(("youth_justice", "out_of_court_disposal"))
        elif point in ("magistrates_court", "youth_court", "crown_court"):
            if rng.random() < 0.8:
                purpose = _weighted(
                    rng, [("sentencing_or_psr", 50), ("bail", 20), ("case_management", 30)]
                )
                wanted.append(("court", purpose))
            if youth and rng.random() < 0.6:
                wanted.append(("youth_justice", "sentencing_or_psr"))
            elif not youth and rng.random() < 0.45:
                wanted.append(("probation", "sentencing_or_psr"))
            if rng.random() < 0.15:
                wanted.append(("defence", "case_management"))
            if rng.random() < 0.1:
                wanted.append(("cps", "case_management"))
        elif point == "probation":
            wanted.append(("probation", "case_management"))
        elif point == "youth_justice_service":
            wanted.append(("youth_justice", "case_management"))
        elif rng.random() < 0.4:
            wanted.append(("gp_and_services", "case_management"))
        events = []
        for recipient, purpose in wanted:
            decided = base + rng.randrange(1, 30) * MINUTE
            if decided > now:
                continue
            by_parent = youth and age < 16 and (competence != "competent" or rng.random() < 0.3)
            given = rng.random() < 0.9
            consent = new(
                ConsentDecision,
                episode=episode,
                recipient_class=recipient,
                purpose=purpose,
                decision="given" if given else "refused",
                given_by="parental_responsibility" if by_parent else "person",
                given_by_name=parent_name if by_parent else "",
                scope=["needs", "recommendations"]
                + (["reasonable_adjustments"] if rng.random() < 0.4 else []),
                decided_at=decided,
                expires_on=(local_date(decided) + dt.timedelta(days=90))
                if rng.random() < 0.5
                else None,
                recorded_by=staff,
            )
            add(consent)
            events.append(decided)
            if not given:
                continue
            if rng.random() < 0.02:
                withdrawn = decided + rng.randrange(1, 20) * DAY
                if withdrawn <= now:
                    add(
                        new(
                            ConsentDecision,
                            episode=episode,
                            recipient_class=recipient,
                            purpose=purpose,
                            decision="withdrawn",
                            given_by=consent.given_by,
                            given_by_name=consent.given_by_name,
                            scope=consent.scope,
                            decided_at=withdrawn,
                            recorded_by=staff,
                            note="Withdrawn by phone.",
                        )
                    )
            if rng.random() >= 0.85:
                continue
            agency = self.agency_for(recipient, area, stype)
            if agency is None:
                continue
            document = None
            created = decided + rng.randrange(10, 120) * MINUTE
            approver = None
            approved_at = None
            kind = None
            if recipient == "police" and rng.random() < 0.5:
                kind = "custody_advice_note"
            elif (
                recipient in ("court", "probation")
                and purpose == "sentencing_or_psr"
                and (rng.random() < 0.8)
            ):
                kind = "court_report"
            if kind is not None:
                drafted = decided + rng.randrange(5, 30) * MINUTE
                approver = self.leader_other_than(team_name, staff)
                approved_at = drafted + rng.randrange(15, 180) * MINUTE
                document = new(
                    Document,
                    episode=episode,
                    kind=kind,
                    drafted_at=drafted,
                    drafted_by=staff,
                    content={
                        "synthetic": True,
                        "title": kind.replace("_", " ").capitalize(),
                        "summary": "Synthetic report for demonstration.",
                        "recommendations": "See L&D recommendations.",
                    },
                )
                if approved_at <= now:
                    document.status = "approved"
                    document.approved_at = approved_at
                    document.approved_by = approver
                    created = approved_at + rng.randrange(1, 15) * MINUTE
                else:
                    approver = approved_at = None
                add(document)
                if document.status != "approved":
                    continue
            if created > now:
                continue
            shared = created + rng.randrange(1, 30) * MINUTE
            decision_at = (
                police_decided
                if recipient in ("police", "youth_justice")
                else (
                    court_decided if recipient in ("court", "probation", "cps", "defence") else None
                )
            )
            disclosure = new(
                Disclosure,
                episode=episode,
                agency=agency,
                recipient_name=f"{rng.choice(names.FEMALE_GIVEN_NAMES + names.MALE_GIVEN_NAMES)} "
                f"{rng.choice(names.NORTH_EAST_FAMILY_NAMES)}",
                recipient_role=self.recipient_role(recipient),
                purpose=purpose,
                lawful_basis="consent",
                consent=consent,
                document=document,
                summary="Needs, recommendations and support in place.",
                created_at=created,
                created_by=staff,
                approved_at=approved_at,
                approved_by=approver,
                shared_at=shared if shared <= now and rng.random() < 0.97 else None,
                cj_decision_at=decision_at if decision_at and decision_at <= now else None,
            )
            partner = self.ref.partner_user_for_agency.get(agency.name)
            if partner is not None and disclosure.shared_at is not None and rng.random() < 0.7:
                acknowledged = disclosure.shared_at + rng.randrange(5, 20 * 60) * MINUTE
                if acknowledged <= now:
                    disclosure.acknowledged_at = acknowledged
                    disclosure.acknowledged_by = partner
            add(disclosure)
            events.append(created)
        if safeguarding and rng.random() < 0.25:
            created = base + rng.randrange(30, 240) * MINUTE
            if created <= now:
                approver = self.leader_other_than(team_name, staff)
                recipient = "youth_justice" if youth else "police"
                add(
                    new(
                        Disclosure,
                        episode=episode,
                        agency=self.agency_for(recipient, area, stype),
                        recipient_role=self.recipient_role(recipient),
                        purpose="safeguarding",
                        lawful_basis="safeguarding",
                        lawful_basis_detail="Risk of serious harm; sharing without consent is "
                        "necessary and proportionate to protect the person.",
                        summary="Safeguarding concern and the referral made.",
                        created_at=created,
                        created_by=staff,
                        approved_at=created,
                        approved_by=approver,
                        shared_at=created + 10 * MINUTE if created + 10 * MINUTE <= now else None,
                    )
                )
                events.append(created)
        return events

    def recipient_role(self, recipient: str) -> str:
        return {
            "police": "Custody inspector",
            "court": "Legal adviser",
            "probation": "Probation court officer",
            "youth_justice": "Youth justice officer",
            "cps": "Crown prosecutor",
            "defence": "Defence solicitor",
        }.get(recipient, "")

    def agency_for(self, recipient: str, area: str, stype: str):
        agencies = self.ref.agencies
        if recipient == "police":
            return agencies[f"police-{area}"]
        if recipient == "court":
            if stype == SiteType.CROWN_COURT:
                return agencies["crown-cleveland"]
            return agencies[f"court-{area}"]
        if recipient == "youth_justice":
            return agencies[f"yjs-{area}"]
        return agencies.get(recipient)
