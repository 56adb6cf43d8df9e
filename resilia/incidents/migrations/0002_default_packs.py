"""The default grading packs (engine.grading.DEFAULT_PACKS): generic small/large scale,
banking 53号 and power 599号, as version 1 of each; an organisation edits them into new
versions."""

from django.db import migrations


def install(apps, schema_editor):
    from resilia.engine.grading import DEFAULT_PACKS

    GradingPack = apps.get_model("incidents", "GradingPack")
    for pack in DEFAULT_PACKS:
        if GradingPack.objects.filter(code=pack["code"]).exists():
            continue
        GradingPack.objects.create(
            code=pack["code"],
            version=pack["version"],
            name=pack["name"],
            name_en=pack["name_en"],
            rules={k: v for k, v in pack.items() if k not in ("code", "version")},
        )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
