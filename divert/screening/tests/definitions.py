"""Test helpers: the shipped slugs and a small valid definition to vary."""

from divert.screening.schema import parse_definition

SHIPPED = [
    "audit",
    "audit-c",
    "bjmhs",
    "cage",
    "ciwa-ar",
    "core-10",
    "dast-10",
    "fast",
    "gad-7",
    "phq-9",
]


def minimal(**changes):
    raw = {
        "slug": "test",
        "version": 1,
        "title": "Test",
        "short_title": "Test",
        "description": "Test instrument.",
        "licence": "None",
        "licence_note": "None.",
        "source": "Tests.",
        "effective_date": "2026-01-01",
        "administration": "self",
        "wording": "paraphrased",
        "scoring": "prorated_sum",
        "prorate_max_missing": 1,
        "bands": [
            {"code": "low", "min": 0, "max": 10, "label": "Low", "severity": "low"},
            {"code": "high", "min": 11, "max": 20, "label": "High", "severity": "high"},
        ],
        "items": [
            {
                "link_id": f"q{n}",
                "type": "choice",
                "text": f"Item {n}",
                "options": [
                    {"code": str(score), "display": str(score), "score": score}
                    for score in range(6)
                ],
            }
            for n in range(1, 5)
        ],
    }
    return parse_definition(raw | changes)
