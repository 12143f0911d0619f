"""Load code list files into the database (used by data migrations, safe to repeat)."""

from typing import Any

from divert.core import codelists


def sync_codelists(apps: Any, schema_editor: Any = None) -> None:
    """Insert each code list version that is not yet loaded; existing versions are left alone."""
    code_list_model = apps.get_model("core", "CodeList")
    code_model = apps.get_model("core", "Code")
    for slug in codelists.all_slugs():
        data = codelists.load(slug)
        code_list, created = code_list_model.objects.get_or_create(
            slug=data.slug,
            version=data.version,
            defaults={"title": data.title, "source": data.source, "description": data.description},
        )
        if not created:
            continue
        code_model.objects.bulk_create(
            code_model(
                code_list=code_list,
                code=item.code,
                display=item.display,
                group=item.group,
                description=item.description,
                sort_order=index,
            )
            for index, item in enumerate(data.codes)
        )
