"""Synthetic records with known truth, and the measures linkage is judged by.

``generate(records, seed, nhs_rate)`` makes people, then several records per person, each
recorded with the mistakes and variations real referrals show. Everything comes from one
seeded ``random.Random``, so a seed always gives the same file. No real person is in it: the
names are drawn from lists written here, and NHS numbers are random numbers with a valid
Modulus 11 check digit.

People
    Records per person: 1 (45%), 2 (25%), 3 (13%), 4 (8%), 5-8 (9%); about 2.2 on average.
    Dates of birth uniform over 1950-2008. Everyone has an NHS number; 40% have a PNC ID.
    3% have a double-barrelled family name; 8% have an alias name they use on 30% of records.

Hard negatives (different people who look alike)
    Siblings: 6% of people have a sibling with the same family name, address and postcode,
    a different given name (sharing no short form) and a date of birth the same (twins,
    40%) or 1-4 years apart.
    Common names: 1% of people are one of eight very common full names (John Smith, Mohammed
    Khan, Sarah Jones...) with an unrelated date of birth: about 0.12% of people for each
    name, several times commoner than any full name is in the UK.

Errors, each independently per record (rates of records)
    given name      nickname or short form 12%; typo 4%; alias given name (above)
    family name     typo 4%; other family name (previous name) 3%; one half of a
                    double-barrelled name 30% of that person's records; Mc/Mac swapped 50%
                    of Mc/Mac records
    both names      given and family swapped 2%; all capitals 10%
    date of birth   day and month swapped 4% (where both are 12 or under); placeholder
                    1 January of the same year 3%; year one out 2%; day or month wrong 3%;
                    missing 1%
    NHS number      present at the ``nhs_rate`` (default 30%); of those present, two adjacent
                    digits transposed 3% (fails Modulus 11, so counted invalid)
    PNC ID          present on 60% of records of people who have one; one digit wrong 2%
    address         moved (new address and postcode) 15%; no fixed abode 8%; postcode
                    missing 7%; postcode inward code wrong 2%

Typos are one insertion, deletion, substitution or transposition of adjacent letters.

Measures
    Pairwise precision, recall and F1 of the clusters (pairs of records put in one person).
    Wrong auto-merges: for each cluster, the number of true people in it less one.
    Intake-style lookup: for returning people, the share whose best candidate is the right
    person and is at least "review"; for new people, the share whose best candidate is a
    "match" (false-match rate) or at least "review".
    Missed true pairs by cause (``missed_pairs``): each pair of records of one true person
    that the clusters keep apart, put in one bucket: not proposed by blocking; scored a match
    but the join refused by the clustering guards; sent to review by the names guard, by the
    same-NHS-number rule, or by a weight between the thresholds; or a non-match.
"""

import csv
import datetime as dt
import random
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from divert.linkage import blocking, normalise
from divert.linkage import dedupe as batch
from divert.linkage import model as scoring
from divert.linkage.compare import RecordTable
from divert.linkage.normalise import FIELDS

MALE = [
    "Oliver",
    "Jack",
    "Harry",
    "George",
    "Noah",
    "Charlie",
    "Jacob",
    "Thomas",
    "Oscar",
    "William",
    "James",
    "Joshua",
    "Daniel",
    "Michael",
    "David",
    "John",
    "Robert",
    "Paul",
    "Mark",
    "Andrew",
    "Richard",
    "Stephen",
    "Christopher",
    "Peter",
    "Anthony",
    "Matthew",
    "Steven",
    "Lee",
    "Craig",
    "Darren",
    "Dean",
    "Wayne",
    "Gary",
    "Jason",
    "Kevin",
    "Ian",
    "Martin",
    "Simon",
    "Neil",
    "Scott",
    "Ryan",
    "Liam",
    "Connor",
    "Callum",
    "Kieran",
    "Aaron",
    "Jordan",
    "Nathan",
    "Adam",
    "Samuel",
    "Benjamin",
    "Alexander",
    "Joseph",
    "Luke",
    "Lewis",
    "Jamie",
    "Kyle",
    "Reece",
    "Bradley",
    "Ashley",
    "Tyler",
    "Mohammed",
    "Ahmed",
    "Ali",
    "Hassan",
    "Bilal",
    "Imran",
    "Tariq",
    "Hamza",
    "Arjun",
    "Rahul",
    "Sanjay",
    "Vikram",
    "Kwame",
    "Chinedu",
    "Emeka",
    "Tunde",
    "Segun",
    "Piotr",
    "Tomasz",
    "Krzysztof",
    "Marek",
    "Andrei",
    "Florin",
    "Mihai",
    "Jose",
    "Luis",
    "Giuseppe",
    "Sean",
    "Patrick",
    "Declan",
    "Eoin",
    "Rhys",
    "Dylan",
    "Gareth",
    "Owen",
    "Dafydd",
    "Ewan",
    "Fraser",
    "Hamish",
    "Alasdair",
    "Malcolm",
    "Graham",
    "Keith",
    "Trevor",
    "Nigel",
    "Colin",
    "Barry",
    "Terence",
    "Raymond",
    "Kenneth",
    "Frederick",
    "Albert",
    "Edward",
    "Henry",
]
FEMALE = [
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Emily",
    "Sophie",
    "Grace",
    "Lily",
    "Ella",
    "Jessica",
    "Chloe",
    "Charlotte",
    "Emma",
    "Sarah",
    "Laura",
    "Rebecca",
    "Hannah",
    "Lauren",
    "Amy",
    "Rachel",
    "Nicola",
    "Lisa",
    "Michelle",
    "Kelly",
    "Karen",
    "Claire",
    "Joanne",
    "Samantha",
    "Victoria",
    "Elizabeth",
    "Margaret",
    "Catherine",
    "Susan",
    "Julie",
    "Helen",
    "Deborah",
    "Tracey",
    "Donna",
    "Dawn",
    "Leanne",
    "Kayleigh",
    "Jade",
    "Chelsea",
    "Shannon",
    "Courtney",
    "Stacey",
    "Danielle",
    "Natalie",
    "Kirsty",
    "Gemma",
    "Hayley",
    "Zoe",
    "Megan",
    "Abigail",
    "Bethany",
    "Ellie",
    "Molly",
    "Niamh",
    "Siobhan",
    "Aoife",
    "Ciara",
    "Fatima",
    "Aisha",
    "Ayesha",
    "Zainab",
    "Amina",
    "Priya",
    "Anjali",
    "Sunita",
    "Nisha",
    "Ngozi",
    "Chioma",
    "Funmilayo",
    "Abena",
    "Agnieszka",
    "Katarzyna",
    "Magdalena",
    "Ioana",
    "Elena",
    "Maria",
    "Lucia",
    "Francesca",
    "Sian",
    "Cerys",
    "Ffion",
    "Eilidh",
    "Morag",
    "Kirsteen",
    "Fiona",
    "Alison",
    "Gillian",
    "Pauline",
    "Linda",
    "Patricia",
    "Barbara",
    "Jean",
    "Brenda",
    "Sandra",
    "Valerie",
    "Maureen",
    "Christine",
    "Angela",
    "Wendy",
    "Beverley",
    "Yvonne",
]
ACCENTED_GIVEN = ["Zoë", "Chloë", "José", "Renée", "Łukasz", "Siân", "Seán", "Éamon"]
COMMON_FAMILY = [
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Wilson",
    "Thomas",
    "Johnson",
    "Roberts",
    "Robinson",
    "Thompson",
    "Wright",
    "Walker",
    "White",
    "Edwards",
    "Hughes",
    "Green",
    "Hall",
    "Lewis",
    "Harris",
    "Clarke",
    "Patel",
    "Jackson",
    "Wood",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Morris",
    "Moore",
    "Clark",
    "Lee",
    "King",
    "Baker",
    "Harrison",
    "Morgan",
    "Allen",
    "James",
    "Scott",
    "Phillips",
    "Watson",
    "Davis",
    "Parker",
    "Price",
    "Bennett",
    "Young",
    "Griffiths",
    "Mitchell",
    "Kelly",
    "Cook",
    "Carter",
    "Richardson",
    "Bailey",
    "Collins",
    "Bell",
    "Shaw",
    "Murphy",
    "Miller",
    "Cox",
    "Richards",
    "Khan",
    "Marshall",
    "Anderson",
    "Simpson",
    "Ellis",
    "Adams",
    "Singh",
    "Begum",
    "Wilkinson",
    "Foster",
    "Chapman",
    "Powell",
    "Webb",
    "Rogers",
    "Gray",
    "Mason",
    "Ali",
    "Hunt",
    "Hussain",
    "Campbell",
    "Matthews",
    "Owen",
    "Palmer",
    "Holmes",
    "Mills",
    "Barnes",
    "Knight",
    "Lloyd",
    "Butler",
    "Russell",
    "Barker",
    "Fisher",
    "Stevens",
    "Jenkins",
    "Murray",
    "Dixon",
    "Harvey",
    "Graham",
    "Pearson",
    "Ahmed",
    "Fletcher",
    "Walsh",
    "Kaur",
    "Gibson",
    "Howard",
    "Andrews",
    "Stewart",
    "Elliott",
    "Reynolds",
    "Saunders",
    "Payne",
    "Fox",
    "Ford",
    "Pearce",
    "Day",
    "Brooks",
    "West",
    "Lawrence",
    "Cole",
    "Atkinson",
    "Bradley",
    "Spencer",
    "Gill",
    "Dawson",
    "Ball",
    "Burton",
    "O'Brien",
    "Watts",
    "Rose",
    "Booth",
    "Perry",
    "Ryan",
    "Grant",
    "Wells",
    "Armstrong",
    "Francis",
    "Rees",
    "Hayes",
    "Hart",
    "Hudson",
    "Newman",
    "Barrett",
    "Webster",
    "Hunter",
    "Gregory",
    "Carr",
    "Lowe",
    "Page",
    "Marsh",
    "Riley",
    "Dunn",
    "Woods",
    "Parsons",
    "Berry",
    "Stone",
    "Reid",
    "Holland",
    "Hawkins",
    "Harding",
    "McDonald",
    "MacKenzie",
    "McLeod",
    "O'Connor",
    "O'Neill",
    "McCarthy",
    "Okafor",
    "Adeyemi",
    "Mensah",
    "Nowak",
    "Kowalski",
    "Popescu",
    "Rossi",
    "Garcia",
    "Rahman",
    "Chowdhury",
    "Islam",
    "Mahmood",
    "Iqbal",
    "Sharma",
    "Kumar",
    "Shah",
]
_PREFIXES = [
    "ash",
    "black",
    "brad",
    "brook",
    "clay",
    "cold",
    "cran",
    "dun",
    "fair",
    "green",
    "hart",
    "hazel",
    "holm",
    "king",
    "lang",
    "mar",
    "mill",
    "moor",
    "north",
    "oak",
    "pen",
    "red",
    "ring",
    "ros",
    "shel",
    "south",
    "stan",
    "stock",
    "thorn",
    "wake",
    "west",
    "whit",
    "wood",
    "wor",
    "hal",
    "hol",
    "ather",
    "bur",
    "cal",
    "dar",
    "elm",
    "fern",
    "gold",
    "har",
    "kel",
    "lind",
    "mead",
    "nor",
    "pem",
    "rad",
    "sal",
    "ted",
    "wen",
    "yar",
    "birk",
    "brom",
    "hex",
    "lox",
    "quen",
    "sken",
    "tarn",
    "ulls",
    "vick",
]
_SUFFIXES = [
    "ley",
    "ton",
    "wood",
    "field",
    "worth",
    "by",
    "ford",
    "ham",
    "well",
    "more",
    "stone",
    "bridge",
    "dale",
    "hurst",
    "shaw",
    "wick",
    "combe",
    "den",
    "land",
    "cott",
    "ridge",
    "brook",
    "croft",
    "gate",
    "hall",
    "holme",
    "lock",
    "mere",
    "thorpe",
]
TAIL_FAMILY = [f"{p}{s}".capitalize() for p in _PREFIXES for s in _SUFFIXES]
COMMON_FULL_NAMES = [
    ("John", "Smith"),
    ("David", "Jones"),
    ("Mohammed", "Khan"),
    ("Sarah", "Jones"),
    ("James", "Brown"),
    ("Michael", "Smith"),
    ("Mohammed", "Ali"),
    ("Emma", "Wilson"),
]
STREETS = [
    "High Street",
    "Station Road",
    "Church Lane",
    "Park Road",
    "Victoria Street",
    "Green Lane",
    "Manor Road",
    "Mill Lane",
    "Queens Road",
    "New Road",
    "Albert Road",
    "King Street",
    "Grange Road",
    "School Lane",
    "North Road",
    "Springfield Road",
    "The Crescent",
    "Windsor Close",
    "Elm Grove",
    "Chapel Street",
]
DISTRICTS = [
    "TS1",
    "TS3",
    "TS5",
    "DL1",
    "DL3",
    "NE1",
    "NE4",
    "NE6",
    "SR1",
    "SR4",
    "LS6",
    "LS9",
    "LS11",
    "BD3",
    "BD7",
    "M14",
    "M20",
    "M40",
    "L4",
    "L8",
    "B23",
    "B11",
    "B6",
    "S2",
    "S5",
    "NG7",
    "LE2",
    "CV1",
    "ST4",
    "HU3",
    "YO10",
    "DN1",
    "WF1",
    "HD1",
    "BB1",
    "PR1",
    "CA1",
    "LA1",
    "WN1",
    "BL1",
]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

# Record error rates (see the module docstring).
RATES: dict[str, float] = {
    "nickname": 0.12,
    "given_typo": 0.04,
    "family_typo": 0.04,
    "family_other": 0.03,
    "double_barrel_part": 0.30,
    "mc_mac": 0.5,
    "names_swapped": 0.02,
    "capitals": 0.10,
    "dob_swapped": 0.04,
    "dob_placeholder": 0.03,
    "dob_year": 0.02,
    "dob_part": 0.03,
    "dob_missing": 0.01,
    "nhs_transposed": 0.03,
    "pnc_present": 0.60,
    "pnc_typo": 0.02,
    "moved": 0.15,
    "no_fixed_abode": 0.08,
    "postcode_missing": 0.07,
    "postcode_typo": 0.02,
    "alias_use": 0.30,
}
PEOPLE_RATES: dict[str, float] = {
    "pnc": 0.40,
    "double_barrelled": 0.03,
    "alias": 0.08,
    "sibling": 0.06,
    "twin": 0.40,
    "common_name": 0.01,
}
RECORDS_PER_PERSON = ((1, 0.45), (2, 0.25), (3, 0.13), (4, 0.08), (5, 0.04), (6, 0.03),
                      (7, 0.01), (8, 0.01))  # fmt: skip


@dataclass
class TruePerson:
    person_id: str
    given_name: str
    family_name: str
    date_of_birth: dt.date
    nhs_number: str
    pnc_id: str | None
    address_line: str
    postcode: str
    alias: tuple[str, str] | None = None
    records: int = 1


@dataclass
class Dataset:
    rows: list[dict[str, str]]
    truth: list[str]
    people: list[TruePerson] = field(default_factory=list)


class _Generator:
    def __init__(self, seed: int, nhs_rate: float) -> None:
        self.random = random.Random(seed)  # noqa: S311  # nosec B311 - synthetic data, not security
        self.nhs_rate = nhs_rate
        self.used_nhs: set[str] = set()
        self.used_pnc: set[str] = set()
        self.common_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(COMMON_FAMILY))]
        self.male_weights = [1 / (rank + 1) ** 0.5 for rank in range(len(MALE))]
        self.female_weights = [1 / (rank + 1) ** 0.5 for rank in range(len(FEMALE))]

    def chance(self, rate: float) -> bool:
        return self.random.random() < rate

    def given_name(self) -> str:
        r = self.random
        if r.random() < 0.01:
            return r.choice(ACCENTED_GIVEN)
        if r.random() < 0.5:
            return r.choices(MALE, self.male_weights)[0]
        return r.choices(FEMALE, self.female_weights)[0]

    def family_name(self) -> str:
        r = self.random
        if r.random() < 0.35:
            return r.choices(COMMON_FAMILY, self.common_weights)[0]
        return r.choice(TAIL_FAMILY)

    def date_of_birth(self) -> dt.date:
        start = dt.date(1950, 1, 1).toordinal()
        return dt.date.fromordinal(self.random.randint(start, dt.date(2008, 12, 31).toordinal()))

    def nhs_number(self) -> str:
        while True:
            # England and Wales ranges (400-499, 600-799 million); 0-3 are Scottish CHI
            # numbers, which begin with a date of birth.
            digits = [self.random.choice((4, 6, 7))] + [self.random.randint(0, 9) for _ in range(8)]
            check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
            check = 0 if check == 11 else check
            value = "".join(map(str, digits)) + str(check)
            if check != 10 and value not in self.used_nhs:
                self.used_nhs.add(value)
                return value

    def pnc_id(self) -> str:
        while True:
            year = self.random.randint(1985, 2025)
            serial = self.random.randint(1, 999999)
            check = self.random.choice("ABCDEFGHJKLMNPQRTUVWXYZ")
            value = f"{year % 100:02d}/{serial}{check}"
            if value not in self.used_pnc:
                self.used_pnc.add(value)
                return value

    def address(self) -> tuple[str, str]:
        r = self.random
        district = r.choice(DISTRICTS)
        inward = f"{r.randint(1, 9)}{r.choice(INWARD_LETTERS)}{r.choice(INWARD_LETTERS)}"
        return f"{r.randint(1, 180)} {r.choice(STREETS)}", f"{district} {inward}"

    def typo(self, text: str) -> str:
        r = self.random
        if len(text) < 3:
            return text
        p = r.randint(1, len(text) - 1)
        letter = r.choice("abcdefghijklmnopqrstuvwxyz")
        kind = r.randrange(4)
        if kind == 0:
            return text[:p] + letter + text[p:]
        if kind == 1:
            return text[:p] + text[p + 1 :]
        if kind == 2:
            return text[:p] + letter + text[p + 1 :]
        if p < len(text) - 1:
            return text[:p] + text[p + 1] + text[p] + text[p + 2 :]
        return text[:p] + letter + text[p + 1 :]

    def nickname(self, given: str) -> str:
        clean = normalise.clean_given_name(given)
        groups = normalise.nickname_groups()
        found = [groups[g] for g in normalise.nickname_group_ids(clean)]
        # A formal name gives any of its short forms; a short form gives its formal names.
        names = sorted(
            {n for g in found if g[0] == clean for n in g} | {g[0] for g in found} - {clean}
        )
        names = [n for n in names if len(n) > 1]
        return self.random.choice(names).capitalize() if names else given

    def different_given(self, given: str) -> str:
        """A sibling's name: not the same, and sharing no short form (Emma and Emily share
        "Em", and a record of "Em" for either twin is ambiguous to anyone)."""
        clean = normalise.clean_given_name(given)
        groups = normalise.nickname_groups()
        while True:
            other = self.given_name()
            other_clean = normalise.clean_given_name(other)
            shared = {n for g in normalise.nickname_group_ids(clean) for n in groups[g]} & {
                n for g in normalise.nickname_group_ids(other_clean) for n in groups[g]
            }
            if other_clean != clean and not shared:
                return other

    # -- people ---------------------------------------------------------------------------

    def person(self, number: int) -> TruePerson:
        r = self.random
        if self.chance(PEOPLE_RATES["common_name"]):
            given, family = r.choice(COMMON_FULL_NAMES)
        else:
            given, family = self.given_name(), self.family_name()
            if self.chance(PEOPLE_RATES["double_barrelled"]):
                family = f"{family}-{self.family_name()}"
        address, postcode = self.address()
        alias = None
        if self.chance(PEOPLE_RATES["alias"]):
            alias = (given, self.family_name()) if r.random() < 0.7 else (self.given_name(), given)
        return TruePerson(
            person_id=f"T{number:07d}",
            given_name=given,
            family_name=family,
            date_of_birth=self.date_of_birth(),
            nhs_number=self.nhs_number(),
            pnc_id=self.pnc_id() if self.chance(PEOPLE_RATES["pnc"]) else None,
            address_line=address,
            postcode=postcode,
            alias=alias,
            records=r.choices(*zip(*RECORDS_PER_PERSON, strict=True))[0],
        )

    def sibling(self, of: TruePerson, number: int) -> TruePerson:
        r = self.random
        if self.chance(PEOPLE_RATES["twin"]):
            dob = of.date_of_birth
        else:
            years = r.choice([-4, -3, -2, -1, 1, 2, 3, 4])
            dob = of.date_of_birth + dt.timedelta(days=365 * years + r.randint(-150, 150))
        return TruePerson(
            person_id=f"T{number:07d}",
            given_name=self.different_given(of.given_name),
            family_name=of.family_name,
            date_of_birth=dob,
            nhs_number=self.nhs_number(),
            pnc_id=self.pnc_id() if self.chance(PEOPLE_RATES["pnc"]) else None,
            address_line=of.address_line,
            postcode=of.postcode,
            records=r.choices(*zip(*RECORDS_PER_PERSON, strict=True))[0],
        )

    # -- records --------------------------------------------------------------------------

    def record(self, person: TruePerson, record_id: str) -> dict[str, str]:
        r = self.random
        given, family = person.given_name, person.family_name
        if person.alias and self.chance(RATES["alias_use"]):
            given, family = person.alias
        if self.chance(RATES["nickname"]):
            given = self.nickname(given)
        if self.chance(RATES["given_typo"]):
            given = self.typo(given)
        if "-" in family and self.chance(RATES["double_barrel_part"]):
            family = r.choice(family.split("-"))
        if self.chance(RATES["family_other"]):
            family = self.family_name()
        if self.chance(RATES["family_typo"]):
            family = self.typo(family)
        if family.startswith("Mc") and self.chance(RATES["mc_mac"]):
            family = "Mac" + family[2:]
        if self.chance(RATES["names_swapped"]):
            given, family = family, given
        if self.chance(RATES["capitals"]):
            given, family = given.upper(), family.upper()

        dob = person.date_of_birth
        if self.chance(RATES["dob_swapped"]) and dob.day <= 12 and dob.day != dob.month:
            dob = dob.replace(month=dob.day, day=dob.month)
        elif self.chance(RATES["dob_placeholder"]):
            dob = dob.replace(month=1, day=1)
        elif self.chance(RATES["dob_year"]):
            dob = _replace_year(dob, dob.year + r.choice([-1, 1]))
        elif self.chance(RATES["dob_part"]):
            if r.random() < 0.5:
                dob = dob.replace(day=r.choice([d for d in range(1, 29) if d != dob.day]))
            else:
                dob = _replace_month(dob, r.choice([m for m in range(1, 13) if m != dob.month]))
        recorded_dob: dt.date | None = None if self.chance(RATES["dob_missing"]) else dob

        nhs = ""
        if self.chance(self.nhs_rate):
            nhs = person.nhs_number
            if self.chance(RATES["nhs_transposed"]):
                p = r.randrange(9)
                digits = list(nhs)
                if digits[p] == digits[p + 1]:
                    digits[p] = str((int(digits[p]) + 1) % 10)
                digits[p], digits[p + 1] = digits[p + 1], digits[p]
                nhs = "".join(digits)
            if r.random() < 0.3:
                nhs = f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}"

        pnc = ""
        if person.pnc_id and self.chance(RATES["pnc_present"]):
            pnc = person.pnc_id
            if self.chance(RATES["pnc_typo"]):
                year, rest = pnc.split("/")
                p = r.randrange(len(rest) - 1)
                digit = str((int(rest[p]) + r.randint(1, 9)) % 10)
                pnc = f"{year}/{rest[:p]}{digit}{rest[p + 1 :]}"

        address, postcode = person.address_line, person.postcode
        if self.chance(RATES["moved"]):
            address, postcode = self.address()
        if self.chance(RATES["no_fixed_abode"]):
            address, postcode = "No fixed abode", ""
        elif self.chance(RATES["postcode_missing"]):
            postcode = ""
        elif self.chance(RATES["postcode_typo"]):
            postcode = (
                f"{postcode.split(' ')[0]} {r.randint(1, 9)}"
                f"{r.choice(INWARD_LETTERS)}{r.choice(INWARD_LETTERS)}"
            )
        return {
            "record_id": record_id,
            "given_name": given,
            "family_name": family,
            "date_of_birth": recorded_dob.isoformat() if recorded_dob else "",
            "nhs_number": nhs,
            "pnc_id": pnc,
            "address_line": address,
            "postcode": postcode,
        }


def _replace_year(value: dt.date, year: int) -> dt.date:
    try:
        return value.replace(year=year)
    except ValueError:  # 29 February
        return value.replace(year=year, day=28)


def _replace_month(value: dt.date, month: int) -> dt.date:
    return value.replace(month=month, day=min(value.day, 28))


def generate(records: int, *, seed: int = 0, nhs_rate: float = 0.3) -> Dataset:
    """About ``records`` records (exactly that many) for synthetic people, shuffled."""
    generator = _Generator(seed, nhs_rate)
    people: list[TruePerson] = []
    planned = 0
    while planned < records:
        person = generator.person(len(people) + 1)
        people.append(person)
        planned += person.records
        if generator.chance(PEOPLE_RATES["sibling"]) and planned < records:
            sibling = generator.sibling(person, len(people) + 1)
            people.append(sibling)
            planned += sibling.records
    slots = [p for p in people for _ in range(p.records)][:records]
    generator.random.shuffle(slots)
    rows, truth = [], []
    for number, person in enumerate(slots, start=1):
        rows.append(generator.record(person, f"R{number:07d}"))
        truth.append(person.person_id)
    return Dataset(rows, truth, people)


# ----- measures -------------------------------------------------------------------------------


def _pairs(counts: np.ndarray) -> int:
    return int((counts * (counts - 1) // 2).sum())


@dataclass
class ClusterScores:
    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted_pairs: int
    wrong_merges: int


def cluster_scores(predicted: Sequence[str], truth: Sequence[str]) -> ClusterScores:
    """Pairwise precision, recall and F1 of predicted clusters against the truth."""
    _, p = np.unique(np.asarray(predicted), return_inverse=True)
    _, t = np.unique(np.asarray(truth), return_inverse=True)
    cells = np.unique(p.astype(np.int64) * (t.max() + 1) + t, return_counts=True)[1]
    together = _pairs(cells)
    predicted_pairs = _pairs(np.bincount(p))
    true_pairs = _pairs(np.bincount(t))
    precision = together / predicted_pairs if predicted_pairs else 1.0
    recall = together / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    people_per_cluster = Counter(c for c, _ in set(zip(p.tolist(), t.tolist(), strict=True)))
    wrong = sum(count - 1 for count in people_per_cluster.values())
    return ClusterScores(precision, recall, f1, true_pairs, predicted_pairs, wrong)


MISSED_CAUSES = (
    "not proposed by blocking",
    "match, join refused by the clustering guards",
    "review: a name differs and no identifier is shared",
    "review: same NHS number, dates of birth differ",
    "review: weight between the thresholds",
    "non-match: a name differs and the weight is below review",
    "non-match: weight below the review threshold, or an identifier rule",
)


def missed_pairs(truth: Sequence[str], result: batch.DedupeResult) -> Counter[str]:
    """Why each true pair that the clusters keep apart was missed (see ``MISSED_CAUSES``).

    A pair is missed when its two records end in different clusters; a pair joined through
    other records is not missed even if it was never compared itself.
    """
    scored = result.scored
    assert scored is not None
    n = len(truth)
    expected = blocking.true_pairs(truth)
    clusters = np.unique(np.asarray(result.person_ids), return_inverse=True)[1]
    apart = expected[clusters[expected // max(n, 1)] != clusters[expected % max(n, 1)]]
    found = scored.i.astype(np.int64) * n + scored.j
    order = np.argsort(found)
    where = np.searchsorted(found[order], apart)
    where = np.minimum(where, max(len(found) - 1, 0))
    compared = (found[order][where] == apart) if len(found) else np.zeros(len(apart), bool)
    k = order[where[compared]]
    decision, rule = scored.decision[k], scored.rule[k]
    names = rule == scoring.RULE_NAMES_DISAGREE
    causes = Counter[str]()
    causes[MISSED_CAUSES[0]] = int((~compared).sum())
    causes[MISSED_CAUSES[1]] = int((decision == 0).sum())
    causes[MISSED_CAUSES[2]] = int(((decision == 1) & names).sum())
    causes[MISSED_CAUSES[3]] = int(
        ((decision == 1) & (rule == scoring.RULE_NHS_SAME_DOB_DIFFERENT)).sum()
    )
    causes[MISSED_CAUSES[4]] = int(((decision == 1) & (rule == scoring.RULE_NONE)).sum())
    causes[MISSED_CAUSES[5]] = int(((decision == 2) & names).sum())
    causes[MISSED_CAUSES[6]] = int(((decision == 2) & ~names).sum())
    return causes


@dataclass
class LookupScores:
    returning: int
    top1_accuracy: float
    returning_auto_matched: float
    new: int
    false_match_rate: float
    new_sent_to_review: float


def lookup_scores(
    dataset: Dataset, model: scoring.Model, *, queries: int = 2000, seed: int = 0
) -> LookupScores:
    """Intake-style lookups: each query record against everyone else's records."""
    r = random.Random(seed)  # noqa: S311  # nosec B311 - sampling, not security
    by_person: dict[str, list[int]] = defaultdict(list)
    for position, person in enumerate(dataset.truth):
        by_person[person].append(position)
    several = sorted(p for p, positions in by_person.items() if len(positions) > 1)
    single = sorted(p for p, positions in by_person.items() if len(positions) == 1)
    returning = r.sample(several, min(queries, len(several)))
    new = r.sample(single, min(queries, len(single)))
    query_positions = [by_person[p][-1] for p in returning] + [by_person[p][0] for p in new]
    left_out = set(query_positions)
    index_positions = [k for k in range(len(dataset.rows)) if k not in left_out]
    records, _ = batch.normalise_rows(dataset.rows)
    index = [records[k] for k in index_positions]
    query_records = [records[k] for k in query_positions]
    found = blocking.link_candidates(query_records, index)
    table = RecordTable(query_records + index)
    offset = len(query_records)
    qi = np.concatenate([np.full(len(c), q) for q, c in enumerate(found)]).astype(np.int64)
    ci = np.concatenate([np.fromiter(c, np.int64, len(c)) for c in found]) + offset
    people_in_index = len({dataset.truth[k] for k in index_positions})
    prior = model.lookup_prior(people_in_index)
    scored = batch.score_pairs(table, qi, ci, model, prior=prior, use_frequencies=False)
    best: dict[int, tuple[float, str, int]] = {}
    for k in range(len(scored)):
        q = int(qi[k])
        person = dataset.truth[index_positions[int(ci[k]) - offset]]
        # Rule-decided matches rank first; a non-match can never be top of the list.
        rank = float(scored.weights[k]) + (1e6 if scored.rule[k] in (2, 4) else 0.0)
        if scored.rule[k] == scoring.RULE_NHS_DIFFERENT:
            rank = -1e6
        if q not in best or rank > best[q][0]:
            best[q] = (rank, person, int(scored.decision[k]))
    hits = auto = 0
    for q, person in enumerate(returning):
        top = best.get(q)
        if top and top[1] == person and top[2] <= 1:
            hits += 1
            auto += top[2] == 0
    false_matches = reviews = 0
    for q in range(len(returning), len(query_positions)):
        top = best.get(q)
        if top and top[2] == 0:
            false_matches += 1
        if top and top[2] <= 1:
            reviews += 1
    n_ret, n_new = max(len(returning), 1), max(len(new), 1)
    return LookupScores(
        returning=len(returning),
        top1_accuracy=hits / n_ret,
        returning_auto_matched=auto / n_ret,
        new=len(new),
        false_match_rate=false_matches / n_new,
        new_sent_to_review=reviews / n_new,
    )


@dataclass
class Evaluation:
    records: int
    seed: int
    nhs_rate: float
    people: int
    clusters: ClusterScores
    lookups: LookupScores
    blocking_recall: float
    dedupe: batch.DedupeResult
    seconds: float
    missed: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        c, lk = self.clusters, self.lookups
        missed = [
            f"  {self.missed[cause]:>9,}  {cause}" for cause in MISSED_CAUSES if self.missed[cause]
        ]
        return "\n".join(
            [
                f"Generated {self.records:,} records of {self.people:,} people "
                f"(seed {self.seed}, NHS number present on {self.nhs_rate:.0%})",
                f"Blocking recall: {self.blocking_recall:.4f} of {c.true_pairs:,} true pairs",
                f"Clusters: precision {c.precision:.4f}, recall {c.recall:.4f}, F1 {c.f1:.4f}"
                + (" (corroborated merges only)" if self.dedupe.corroborated_only else ""),
                f"Wrong auto-merges (two true people in one cluster): {c.wrong_merges}",
                f"True pairs the clusters keep apart: {sum(self.missed.values()):,}",
                *missed,
                f"Pairs sent to review: {self.dedupe.reviews:,}",
                f"Lookups, returning people ({lk.returning:,}): top-1 accuracy "
                f"{lk.top1_accuracy:.4f} (auto-matched {lk.returning_auto_matched:.4f})",
                f"Lookups, new people ({lk.new:,}): false-match rate "
                f"{lk.false_match_rate:.4f} (sent to review {lk.new_sent_to_review:.4f})",
                f"Dedupe seconds: {self.dedupe.seconds:.1f}; all seconds: {self.seconds:.1f}",
            ]
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "people": self.people,
            "precision": self.clusters.precision,
            "recall": self.clusters.recall,
            "f1": self.clusters.f1,
            "wrong_merges": self.clusters.wrong_merges,
            "blocking_recall": self.blocking_recall,
            "top1_accuracy": self.lookups.top1_accuracy,
            "false_match_rate": self.lookups.false_match_rate,
            "reviews": self.dedupe.reviews,
            "missed": dict(self.missed),
            "dedupe_seconds": self.dedupe.seconds,
        }


def evaluate(
    records: int,
    *,
    seed: int = 0,
    nhs_rate: float = 0.3,
    thresholds: scoring.Thresholds | None = None,
    lookups: int = 2000,
    progress: bool | None = None,
    corroborated_only: bool = False,
) -> Evaluation:
    """Generate, de-duplicate and measure; also run intake-style lookups."""
    started = time.perf_counter()
    dataset = generate(records, seed=seed, nhs_rate=nhs_rate)
    result = batch.dedupe(
        dataset.rows,
        thresholds=thresholds,
        progress=progress,
        seed=seed,
        corroborated_only=corroborated_only,
    )
    assert result.scored is not None
    assert result.model is not None
    n = len(dataset.rows)
    expected = blocking.true_pairs(dataset.truth)
    found = result.scored.i.astype(np.int64) * n + result.scored.j
    recall = float(np.isin(expected, found).mean()) if len(expected) else 1.0
    return Evaluation(
        records=n,
        seed=seed,
        nhs_rate=nhs_rate,
        people=len(set(dataset.truth)),
        clusters=cluster_scores(result.person_ids, dataset.truth),
        lookups=lookup_scores(dataset, result.model, queries=lookups, seed=seed),
        blocking_recall=recall,
        dedupe=result,
        seconds=time.perf_counter() - started,
        missed=missed_pairs(dataset.truth, result),
    )


def write_dataset(dataset: Dataset, folder: Path) -> None:
    """records.csv (the dedupe input) and truth.csv (record_id,true_person_id)."""
    with (folder / "records.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(FIELDS))
        writer.writeheader()
        writer.writerows(dataset.rows)
    with (folder / "truth.csv").open("w", newline="", encoding="utf-8") as handle:
        plain = csv.writer(handle)
        plain.writerow(["record_id", "true_person_id"])
        plain.writerows(
            (row["record_id"], t) for row, t in zip(dataset.rows, dataset.truth, strict=True)
        )
