"""Model pieces every register shares: a bilingual name and the code validator.

Abstract, so nothing here has a table or a migration of its own.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
    _("Use letters, digits, dots, hyphens and underscores, starting with a letter or digit."),
)


def in_reader_language(text: str, text_en: str) -> str:
    """The English text for an English reader where there is one, else the organisation's."""
    if text_en and (get_language() or "").startswith("en"):
        return text_en
    return text or text_en


class BilingualName(models.Model):
    """A name in the organisation's language and an optional English name."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return in_reader_language(self.name, self.name_en)
