"""Admin for people, organisations, their aliases and the roles people hold."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch
from django.http import HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from hrkb.admin import (
    FORMFIELD_OVERRIDES,
    CuratedAdmin,
    SpreadsheetAdminMixin,
    SubquerySearchMixin,
    admin_link,
    partial_date,
)
from hrkb.admin_lists import IndexedValuesFilter, NamedRelatedFilter

from .choices import ActorKind
from .duplicates import duplicate_groups, likely_duplicates
from .models import Actor, Alias, Membership, Organisation, Person
from .resources import AliasResource, MembershipResource, OrganisationResource, PersonResource
from .services import actor_merge, actor_merge_plan

ACTOR_SEARCH_FIELDS = ["name", "aliases__name", "slug", "wikidata_id"]


def actor_admin_url(actor: Actor) -> str:
    """The Person or Organisation page of an actor; the Actor table itself has no page."""
    model = Person if actor.kind == ActorKind.PERSON else Organisation
    return reverse(f"admin:actors_{model._meta.model_name}_change", args=[actor.pk])


def actor_link(actor: Actor | None):
    """A link to an actor's Person or Organisation page, for list columns."""
    if actor is None:
        return "—"
    return format_html('<a href="{}">{}</a>', actor_admin_url(actor), actor)


def alias_names(actor: Actor) -> str:
    # Reads the prefetched aliases, so a changelist costs one query for all of them.
    return ", ".join(alias.name for alias in actor.aliases.all())


class MembershipForm(forms.ModelForm):
    """A membership whose slug may be left blank: it is then made from person, role and organisation."""

    class Meta:
        model = Membership
        fields = [
            "person",
            "organisation",
            "role",
            "start",
            "end",
            "rank",
            "rank_reason",
            "note",
            "unsourced_reason",
            "slug",
            "status",
            "restricted",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _("Left blank, it is made from the person, role and organisation.")

    def clean(self):
        cleaned_data = super().clean()
        person = cleaned_data.get("person") or getattr(self.instance, "person", None)
        organisation = cleaned_data.get("organisation") or getattr(self.instance, "organisation", None)
        if not cleaned_data.get("slug") and person and organisation and cleaned_data.get("role"):
            cleaned_data["slug"] = Membership.make_slug(person.slug, cleaned_data["role"], organisation.slug)
        return cleaned_data


class AliasInline(admin.TabularInline):
    model = Alias
    fields = ["name", "kind", "language"]
    extra = 1


class MembershipInline(admin.TabularInline):
    """Roles on a person's or an organisation's page; subclasses pick the side."""

    model = Membership
    form = MembershipForm
    formfield_overrides = FORMFIELD_OVERRIDES
    ordering = [F("start").asc(nulls_last=True), "role"]
    extra = 0
    show_change_link = True
    fields = ["role", "start", "end", "rank", "status", "unsourced_reason", "slug"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person", "organisation")


class PersonMembershipInline(MembershipInline):
    fk_name = "person"
    fields = ["organisation", *MembershipInline.fields]
    autocomplete_fields = ["organisation"]
    verbose_name_plural = _("roles held")


class OrganisationMembershipInline(MembershipInline):
    fk_name = "organisation"
    fields = ["person", *MembershipInline.fields]
    autocomplete_fields = ["person"]
    verbose_name_plural = _("people and their roles")


class ChildOrganisationInline(admin.TabularInline):
    """The organisations that belong to this one; each is edited on its own page."""

    model = Organisation
    fk_name = "parent"
    fields = ["name", "organisation_kind", "status"]
    readonly_fields = fields
    show_change_link = True
    extra = 0
    can_delete = False
    verbose_name_plural = _("child organisations")

    def has_add_permission(self, request, obj=None):
        return False


class ActorAdminMixin:
    """What the person and organisation admins share: search by any name, alias columns, history, merging.

    Adding a person or an organisation shows its likely duplicates (same or
    similar names and aliases, see :mod:`actors.duplicates`) as the name is
    typed, and again, with links to merge, once it is saved.
    """

    search_fields = ACTOR_SEARCH_FIELDS
    prepopulated_fields = {"slug": ["name"]}
    merge_services = (actor_merge_plan, actor_merge)
    add_form_template = "admin/actors/actor_add_form.html"

    change_list_template = "admin/actors/actor_change_list.html"

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("similar/", self.admin_site.admin_view(self.similar_view), name=f"{prefix}_similar"),
            path("duplicates/", self.admin_site.admin_view(self.duplicates_view), name=f"{prefix}_duplicates"),
            *super().get_urls(),
        ]

    def duplicates_view(self, request):
        """Every group of people (or organisations) sharing a name or alias spelt alike, each with a merge link."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        groups = duplicate_groups(kind=self.model.proxy_kind)
        merge = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_merge")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Likely duplicate %(name)s") % {"name": self.opts.verbose_name_plural},
            "groups": [
                {
                    "actors": [(actor, actor_admin_url(actor), alias_names(actor)) for actor in group],
                    "pairs": [
                        (first, second, f"{merge}?ids={first.pk},{second.pk}")
                        for index, first in enumerate(group)
                        for second in group[index + 1 :]
                    ],
                }
                for group in groups
            ],
            "can_merge": self.has_change_permission(request) and self.has_delete_permission(request),
        }
        return TemplateResponse(request, "admin/actors/duplicates.html", context)

    def similar_view(self, request):
        """The likely duplicates of a name (and aliases) being typed, as JSON for the add page."""
        if not self.has_view_or_change_permission(request):
            return JsonResponse({"candidates": []}, status=403)
        aliases = tuple(request.GET.getlist("alias"))
        candidates = likely_duplicates(
            name=request.GET.get("name", "")[:300], kind=self.model.proxy_kind, aliases=aliases
        )
        return JsonResponse(
            {
                "candidates": [
                    {"name": c.actor.name, "slug": c.actor.slug, "reason": c.reason, "url": actor_admin_url(c.actor)}
                    for c in candidates
                ]
            }
        )

    def response_add(self, request, obj, post_url_continue=None):
        aliases = tuple(obj.aliases.values_list("name", flat=True))
        candidates = likely_duplicates(name=obj.name, kind=obj.kind, aliases=aliases, exclude=obj.pk)
        if candidates:
            merge = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_merge")
            links = format_html_join(
                ", ",
                '<a href="{}">{}</a> ({}; <a href="{}?ids={},{}">merge…</a>)',
                ((actor_admin_url(c.actor), c.actor.name, c.reason, merge, c.actor.pk, obj.pk) for c in candidates),
            )
            self.message_user(request, format_html("{} may be a duplicate of {}.", obj.name, links), messages.WARNING)
        return super().response_add(request, obj, post_url_continue)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(Prefetch("aliases", Alias.objects.order_by("name")))

    @admin.display(description=_("aliases"))
    def alias_names(self, actor):
        return alias_names(actor)


@admin.register(Person)
class PersonAdmin(ActorAdminMixin, CuratedAdmin):
    resource_classes = [PersonResource]
    importable = True
    list_display = ["name", "alias_names", "roles", "wikidata_id", "status", "restricted", "modified"]
    list_filter = [("memberships__organisation", NamedRelatedFilter), *CuratedAdmin.list_filter]
    fields = [
        "name",
        "slug",
        "description",
        "own_summary",
        "wikidata_id",
        "status",
        "restricted",
        "created",
        "modified",
    ]
    inlines = [AliasInline, PersonMembershipInline]

    def get_queryset(self, request):
        memberships = Membership.objects.select_related("organisation").order_by("start")
        return super().get_queryset(request).prefetch_related(Prefetch("memberships", memberships))

    @admin.display(description=_("roles"))
    def roles(self, person):
        return "; ".join(f"{m.role}, {m.organisation}" for m in person.memberships.all())


@admin.register(Organisation)
class OrganisationAdmin(ActorAdminMixin, CuratedAdmin):
    resource_classes = [OrganisationResource]
    importable = True
    list_display = ["name", "alias_names", "organisation_kind", "parent_link", "wikidata_id", "status", "restricted"]
    list_filter = ["organisation_kind", ("parent", NamedRelatedFilter), *CuratedAdmin.list_filter]
    list_select_related = ["parent"]
    fields = [
        "name",
        "slug",
        "organisation_kind",
        "parent",
        "description",
        "own_summary",
        "wikidata_id",
        "status",
        "restricted",
        "created",
        "modified",
    ]
    autocomplete_fields = ["parent"]
    inlines = [AliasInline, OrganisationMembershipInline, ChildOrganisationInline]

    @admin.display(description=_("part of"), ordering="parent__name")
    def parent_link(self, organisation):
        return admin_link(organisation.parent)


@admin.register(Actor)
class ActorAdmin(ActorAdminMixin, CuratedAdmin):
    """Serves autocomplete wherever a record points at "an actor" (participants, mentions, aliases).

    People and organisations are curated on their own pages, so this admin is
    kept off the index and its change links lead there.
    """

    list_display = ["name", "kind", "alias_names", "status"]
    list_filter = ["kind", *CuratedAdmin.list_filter]

    def has_module_permission(self, request):
        return False

    def has_add_permission(self, request):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        actor = self.get_object(request, unquote(object_id))
        if actor is None:
            return super().change_view(request, object_id, form_url, extra_context)
        return HttpResponseRedirect(actor_admin_url(actor))


@admin.register(Membership)
class MembershipAdmin(CuratedAdmin):
    """Who held which role where, and when: filter by organisation to list its people."""

    form = MembershipForm
    resource_classes = [MembershipResource]
    importable = True
    list_display = ["person", "role", "organisation_link", "start_display", "end_display", "rank", "status"]
    list_filter = [
        ("organisation", NamedRelatedFilter),
        ("role", IndexedValuesFilter),
        "rank",
        *CuratedAdmin.list_filter,
        "start",
    ]
    list_select_related = ["person", "organisation"]
    search_fields = [
        "role",
        "person__name",
        "person__aliases__name",
        "organisation__name",
        "organisation__aliases__name",
    ]
    autocomplete_fields = ["person", "organisation"]
    date_hierarchy = "start"
    # Roles in the order they began; undated ones after, wherever the database puts NULLs.
    ordering = ["organisation__name", F("start").asc(nulls_last=True), "person__name"]
    fields = [
        "person",
        "role",
        "organisation",
        ("start", "end"),
        ("rank", "rank_reason"),
        "note",
        "unsourced_reason",
        "slug",
        ("status", "restricted"),
        ("created", "modified"),
    ]

    @admin.display(description=_("organisation"), ordering="organisation__name")
    def organisation_link(self, membership):
        return admin_link(membership.organisation)

    @admin.display(description=_("start"), ordering="start")
    def start_display(self, membership):
        return partial_date(membership.start)

    @admin.display(description=_("end"), ordering="end")
    def end_display(self, membership):
        return partial_date(membership.end)


@admin.register(Alias)
class AliasAdmin(SpreadsheetAdminMixin, SubquerySearchMixin, SimpleHistoryAdmin):
    resource_classes = [AliasResource]
    importable = True
    list_display = ["name", "actor_link", "kind", "language"]
    list_filter = ["kind", "language", "actor__kind"]
    list_select_related = ["actor"]
    search_fields = ["name", "actor__name"]
    autocomplete_fields = ["actor"]

    @admin.display(description=_("actor"), ordering="actor__name")
    def actor_link(self, alias):
        return actor_link(alias.actor)
