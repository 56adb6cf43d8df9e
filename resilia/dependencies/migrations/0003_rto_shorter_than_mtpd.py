"""RTO strictly shorter than MTPD (standards.md §1.10, ISO 22300 RTO note "less than").

Activities whose RTO equals their MTPD were allowed before. Their objectives are approved
figures, so the migration does not change them: it stops, naming the activities, and the BCM
office corrects each (shorter RTO or longer MTPD) with the previous release before upgrading.
"""

from django.db import migrations, models


def refuse_equal_objectives(apps, schema_editor):
    Activity = apps.get_model("dependencies", "Activity")
    codes = list(
        Activity.objects.filter(rto__isnull=False, rto=models.F("mtpd"))
        .order_by("code")
        .values_list("code", flat=True)
    )
    if codes:
        raise RuntimeError(
            "The RTO must be shorter than the MTPD, and these activities have an RTO equal to"
            f" their MTPD: {', '.join(codes)}. Shorten their RTO or lengthen their MTPD,"
            " then run the migration again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("dependencies", "0002_minutes_field"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="activity",
            name="activity_rto_within_mtpd",
        ),
        migrations.RunPython(refuse_equal_objectives, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="activity",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("rto__isnull", True),
                    ("mtpd__isnull", True),
                    ("rto__lt", models.F("mtpd")),
                    _connector="OR",
                ),
                name="activity_rto_shorter_than_mtpd",
                violation_error_message="The RTO must be shorter than the MTPD.",
            ),
        ),
    ]
