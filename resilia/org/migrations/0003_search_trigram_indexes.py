# The people and units registers' search (SearchFilterSet.search_fields), served by
# trigram indexes on PostgreSQL (resilia.core.search_indexes).

from django.db import migrations

from resilia.core.search_indexes import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("org", "0002_person_name_order")]

    operations = [
        trigram_indexes("org_person", ["full_name", "employee_no", "title", "email", "mobile"]),
        trigram_indexes("org_unit", ["name", "name_en", "code", "description"]),
    ]
