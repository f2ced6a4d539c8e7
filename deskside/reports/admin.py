from django.contrib import admin

from deskside.core.admin import ReadOnlyAdmin
from deskside.reports.models import MonthlyReportDelivery, MonthlyReportSetting


@admin.register(MonthlyReportSetting)
class MonthlyReportSettingAdmin(ReadOnlyAdmin):
    list_display = ("organization", "enabled", "day_of_month", "updated_at", "updated_by")
    list_filter = ("enabled",)


@admin.register(MonthlyReportDelivery)
class MonthlyReportDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("organization", "month", "state", "recipients", "sent_at", "last_error")
    list_filter = ("state",)
    actions = ["requeue"]

    @admin.action(description="Send again (queue the selected failed or interrupted mailings)")
    def requeue(self, request, queryset):  # type: ignore[no-untyped-def]
        states = (MonthlyReportDelivery.State.FAILED, MonthlyReportDelivery.State.SENDING)
        n = queryset.filter(state__in=states).update(state=MonthlyReportDelivery.State.QUEUED)
        self.message_user(request, f"{n} mailing(s) queued again.")
