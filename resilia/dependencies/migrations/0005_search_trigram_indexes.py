# The resources and activities registers' search (SearchFilterSet.search_fields), served by
# trigram indexes on PostgreSQL (resilia.core.search_indexes).

from django.db import migrations

from resilia.core.search_indexes import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("dependencies", "0004_activity_priority_order")]

    operations = [
        trigram_indexes("dependencies_resource", ["code", "name", "name_en", "description"]),
        trigram_indexes(
            "dependencies_activity", ["code", "name", "name_en", "products", "description"]
        ),
    ]
