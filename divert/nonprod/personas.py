"""Demo logins, one per role. Used only when DIVERT_DEMO_MODE is on."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Persona:
    username: str
    first_name: str
    last_name: str
    job_title: str
    roles: tuple[str, ...]
    team: str = ""
    agency: str = ""

    @property
    def description(self) -> str:
        return self.job_title


PERSONAS: list[Persona] = [
    Persona(
        "demo-practitioner",
        "Priya",
        "Sandhu",
        "L&D nurse practitioner, Teesside team",
        ("practitioner",),
        team="Teesside L&D team",
    ),
    Persona(
        "demo-team-leader",
        "Gareth",
        "Lowe",
        "L&D team leader, Teesside team",
        ("team_leader",),
        team="Teesside L&D team",
    ),
    Persona(
        "demo-service-manager", "Helen", "Armstrong", "L&D service manager", ("service_manager",)
    ),
    Persona(
        "demo-commissioner",
        "Tom",
        "Fairbairn",
        "Health and justice commissioner",
        ("commissioner",),
    ),
    Persona(
        "demo-police",
        "Rachel",
        "Dunn",
        "Custody inspector, Cleveland Police",
        ("partner",),
        agency="Cleveland Police",
    ),
    Persona(
        "demo-court",
        "Alan",
        "Metcalfe",
        "Legal adviser, Teesside Magistrates' Court",
        ("partner",),
        agency="Teesside Magistrates' Court",
    ),
    Persona("demo-ig", "Nadia", "Hussain", "Information governance officer", ("ig_officer",)),
    Persona("demo-admin", "Chris", "Parkin", "System administrator", ("administrator",)),
]
