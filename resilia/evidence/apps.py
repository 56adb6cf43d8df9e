from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "resilia.evidence"
    label = "evidence"
    verbose_name = _("Evidence files")

    def ready(self):
        from resilia.core.services import on_delete
        from resilia.evidence.services import attachments_delete_for

        # No evidence file outlives its object (deleted in the same transaction, audited).
        on_delete(attachments_delete_for)
