"""Response levels get their structured fields (who decides, when it escalates, to whom and
within what time it is reported): the levels of every draft are given the new fields, empty,
so that the API and the model file show one shape.

Versions submitted or signed are left as they are: their signatures are over the exact
content (content.canonical), and content.level_rows reads their levels in the new shape.
"""

from django.db import migrations

TEXT_FIELDS = ("name", "criteria", "decides", "response", "escalate", "report_to")


def _structured(levels):
    out = []
    for level in levels:
        if not isinstance(level, dict):
            return None  # not a shape this migration knows: left for the editor to refuse
        row = {k: level.get(k) or "" for k in TEXT_FIELDS}
        row["report_within"] = level.get("report_within")
        out.append(row)
    return out


def forwards(apps, schema_editor):
    PlanVersion = apps.get_model("plans", "PlanVersion")
    for version in PlanVersion.objects.filter(status="draft").only("pk", "content").iterator():
        content = version.content
        if not isinstance(content, dict) or not isinstance(content.get("levels"), list):
            continue
        levels = _structured(content["levels"])
        if levels is None or levels == content["levels"]:
            continue
        content["levels"] = levels
        PlanVersion.objects.filter(pk=version.pk).update(content=content)


class Migration(migrations.Migration):
    dependencies = [("plans", "0002_pack_issue")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
