"""Who may read work-order templates: agents (every template, to pick one); admins change them
(`services.templates.require_admin`). Customers: none."""

from django.db.models import QuerySet

from deskside.accounts.models import User
from deskside.accounts.permissions import is_agent
from deskside.workorders.models import WorkOrderTemplate


def templates_visible_to(user: User) -> QuerySet[WorkOrderTemplate]:
    qs = WorkOrderTemplate.objects.all()
    return qs if is_agent(user) else qs.none()
