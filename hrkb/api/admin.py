"""Partner keys in the admin: create (the secret is shown once), clear for restricted records, revoke."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hrkb.models import PartnerKey


@admin.register(PartnerKey)
class PartnerKeyAdmin(admin.ModelAdmin):
    """Keys are never edited into a secret: saving a new key generates one and shows it once."""

    list_display = ["name", "organisation", "prefix", "can_read_restricted", "user", "created", "revoked"]
    list_filter = ["can_read_restricted", ("revoked", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "organisation__name"]
    raw_id_fields = ["organisation", "user"]
    readonly_fields = ["prefix", "created", "revoked"]
    fields = ["name", "organisation", "user", "can_read_restricted", "prefix", "created", "revoked"]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        secret = None if change else obj.set_new_secret()
        super().save_model(request, obj, form, change)
        if secret:
            messages.warning(
                request,
                _("The key's secret is %(secret)s — copy it now: only its hash is stored, so it cannot be shown again.")
                % {"secret": secret},
            )

    @admin.action(description=_("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request, queryset):
        count = queryset.filter(revoked__isnull=True).update(revoked=timezone.now())
        self.message_user(request, ngettext("Revoked %d key.", "Revoked %d keys.", count) % count)
