"""The nine situations in shared/product/scenarios.md, as named synthetic people with hand-set
records. Times are placed relative to "now" (the most recent Saturday at 02:40 at least two
days ago, and so on) so the demo always shows them as recent.
"""

import datetime as dt
from dataclasses import dataclass

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
from divert.nonprod.seed.population import (
    DAY,
    HOUR,
    MINUTE,
    Generator,
    PersonRec,
    Slot,
    age_on,
    at_local,
    local_date,
    years_before,
)
from divert.nonprod.seed.reference import DURHAM_TEAM, TEESSIDE_TEAM
from divert.organisation.models import SiteType
from divert.people.models import Alert
from divert.referrals.models import OnwardReferral, ReferralStatusChange
from divert.screening.models import Administration
from divert.sharing.models import ConsentDecision, Disclosure, Document

# (given name, family name) of every scenario person record, for tests and the demo guide.
SCENARIO_PEOPLE = [
    ("Daniel", "Robson"),
    ("Danny", "Robson"),
    ("Kayla", "Henderson"),
    ("Michelle", "Pearson"),
    ("Mark", "Atkinson"),
    ("Lee", "Marshall"),
    ("Leigh", "Marshall"),
    ("Lee", "Marshal"),
    ("Aisha", "Khan"),
    ("Connor", "Walsh"),
    ("Jordan", "Bell"),
]


def latest(now: dt.datetime, weekday: int, hour: int, minute: int, days_ago: int) -> dt.datetime:
    """The latest local ``weekday`` at hh:mm that is at least ``days_ago`` days before now."""
    day = local_date(now - days_ago * DAY)
    while day.weekday() != weekday:
        day -= dt.timedelta(days=1)
    moment = at_local(day, hour, minute)
    while moment > now - days_ago * DAY:
        moment = at_local(local_date(moment) - dt.timedelta(days=7), hour, minute)
    return moment


def dob_for(on: dt.date, age: int, month: int, day: int) -> dt.date:
    dob = dt.date(on.year - age, month, day)
    if age_on(dob, on) != age:
        dob = dt.date(on.year - age - 1, month, day)
    return dob


def plan(g: Generator) -> None:
    """Create the scenario people (first, so they have the lowest Divert IDs) and their slots."""
    now = g.now

    def person(**kwargs) -> PersonRec:
        return g.make_person(alerts=False, **kwargs)

    def slot(rec: PersonRec, at: dt.datetime, site: str, key: str, **kwargs) -> None:
        g.slots.append(Slot(at, len(g.slots), rec, site, key=(key,), **kwargs))

    # 1. Daniel, and the old "Danny" record with day and month of birth swapped.
    daniel_at = latest(now, 5, 2, 40, 2)
    dob = dob_for(local_date(daniel_at), 34, 3, 7)
    old_at = at_local(local_date(daniel_at) - dt.timedelta(days=731), 23, 10)
    danny = person(
        first_at=old_at,
        age=age_on(dob.replace(month=7, day=3), local_date(old_at)),
        area="cleveland",
        gender="1",
        ethnic="A",
        given="Danny",
        family="Robson",
        dob=dob.replace(month=7, day=3),
        nhs=False,
        pnc=True,
        nfa=False,
    )
    daniel = person(
        first_at=daniel_at,
        age=34,
        area="cleveland",
        gender="1",
        ethnic="A",
        given="Daniel",
        family="Robson",
        dob=dob,
        nhs=True,
        pnc=danny.model.pnc_id,
        nfa=False,
    )
    daniel.model.preferred_name = "Danny"
    slot(
        danny,
        old_at,
        "middlesbrough-custody",
        "random",
        force_needs=("mental_health",),
        force_accept=True,
    )
    slot(daniel, daniel_at, "middlesbrough-custody", "daniel")

    # 2. Kayla, 15, youth custody suite on a Tuesday at 16:10.
    kayla_at = latest(now, 1, 16, 10, 7)
    kayla = person(
        first_at=kayla_at,
        age=15,
        area="cleveland",
        gender="2",
        ethnic="A",
        given="Kayla",
        family="Henderson",
        dob=dob_for(local_date(kayla_at), 15, 9, 21),
        nhs=True,
        pnc=False,
        nfa=False,
    )
    kayla.adhd = kayla.slcn = True
    kayla.model.communication_needs = (
        "Speech, language and communication needs: short, simple questions and time to answer."
    )
    slot(kayla, kayla_at, "middlesbrough-youth-custody", "kayla")

    # 3. Michelle, 41, voluntary attendance at Darlington.
    michelle_at = latest(now, 2, 10, 30, 21)
    michelle = person(
        first_at=michelle_at,
        age=41,
        area="durham",
        gender="2",
        ethnic="A",
        given="Michelle",
        family="Pearson",
        dob=dob_for(local_date(michelle_at), 41, 6, 14),
        nhs=True,
        pnc=False,
        nfa=False,
    )
    slot(michelle, michelle_at, "darlington-voluntary-attendance", "michelle")

    # 4. Mark, 52, veteran, Teesside Magistrates' Court.
    mark_at = latest(now, 0, 11, 15, 20)
    mark = person(
        first_at=mark_at,
        age=52,
        area="cleveland",
        gender="1",
        ethnic="A",
        given="Mark",
        family="Atkinson",
        dob=dob_for(local_date(mark_at), 52, 11, 2),
        nhs=True,
        pnc=True,
        nfa=False,
    )
    mark.veteran = True
    slot(mark, mark_at, "teesside-magistrates", "mark")

    # 5. Lee, the frequent attender: 11 episodes in four years, three records, two dates of
    #    birth, NHS number on one record only.
    days_ago = [1450, 1300, 1120, 980, 800, 640, 500, 380, 240, 120, 9]
    sites = [
        "durham-custody",
        "middlesbrough-custody",
        "darlington-custody",
        "middlesbrough-custody",
        "durham-custody",
        "darlington-custody",
        "middlesbrough-custody",
        "durham-custody",
        "middlesbrough-custody",
        "darlington-custody",
        "middlesbrough-custody",
    ]
    owner = [0, 1, 2, 0, 1, 0, 2, 0, 1, 0, 0]
    moments = [at_local(local_date(now - n * DAY), 21, 30) for n in days_ago]
    lee_dob = dob_for(local_date(moments[-1]), 28, 5, 3)
    swapped = lee_dob.replace(month=3, day=5)
    first_at = {o: moments[owner.index(o)] for o in (0, 1, 2)}
    lee = person(
        first_at=first_at[0],
        age=age_on(lee_dob, local_date(first_at[0])),
        area="durham",
        gender="1",
        ethnic="A",
        given="Lee",
        family="Marshall",
        dob=lee_dob,
        nhs=True,
        pnc=True,
        nfa=True,
        frequent=True,
    )
    leigh = person(
        first_at=first_at[1],
        age=age_on(lee_dob, local_date(first_at[1])),
        area="durham",
        gender="1",
        ethnic="A",
        given="Leigh",
        family="Marshall",
        dob=lee_dob,
        nhs=False,
        pnc=False,
        nfa=True,
        frequent=True,
    )
    marshal = person(
        first_at=first_at[2],
        age=age_on(swapped, local_date(first_at[2])),
        area="durham",
        gender="1",
        ethnic="A",
        given="Lee",
        family="Marshal",
        dob=swapped,
        nhs=False,
        pnc=lee.model.pnc_id,
        nfa=True,
        frequent=True,
    )
    records = [lee, leigh, marshal]
    for number, moment in enumerate(moments):
        slot(
            records[owner[number]],
            moment,
            sites[number],
            "random",
            force_needs=("substance_misuse_drugs", "accommodation"),
            force_open=number == len(moments) - 1,
        )

    # 6. Aisha, 23, Durham custody: learning disability and communication needs.
    aisha_at = latest(now, 3, 19, 20, 12)
    aisha = person(
        first_at=aisha_at,
        age=23,
        area="durham",
        gender="2",
        ethnic="J",
        given="Aisha",
        family="Khan",
        dob=dob_for(local_date(aisha_at), 23, 8, 30),
        nhs=True,
        pnc=False,
        nfa=False,
    )
    aisha.ld = True
    aisha.model.ld_status = "3"
    aisha.model.communication_needs = (
        "Seems slow to understand: use simple language and short sentences, check understanding "
        "by asking her to explain back, allow extra time."
    )
    slot(aisha, aisha_at, "durham-custody", "aisha")

    # 7. Connor, 19, released under investigation before being seen.
    connor_at = latest(now, 6, 5, 30, 6)
    connor = person(
        first_at=connor_at,
        age=19,
        area="cleveland",
        gender="1",
        ethnic="A",
        given="Connor",
        family="Walsh",
        dob=dob_for(local_date(connor_at), 19, 12, 9),
        nhs=False,
        pnc=True,
        nfa=False,
    )
    slot(connor, connor_at, "middlesbrough-custody", "connor")

    # 8. Jordan, referred from the youth court the day before turning 18.
    jordan_at = latest(now, 2, 10, 45, 10)
    birthday = local_date(jordan_at) + dt.timedelta(days=1)
    jordan = person(
        first_at=jordan_at,
        age=17,
        area="cleveland",
        gender="1",
        ethnic="A",
        given="Jordan",
        family="Bell",
        dob=years_before(birthday, 18),
        nhs=True,
        pnc=False,
        nfa=False,
    )
    slot(jordan, jordan_at, "teesside-youth-court", "jordan")


@dataclass
class Story:
    """Writes one hand-set episode; each method adds one row."""

    g: Generator
    episode: Episode
    staff: object
    leader: object

    @classmethod
    def start(
        cls,
        g: Generator,
        slot: Slot,
        *,
        team: str,
        staff,
        point: str,
        source: str,
        referrer: str,
        role: str,
        reason: str,
        offence: str,
        detained_minutes: int | None = None,
        crn: str = "",
    ) -> "Story":
        rec = slot.person
        t0 = slot.at
        age = age_on(rec.dob, local_date(t0))
        episode = new(
            Episode,
            person_id=rec.pk,
            reference=g.next_reference(),
            site=g.ref.sites[slot.site],
            team=g.ref.teams[team],
            pathway_point=point,
            referral_source=source,
            referrer_name=referrer,
            referrer_role=role,
            referral_reason=reason,
            referral_received_at=t0,
            detained_at=t0 - detained_minutes * MINUTE if detained_minutes else None,
            custody_record_number=crn,
            alleged_offence_category=offence,
            age_at_referral=age,
            pathway="youth" if age < 18 else "adult",
            allocated_to=staff,
            allocated_at=t0 + 10 * MINUTE,
            created_at=t0 + 3 * MINUTE,
            created_by=staff,
        )
        g.batch.add(episode)
        return cls(g, episode, staff, g.ref.team_leaders[team][0])

    def add(self, row):
        self.g.batch.add(row)
        return row

    def offer(self, at, outcome, **kwargs):
        return self.add(
            new(
                Offer,
                episode=self.episode,
                recorded_at=at + 5 * MINUTE,
                recorded_by=self.staff,
                offered_at=at,
                outcome=outcome,
                **kwargs,
            )
        )

    def contact(self, at, kind, minutes, note=""):
        return self.add(
            new(
                Contact,
                episode=self.episode,
                recorded_at=at + minutes * MINUTE,
                recorded_by=self.staff,
                contact_type=kind,
                occurred_at=at,
                duration_minutes=minutes,
                note=note,
            )
        )

    def administer(self, slug, at, values, minutes=8) -> Administration:
        result = self.g.scorer.from_items(slug, values)
        return self.g.administration(
            self.episode, slug, result, self.staff, at, at + minutes * MINUTE, answers=True
        )

    def need(self, code, at, by, note=""):
        return self.add(
            new(
                Need,
                episode=self.episode,
                recorded_at=at,
                recorded_by=self.staff,
                category=code,
                identified_by=by,
                note=note,
            )
        )

    def assessment(self, start, end, **kwargs):
        return self.add(
            new(
                Assessment,
                episode=self.episode,
                recorded_at=end,
                recorded_by=self.staff,
                started_at=start,
                completed_at=end,
                **kwargs,
            )
        )

    def consent(
        self,
        at,
        recipient,
        purpose,
        decision="given",
        given_by="person",
        name="",
        note="",
        scope=("needs", "recommendations", "reasonable_adjustments"),
    ):
        return self.add(
            new(
                ConsentDecision,
                episode=self.episode,
                recipient_class=recipient,
                purpose=purpose,
                decision=decision,
                given_by=given_by,
                given_by_name=name,
                scope=list(scope),
                decided_at=at,
                recorded_by=self.staff,
                note=note,
            )
        )

    def document(self, kind, drafted, approved, content):
        return self.add(
            new(
                Document,
                episode=self.episode,
                kind=kind,
                status="approved",
                content={"synthetic": True, **content},
                drafted_at=drafted,
                drafted_by=self.staff,
                approved_at=approved,
                approved_by=self.leader,
            )
        )

    def disclose(
        self,
        agency_key,
        consent,
        purpose,
        created,
        *,
        name,
        role,
        document=None,
        decision_at=None,
        summary="",
    ):
        agency = self.g.ref.agencies[agency_key]
        shared = created + 5 * MINUTE
        partner = self.g.ref.partner_user_for_agency.get(agency.name)
        return self.add(
            new(
                Disclosure,
                episode=self.episode,
                agency=agency,
                recipient_name=name,
                recipient_role=role,
                purpose=purpose,
                lawful_basis="consent",
                consent=consent,
                document=document,
                summary=summary,
                created_at=created,
                created_by=self.staff,
                approved_at=document.approved_at if document else None,
                approved_by=self.leader if document else None,
                shared_at=shared,
                cj_decision_at=decision_at if decision_at and decision_at <= self.g.now else None,
                acknowledged_at=shared + 40 * MINUTE if partner else None,
                acknowledged_by=partner,
            )
        )

    def referral(self, service_name, need, changes, appointment=None, supported=None):
        now = self.g.now
        service = next(
            s
            for services in self.g.ref.services.values()
            for s in services
            if s.name == service_name
        )
        kept = [change for change in changes if change[1] <= now]
        booked = any(status == "appointment_booked" for status, _ in kept)
        referral = self.add(
            new(
                OnwardReferral,
                episode=self.episode,
                service=service,
                need=need,
                status=kept[-1][0],
                first_appointment_at=appointment if booked else None,
                was_supported_to_first_appointment=supported if booked else None,
                created_at=kept[0][1],
                created_by=self.staff,
            )
        )
        for status, at in kept:
            self.add(
                new(
                    ReferralStatusChange,
                    referral=referral,
                    status=status,
                    changed_at=at,
                    changed_by=self.staff,
                )
            )
        return referral

    def police(self, at, outcome, reported_by):
        return self.add(
            new(
                PoliceOutcome,
                episode=self.episode,
                recorded_at=at + 30 * MINUTE,
                recorded_by=self.staff,
                outcome_list=self.episode.pathway,
                outcome=outcome,
                decided_at=at,
                reported_by=reported_by,
            )
        )

    def hearing(self, court, on, recorded, outcome="", decided=None, sentence="", note=""):
        if decided is not None and decided > self.g.now:
            outcome, decided, sentence = "", None, ""
        return self.add(
            new(
                CourtHearing,
                episode=self.episode,
                recorded_at=recorded,
                recorded_by=self.staff,
                court=self.g.ref.sites[court],
                hearing_on=on,
                outcome=outcome,
                sentence_type=sentence,
                decided_at=decided,
                note=note,
            )
        )

    def task(self, title, recorded, due, completed=None):
        done = completed is not None and completed <= self.g.now
        return self.add(
            new(
                Task,
                episode=self.episode,
                recorded_at=recorded,
                recorded_by=self.staff,
                title=title,
                due_on=due,
                assigned_to=self.staff,
                completed_at=completed if done else None,
                completed_by=self.staff if done else None,
            )
        )

    def close(self, at, reason, note=""):
        if at <= self.g.now:
            self.episode.closed_at = at
            self.episode.closure_reason = reason
            self.episode.closure_note = note
            self.episode.closed_by = self.staff


def _durham_staff(g: Generator):
    return next(m.user for m in g.ref.practitioners[DURHAM_TEAM] if m.left_on is None)


def build(g: Generator, slot: Slot) -> None:
    {
        "daniel": _daniel,
        "kayla": _kayla,
        "michelle": _michelle,
        "mark": _mark,
        "aisha": _aisha,
        "connor": _connor,
        "jordan": _jordan,
    }[slot.key[0]](g, slot)


def _daniel(g: Generator, slot: Slot) -> None:
    t0 = slot.at
    me = g.ref.users["demo-practitioner"]
    s = Story.start(
        g,
        slot,
        team=TEESSIDE_TEAM,
        staff=me,
        point="custody",
        source="E1",
        referrer="PS 2143 Carter",
        role="Custody sergeant",
        reason="Talking to people who are not there; custody sergeant concerned about his "
        "mental state.",
        offence="criminal_damage_arson",
        detained_minutes=85,
        crn=f"CL/{40000 + t0.day * 100 + t0.month}/{local_date(t0).year % 100:02d}",
    )
    s.offer(t0 + 40 * MINUTE, "accepted")
    s.contact(t0 + 40 * MINUTE, "in_custody", 60, "Seen in cell with the custody nurse.")
    s.administer("bjmhs", t0 + 50 * MINUTE, [True, True, False, True, False, False, False, True])
    need = s.need(
        "mental_health",
        t0 + 60 * MINUTE,
        "screening_instrument",
        "Psychotic symptoms: responding to voices.",
    )
    s.assessment(
        t0 + 65 * MINUTE,
        t0 + 130 * MINUTE,
        presenting_needs="Hearing voices and responding to unseen stimuli; paranoid beliefs "
        "about neighbours. Psychotic symptoms.",
        history="Previous L&D contact two years ago (recorded as Danny). Lives with his mother.",
        risk_to_self="Poor self-care; no thoughts of self-harm reported.",
        risk_to_others="Damage to property while distressed; no threats to people.",
        risk_from_others="None disclosed.",
        recommendations="Not fit for interview at present. Mental Health Act assessment "
        "requested. Advice note to the custody officer.",
        urgent_actions=["mha_assessment_requested"],
    )
    consent = s.consent(
        t0 + 135 * MINUTE,
        "police",
        "fitness_for_interview_advice",
        note="Has capacity for this decision.",
    )
    note = s.document(
        "custody_advice_note",
        t0 + 140 * MINUTE,
        t0 + 160 * MINUTE,
        {
            "title": "Custody advice note",
            "advice": "Not fit for interview until assessed "
            "under the Mental Health Act; keep observations.",
        },
    )
    decision_at = t0 + 500 * MINUTE
    s.disclose(
        "police-cleveland",
        consent,
        "fitness_for_interview_advice",
        t0 + 165 * MINUTE,
        name="Rachel Dunn",
        role="Custody inspector",
        document=note,
        decision_at=decision_at,
        summary="Advice on fitness for interview.",
    )
    s.police(decision_at, "no_further_action", "Custody inspector, Cleveland Police")
    s.contact(
        t0 + 410 * MINUTE,
        "in_custody",
        90,
        "Mental Health Act assessment in custody; admission arranged.",
    )
    s.close(
        t0 + 14 * HOUR,
        "transferred_inpatient",
        "Admitted to inpatient care after Mental Health Act assessment.",
    )
    del need


def _kayla(g: Generator, slot: Slot) -> None:
    t0 = slot.at
    me = g.ref.users["demo-practitioner"]
    s = Story.start(
        g,
        slot,
        team=TEESSIDE_TEAM,
        staff=me,
        point="custody",
        source="E1",
        referrer="PS 1187 Bell",
        role="Custody sergeant",
        reason="Arrested for assault at school; agitated and finding it hard to follow what is "
        "said.",
        offence="violence_against_person",
        detained_minutes=120,
        crn=f"CL/{41000 + t0.day * 10}/{local_date(t0).year % 100:02d}",
    )
    common = {
        "appropriate_adult_present": True,
        "appropriate_adult_name": "Sharon Wilkinson",
        "appropriate_adult_organisation": "Middlesbrough Council appropriate adult service "
        "(synthetic)",
        "competence": "competent",
        "youth_justice_worker": "Dean Forster",
    }
    s.offer(
        t0 + 30 * MINUTE,
        "declined",
        parent_carer_present=False,
        **common,
        reason_detail="Did not want to talk before her mother arrived.",
    )
    s.offer(
        t0 + 75 * MINUTE,
        "accepted",
        parent_carer_present=True,
        parent_carer_name="Joanne Henderson",
        **common,
    )
    s.contact(t0 + 75 * MINUTE, "in_custody", 50, "Seen with her mother and appropriate adult.")
    s.administer("gad-7", t0 + 85 * MINUTE, [1, 2, 1, 2, 2, 1, 0])
    adhd = s.need("adhd", t0 + 100 * MINUTE, "ld_practitioner", "Screening suggests ADHD.")
    slcn = s.need("speech_language_communication", t0 + 100 * MINUTE, "ld_practitioner")
    s.assessment(
        t0 + 110 * MINUTE,
        t0 + 170 * MINUTE,
        presenting_needs="Restless, impulsive, struggles with long questions; school reports "
        "concentration difficulties.",
        history="No previous contact with L&D or CAMHS.",
        risk_to_self="None identified.",
        risk_to_others="Incident at school; no wider concern.",
        risk_from_others="None disclosed.",
        recommendations="Adjustments for interview; referral to the youth justice health worker "
        "and to CAMHS.",
        reasonable_adjustments="Short, simple questions; check understanding; movement breaks; "
        "mother and appropriate adult present in interview.",
    )
    yjs_consent = s.consent(t0 + 175 * MINUTE, "youth_justice", "out_of_court_disposal")
    police_consent = s.consent(
        t0 + 176 * MINUTE,
        "police",
        "case_management",
        given_by="parental_responsibility",
        name="Joanne Henderson",
        note="For the school's police officer.",
    )
    report = s.document(
        "custody_advice_note",
        t0 + 180 * MINUTE,
        t0 + 200 * MINUTE,
        {
            "title": "L&D report to the youth justice officer",
            "advice": "Adjustments for interview: short questions, breaks, check understanding.",
        },
    )
    decision_at = t0 + 3 * DAY
    s.disclose(
        "yjs-cleveland",
        yjs_consent,
        "out_of_court_disposal",
        t0 + 205 * MINUTE,
        name="Dean Forster",
        role="Youth justice officer",
        document=report,
        decision_at=decision_at,
        summary="Needs and adjustments for interview.",
    )
    s.disclose(
        "police-cleveland",
        police_consent,
        "case_management",
        t0 + 1 * DAY,
        name="Amy Hall",
        role="School liaison police officer",
        summary="Support in place; adjustments at school.",
    )
    s.consent(
        t0 + 5 * DAY,
        "police",
        "case_management",
        decision="withdrawn",
        given_by="parental_responsibility",
        name="Joanne Henderson",
        note="Mother withdrew consent to share with the school's police officer.",
    )
    s.police(
        decision_at,
        "youth_conditional_caution",
        "Out-of-court disposal panel, Cleveland Police (youth justice service involved)",
    )
    day = local_date(t0)
    s.referral(
        "Youth justice health and wellbeing team - Teesside (synthetic)",
        slcn,
        [
            ("draft", t0 + 1 * DAY),
            ("sent", t0 + 1 * DAY + 5 * MINUTE),
            ("accepted", t0 + 2 * DAY),
            ("appointment_booked", t0 + 2 * DAY + HOUR),
            ("attended", at_local(day + dt.timedelta(days=6), 12, 0)),
        ],
        appointment=at_local(day + dt.timedelta(days=6), 10, 0),
        supported=True,
    )
    camhs_appointment = at_local(local_date(g.now) + dt.timedelta(days=10), 14, 0)
    s.referral(
        "Tees Valley CAMHS (synthetic)",
        adhd,
        [
            ("draft", t0 + 1 * DAY),
            ("sent", t0 + 1 * DAY + 10 * MINUTE),
            ("accepted", t0 + 5 * DAY),
            ("appointment_booked", t0 + 6 * DAY),
        ],
        appointment=camhs_appointment,
        supported=False,
    )
    s.task(
        "Check attendance at CAMHS first appointment",
        t0 + 6 * DAY,
        local_date(camhs_appointment) + dt.timedelta(days=1),
    )


def _michelle(g: Generator, slot: Slot) -> None:
    t0 = slot.at
    me = _durham_staff(g)
    s = Story.start(
        g,
        slot,
        team=DURHAM_TEAM,
        staff=me,
        point="voluntary_attendance",
        source="E1",
        referrer="DC Paul Heslop",
        role="Investigating officer",
        reason="Voluntary interview about shoplifting; disclosed drinking every day.",
        offence="theft",
        detained_minutes=20,
    )
    s.offer(t0 + 25 * MINUTE, "accepted")
    s.contact(t0 + 25 * MINUTE, "in_custody", 70, "Seen at the police station before interview.")
    s.administer("audit-c", t0 + 35 * MINUTE, [4, 3, 4], minutes=3)
    s.administer("audit", t0 + 39 * MINUTE, [4, 3, 4, 3, 2, 3, 2, 3, 2, 4], minutes=6)
    alcohol = s.need(
        "substance_misuse_alcohol",
        t0 + 50 * MINUTE,
        "screening_instrument",
        "AUDIT indicates possible dependence.",
    )
    abuse = s.need(
        "domestic_abuse", t0 + 50 * MINUTE, "self_reported", "Discloses an abusive partner."
    )
    s.need("female_pathway", t0 + 50 * MINUTE, "ld_practitioner")
    s.need("safeguarding", t0 + 50 * MINUTE, "ld_practitioner")
    s.assessment(
        t0 + 55 * MINUTE,
        t0 + 115 * MINUTE,
        presenting_needs="Drinks daily; morning drinking; low mood linked to her relationship.",
        history="No previous contact with L&D.",
        risk_to_self="No thoughts of self-harm; withdrawal risk if she stops suddenly.",
        risk_to_others="None identified.",
        risk_from_others="Discloses controlling and violent behaviour by her partner.",
        safeguarding_concern=True,
        safeguarding_referral_reference=f"SG-{local_date(t0).year}-30417",
        recommendations="Referral to drug and alcohol service with support to first "
        "appointment; domestic abuse service; safeguarding referral made.",
    )
    s.police(t0 + 3 * HOUR, "community_resolution", "Investigating officer, Durham Constabulary")
    day = local_date(t0)
    appointment = at_local(day + dt.timedelta(days=7), 10, 0)
    s.referral(
        "County Durham Drug and Alcohol Recovery Service (synthetic)",
        alcohol,
        [
            ("draft", t0 + 2 * HOUR),
            ("sent", t0 + 2 * HOUR + 10 * MINUTE),
            ("accepted", t0 + 2 * DAY),
            ("appointment_booked", t0 + 2 * DAY + HOUR),
            ("attended", appointment + 2 * HOUR),
        ],
        appointment=appointment,
        supported=True,
    )
    s.referral(
        "County Durham Domestic Abuse Service (synthetic)",
        abuse,
        [
            ("draft", t0 + 2 * HOUR),
            ("sent", t0 + 2 * HOUR + 20 * MINUTE),
            ("accepted", t0 + 3 * DAY),
        ],
    )
    s.task(
        "Support Michelle to her first appointment",
        t0 + 2 * DAY + HOUR,
        appointment.date(),
        completed=appointment + 2 * HOUR,
    )
    s.contact(
        appointment - 30 * MINUTE,
        "community_visit",
        120,
        "Accompanied to her first appointment at the drug and alcohol service.",
    )
    s.close(t0 + 9 * DAY, "completed_referred_on")


def _mark(g: Generator, slot: Slot) -> None:
    t0 = slot.at
    me = g.ref.users["demo-practitioner"]
    s = Story.start(
        g,
        slot,
        team=TEESSIDE_TEAM,
        staff=me,
        point="magistrates_court",
        source="E2",
        referrer="Alan Metcalfe",
        role="Legal adviser",
        reason="Pleaded guilty to a public order offence; defence reports PTSD and heavy "
        "drinking; the bench asks for L&D advice before sentence.",
        offence="public_order",
    )
    s.offer(t0 + 20 * MINUTE, "accepted")
    s.contact(t0 + 20 * MINUTE, "at_court", 60, "Seen in the court cells.")
    s.administer("phq-9", t0 + 30 * MINUTE, [2, 2, 2, 1, 1, 2, 2, 1, 0])
    s.administer("audit-c", t0 + 40 * MINUTE, [3, 3, 3], minutes=3)
    s.administer("audit", t0 + 43 * MINUTE, [3, 3, 3, 2, 1, 1, 1, 0, 2, 2], minutes=6)
    s.need("mental_health", t0 + 55 * MINUTE, "ld_practitioner", "PTSD after military service.")
    s.need("trauma", t0 + 55 * MINUTE, "self_reported")
    alcohol = s.need("substance_misuse_alcohol", t0 + 55 * MINUTE, "screening_instrument")
    veteran = s.need("veteran", t0 + 55 * MINUTE, "self_reported", "Served 12 years, Army.")
    s.assessment(
        t0 + 60 * MINUTE,
        t0 + 135 * MINUTE,
        presenting_needs="Nightmares, hypervigilance and flashbacks; drinks to sleep.",
        history="Army veteran; discharged ten years ago; no previous treatment for PTSD.",
        risk_to_self="No current thoughts of self-harm.",
        risk_to_others="Irritability when drinking; the offence happened while drunk.",
        risk_from_others="None disclosed.",
        recommendations="Community order with a mental health treatment requirement and an "
        "alcohol treatment requirement.",
    )
    court_consent = s.consent(t0 + 140 * MINUTE, "court", "sentencing_or_psr")
    probation_consent = s.consent(t0 + 141 * MINUTE, "probation", "sentencing_or_psr")
    day = local_date(t0)
    s.hearing(
        "teesside-magistrates",
        day,
        t0 + 30 * MINUTE,
        "adjourned_for_reports",
        t0 + 4 * HOUR,
        note="Adjourned for a pre-sentence report.",
    )
    sentence_day = day + dt.timedelta(days=14)
    sentenced_at = at_local(sentence_day, 14, 30)
    s.hearing(
        "teesside-magistrates",
        sentence_day,
        t0 + 4 * HOUR,
        "sentenced",
        sentenced_at,
        "community_order_cstr",
    )
    report = s.document(
        "court_report",
        t0 + 3 * DAY,
        t0 + 3 * DAY + 2 * HOUR,
        {
            "title": "L&D court report",
            "recommendation": "Community order with mental health "
            "and alcohol treatment requirements.",
        },
    )
    shared = t0 + 3 * DAY + 3 * HOUR
    s.disclose(
        "court-cleveland",
        court_consent,
        "sentencing_or_psr",
        shared,
        name="Alan Metcalfe",
        role="Legal adviser",
        document=report,
        decision_at=sentenced_at,
        summary="Court report for sentencing.",
    )
    s.disclose(
        "probation",
        probation_consent,
        "sentencing_or_psr",
        shared + 5 * MINUTE,
        name="Karen Liddle",
        role="Probation officer (pre-sentence report)",
        document=report,
        decision_at=sentenced_at,
        summary="Court report for the PSR.",
    )
    s.task(
        "Court report due before sentencing",
        t0 + 4 * HOUR,
        day + dt.timedelta(days=7),
        completed=t0 + 3 * DAY + 2 * HOUR,
    )
    appointment = at_local(day + dt.timedelta(days=10), 11, 0)
    s.referral(
        "Veterans' Welfare North East (synthetic)",
        veteran,
        [
            ("draft", t0 + 1 * DAY),
            ("sent", t0 + 1 * DAY + 5 * MINUTE),
            ("accepted", t0 + 3 * DAY),
            ("appointment_booked", t0 + 3 * DAY + HOUR),
            ("attended", appointment + HOUR),
        ],
        appointment=appointment,
        supported=True,
    )
    recovery = at_local(day + dt.timedelta(days=8), 10, 30)
    s.referral(
        "Teesside Recovery Service - Middlesbrough hub (synthetic)",
        alcohol,
        [
            ("draft", t0 + 1 * DAY),
            ("sent", t0 + 1 * DAY + 10 * MINUTE),
            ("accepted", t0 + 2 * DAY),
            ("appointment_booked", t0 + 2 * DAY + HOUR),
            ("attended", recovery + HOUR),
        ],
        appointment=recovery,
        supported=False,
    )
    s.contact(sentenced_at - 2 * HOUR, "court_accompaniment", 180, "Supported at sentencing.")
    s.close(sentenced_at + 2 * DAY, "completed_referred_on")


def _aisha(g: Generator, slot: Slot) -> None:
    t0 = slot.at
    me = _durham_staff(g)
    s = Story.start(
        g,
        slot,
        team=DURHAM_TEAM,
        staff=me,
        point="custody",
        source="E1",
        referrer="PS 877 Lambert",
        role="Custody sergeant",
        reason='Custody record notes she "seems slow to understand".',
        offence="theft",
        detained_minutes=180,
        crn=f"DU/{52000 + t0.day}/{local_date(t0).year % 100:02d}",
    )
    s.add(
        new(
            Alert,
            person_id=slot.person.pk,
            category="communication_needs",
            description="Communication needs: simple language and short sentences; check "
            "understanding; an appropriate adult is needed in custody.",
            raised_at=t0 + 3 * HOUR,
            raised_by=me,
        )
    )
    s.offer(t0 + 40 * MINUTE, "accepted", appropriate_adult_present=False)
    s.contact(t0 + 40 * MINUTE, "in_custody", 60, "Seen in a quiet interview room.")
    s.administer("gad-7", t0 + 50 * MINUTE, [1, 1, 0, 1, 0, 1, 1])
    ld = s.need(
        "learning_disability",
        t0 + 70 * MINUTE,
        "ld_practitioner",
        "Screening suggests a learning disability (no licensed screening tool held).",
    )
    s.need("speech_language_communication", t0 + 70 * MINUTE, "ld_practitioner")
    s.assessment(
        t0 + 75 * MINUTE,
        t0 + 140 * MINUTE,
        presenting_needs="Difficulty understanding questions and the caution; left school at "
        "16 with support; lives with her family.",
        history="No previous diagnosis recorded.",
        risk_to_self="None identified.",
        risk_to_others="None identified.",
        risk_from_others="Possible exploitation by others; explored, none disclosed.",
        recommendations="Appropriate adult for interview; referral to the community learning "
        "disability team.",
        reasonable_adjustments="Appropriate adult to be called; simple language in interview; "
        "check understanding by asking her to explain back; extra time and breaks.",
        urgent_actions=["appropriate_adult_requested"],
    )
    consent = s.consent(t0 + 145 * MINUTE, "police", "fitness_for_interview_advice")
    note = s.document(
        "custody_advice_note",
        t0 + 150 * MINUTE,
        t0 + 170 * MINUTE,
        {
            "title": "Custody advice note",
            "advice": "Call an appropriate adult; use simple language in interview.",
        },
    )
    decision_at = t0 + 6 * HOUR
    s.disclose(
        "police-durham",
        consent,
        "fitness_for_interview_advice",
        t0 + 175 * MINUTE,
        name="Insp. Mark Coates",
        role="Custody inspector",
        document=note,
        decision_at=decision_at,
        summary="Reasonable adjustments for interview.",
    )
    s.police(decision_at, "bail_pending_enquiries", "Custody sergeant, Durham Constabulary")
    s.referral(
        "Durham Community Learning Disability Team (synthetic)",
        ld,
        [
            ("draft", t0 + 1 * DAY),
            ("sent", t0 + 1 * DAY + 5 * MINUTE),
            ("accepted", t0 + 5 * DAY),
            ("appointment_booked", t0 + 6 * DAY),
        ],
        appointment=at_local(local_date(t0) + dt.timedelta(days=20), 11, 0),
        supported=True,
    )


def _connor(g: Generator, slot: Slot) -> None:
    t0 = slot.at
    me = g.ref.users["demo-practitioner"]
    s = Story.start(
        g,
        slot,
        team=TEESSIDE_TEAM,
        staff=me,
        point="custody",
        source="E1",
        referrer="PS 1420 Ward",
        role="Custody sergeant",
        reason="Low mood and superficial cuts to forearms noted at booking-in.",
        offence="public_order",
        detained_minutes=350,
        crn=f"CL/{43000 + t0.day}/{local_date(t0).year % 100:02d}",
    )
    released = t0 + 30 * MINUTE
    s.police(released, "released_under_investigation", "Custody sergeant, Cleveland Police")
    s.offer(
        t0 + 50 * MINUTE,
        "not_possible",
        not_possible_reason="released_before_seen",
        reason_detail="Released under investigation at 06:00 before the practitioner arrived.",
    )
    next_day = local_date(t0) + dt.timedelta(days=1)
    call = at_local(next_day, 10, 30)
    s.task(
        "Call Connor in the community (released before seen)",
        t0 + 60 * MINUTE,
        next_day,
        completed=call,
    )
    s.offer(call, "accepted")
    s.contact(call, "phone", 40, "Follow-up call the day after release.")
    s.administer("phq-9", call + 10 * MINUTE, [2, 2, 1, 2, 1, 2, 1, 0, 1])
    s.administer("gad-7", call + 20 * MINUTE, [2, 1, 1, 2, 1, 1, 1])
    s.need("mental_health", call + 30 * MINUTE, "screening_instrument")
    s.need(
        "suicide_self_harm",
        call + 30 * MINUTE,
        "self_reported",
        "Recent superficial self-harm; no current plan.",
    )
    s.task(
        "Complete assessment at community base", call + 35 * MINUTE, next_day + dt.timedelta(days=3)
    )


def _jordan(g: Generator, slot: Slot) -> None:
    t0 = slot.at
    me = g.ref.users["demo-practitioner"]
    s = Story.start(
        g,
        slot,
        team=TEESSIDE_TEAM,
        staff=me,
        point="youth_court",
        source="E2",
        referrer="Youth court legal adviser",
        role="Legal adviser",
        reason="Youth court asks for L&D input; anxious and low in the court cells.",
        offence="theft",
    )
    s.offer(t0 + 20 * MINUTE, "accepted", parent_carer_present=True, parent_carer_name="Lisa Bell")
    s.contact(t0 + 20 * MINUTE, "at_court", 45, "Seen at the youth court with his mother.")
    s.administer("gad-7", t0 + 30 * MINUTE, [2, 2, 2, 1, 2, 1, 2])
    s.administer("phq-9", t0 + 40 * MINUTE, [1, 2, 1, 1, 1, 1, 1, 0, 0])
    s.need("mental_health", t0 + 55 * MINUTE, "screening_instrument", "Anxiety.")
    s.need("employment_education", t0 + 55 * MINUTE, "self_reported", "Left college; not in work.")
    day = local_date(t0)
    s.hearing(
        "teesside-youth-court",
        day,
        t0 + 15 * MINUTE,
        "adjourned_other",
        t0 + 2 * HOUR,
        note="Adjourned: defence awaiting disclosure.",
    )
    next_hearing = day + dt.timedelta(days=21)
    while next_hearing.weekday() >= 5:
        next_hearing += dt.timedelta(days=1)
    s.hearing("teesside-youth-court", next_hearing, t0 + 2 * HOUR)
    after_birthday = at_local(day + dt.timedelta(days=3), 11, 0)
    s.contact(
        after_birthday,
        "phone",
        30,
        "Follow-up after his 18th birthday; this episode stays on the youth pathway.",
    )
    s.assessment(
        after_birthday + 30 * MINUTE,
        after_birthday + 90 * MINUTE,
        presenting_needs="Anxiety about court; poor sleep; not in education or work.",
        history="No previous L&D contact.",
        risk_to_self="None identified.",
        risk_to_others="None identified.",
        risk_from_others="None disclosed.",
        recommendations="Talking therapies; support at the next hearing.",
    )
    s.task(
        "Support Jordan at his next youth court hearing", after_birthday + 2 * HOUR, next_hearing
    )


# Site types the scenario sites must have (checked by the tests through the reference data).
SCENARIO_SITE_TYPES = {
    "middlesbrough-custody": SiteType.CUSTODY_SUITE,
    "middlesbrough-youth-custody": SiteType.YOUTH_CUSTODY_SUITE,
    "darlington-voluntary-attendance": SiteType.VOLUNTARY_ATTENDANCE,
    "teesside-magistrates": SiteType.MAGISTRATES_COURT,
    "durham-custody": SiteType.CUSTODY_SUITE,
    "teesside-youth-court": SiteType.YOUTH_COURT,
}
