"""What the WeCom, DingTalk and Feishu transports share: a group robot or an application."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from resilia.notify.transports.base import Transport

ROBOT, APP = "robot", "app"


class RobotOrApp(Transport):
    """A robot posts to its group (mentioning the recipient's mobile), under the kind's rate
    limit; an application message goes to the person's own user id on that platform."""

    user_id_field = ""
    robot_fields: tuple[str, ...] = ("webhook_url",)
    app_fields: tuple[str, ...] = ()
    token = ""

    @property
    def robot(self) -> bool:
        return self.config.get("mode", ROBOT) == ROBOT

    @property
    def address_field(self) -> str:
        return "" if self.robot else self.user_id_field

    def validate_config(self) -> None:
        super().validate_config()
        labels = {f.name: f.label for f in self.fields}
        wanted = self.robot_fields if self.robot else self.app_fields
        missing = [labels[n] for n in wanted if not self.config.get(n)]
        if missing:
            raise ValidationError(
                {"config": [_("%(field)s is required.") % {"field": label} for label in missing]}
            )

    def rate_limit(self):
        if not self.robot and not self.config.get("rate_per_minute"):
            return None
        return super().rate_limit()
