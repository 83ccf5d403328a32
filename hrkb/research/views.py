"""The research views: thin, each reading what its page needs from the module that queries it.

All of them are mounted by :class:`hrkb.research.site.HRKBAdminSite` behind
``admin_view``, so they answer only staff, inside the admin's own chrome.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import TemplateView

from actors.choices import ActorKind
from actors.models import Actor, Organisation, Person
from events.models import Event
from hrkb.dates import PartialDate
from hrkb.models import Rank
from hrkb.routes import url_for
from reports.models import Report
from sources.models import Mention

from . import claims, dossiers, network, search, timeline
from .forms import CiteForm, MentionForm
from .passages import MENTION_CONTEXT, Mark, in_context, render
from .records import (
    actor_dossier_url,
    citation_anchor,
    citation_kinds,
    dossier_url,
    mention_anchor,
    report_dossier_url,
    text_url,
)


class ResearchView(TemplateView):
    site = None
    title = ""

    def get_context_data(self, **kwargs):
        # The research pages are wide (texts with their side list, claims side by side): no app sidebar.
        context = {**self.site.each_context(self.request), "title": self.title, **kwargs}
        context["is_nav_sidebar_enabled"] = False
        return context


# --- Dossiers --------------------------------------------------------------------------------------------------------


class DossierView(ResearchView):
    builder = None
    template_name = ""

    def get(self, request, slug):
        try:
            data = type(self).builder(request, slug)
        except dossiers.Moved as moved:
            return HttpResponseRedirect(moved.url)
        record = data["record"]
        filters = self.timeline_filters(record)
        data["strip"] = timeline.strip_svg(
            timeline.own_years(filters), link=timeline.timeline_url(**self.timeline_params(record))
        )
        data["timeline_url"] = timeline.timeline_url(**self.timeline_params(record))
        graph = network.ego(record)
        data["graph"] = graph
        data["network_svg"] = network.svg(graph)
        data["network_url"] = f"{reverse('admin:research_network')}?around={record.slug}&type={data['kind']}"
        data["change_url"] = dossiers.change_url(record)
        # The breadcrumb leads to the admin's list of the record's kind (people, not actors).
        listed = {"person": Person, "organisation": Organisation}.get(data["kind"], type(record))._meta
        data["list_url"] = reverse(f"admin:{listed.app_label}_{listed.model_name}_changelist")
        data["list_label"] = listed.verbose_name_plural
        data["history_url"] = dossiers.history_url(record)
        context = self.get_context_data(**data, title=str(record))
        return self.render_to_response(context)

    def timeline_params(self, record) -> dict:
        return {"actor": record.slug}

    def timeline_filters(self, record) -> timeline.Filters:
        return timeline.Filters(actor=record)


class PersonDossierView(DossierView):
    builder = dossiers.person_dossier
    template_name = "research/person.html"


class OrganisationDossierView(DossierView):
    builder = dossiers.organisation_dossier
    template_name = "research/organisation.html"


class ReportDossierView(DossierView):
    builder = dossiers.report_dossier
    template_name = "research/report.html"

    def timeline_params(self, record):
        return {"report": record.slug}

    def timeline_filters(self, record):
        return timeline.Filters(report=record)


class EventDossierView(DossierView):
    builder = dossiers.event_dossier
    template_name = "research/event.html"

    def timeline_params(self, record):
        return {"event": record.slug}

    def timeline_filters(self, record):
        return timeline.Filters(event=record)


# --- The source viewer -----------------------------------------------------------------------------------------------


def _report(slug: str) -> Report:
    report = Report.objects.filter(slug=slug).first()
    if report is None:
        from hrkb.models import SlugRedirect

        new_slug = SlugRedirect.objects.resolve(Report, slug)
        if new_slug:
            raise dossiers.Moved(new_slug)
        raise Http404(f"No report has the slug {slug!r}.")
    return report


def source_marks(report: Report) -> list[Mark]:
    """Every mention in the report's text and every citation of one of its passages, as marks."""
    marks = []
    mentions = Mention.objects.filter(report=report).select_related("actor", "mentioned_report", "event")
    mentions = mentions.defer("mentioned_report__text", "report__text")
    for mention in mentions:
        target = mention.target
        if mention.actor_id:
            kind = "person" if mention.actor.kind == ActorKind.PERSON else "organisation"
        elif mention.mentioned_report_id:
            kind = "report"
        else:
            kind = "event"
        classes = ("target-draft",) if getattr(target, "status", "") == "draft" else ()
        marks.append(
            Mark(
                mention_anchor(mention.pk),
                "mention",
                kind,
                mention.start,
                mention.end,
                f"Mention of {target}",
                dossier_url(target),
                url_for("admin:sources_mention_change", mention.pk),
                mention.get_origin_display(),
                classes,
            )
        )
    for name, kind in citation_kinds().items():
        rows = (
            kind.model.objects.filter(source=report).select_related(*kind.subject_related).defer(*kind.subject_deferred)
        )
        for citation in rows:
            if citation.start is None or citation.end is None:
                continue
            detail = f"{citation.get_confidence_display()} confidence, {citation.get_rank_display()}"
            if citation.claim:
                detail = f"{citation.claim}: {detail}"
            if citation.value:
                detail += f" — says “{citation.value}”"
            marks.append(
                Mark(
                    citation_anchor(name, citation.pk),
                    "citation",
                    name,
                    citation.start,
                    citation.end,
                    f"Cited for {kind.label}: {citation.subject}",
                    dossier_url(citation.subject),
                    url_for(f"admin:{kind.admin_name}_change", citation.pk),
                    detail,
                    (f"confidence-{citation.confidence}", f"rank-{citation.rank}"),
                )
            )
    marks.sort(key=lambda mark: (mark.start, -mark.end, mark.anchor))
    return marks


class SourceView(ResearchView):
    template_name = "research/source.html"

    def get(self, request, slug):
        try:
            report = _report(slug)
        except dossiers.Moved as moved:
            return HttpResponseRedirect(reverse("admin:research_text", args=[moved.url]))
        marks = source_marks(report)
        layers = {
            "mention": sum(1 for mark in marks if mark.layer == "mention"),
            "citation": sum(1 for mark in marks if mark.layer == "citation"),
        }
        context = self.get_context_data(
            title=report.title,
            record=report,
            text_html=render(report.text, marks),
            marks=marks,
            marks_json=[mark.as_json() for mark in marks],
            layers=layers,
            dossier_url=report_dossier_url(report.slug),
            cite_url=reverse("admin:research_cite", args=[report.slug]),
            mention_url=reverse("admin:research_mention", args=[report.slug]),
            can_cite=any(
                request.user.has_perm(f"sources.add_{kind.model._meta.model_name}")
                for kind in citation_kinds().values()
            ),
            can_mention=request.user.has_perm("sources.add_mention"),
        )
        return self.render_to_response(context)


class PassageFormView(ResearchView):
    form_class = None
    permission = ""

    def dispatch(self, request, *args, **kwargs):
        self.report = get_object_or_404(Report, slug=kwargs["slug"])
        return super().dispatch(request, *args, **kwargs)

    def form(self, data=None):
        initial = {key: self.request.GET.get(key) for key in ("start", "end")}
        try:
            start, end = int(initial["start"]), int(initial["end"])
            initial["passage"] = self.report.text[start:end]
        except (TypeError, ValueError):
            pass
        initial.update(self.extra_initial())
        return self.form_class(data, initial=initial, report=self.report, site=self.site)

    def extra_initial(self) -> dict:
        return {}

    def render_form(self, form):
        start, end = form["start"].value(), form["end"].value()
        passage = None
        try:
            start, end = int(start), int(end)
            text = self.report.text
            if 0 <= start < end <= len(text):
                before = text[max(0, start - MENTION_CONTEXT) : start]
                after = text[end : end + MENTION_CONTEXT]
                passage = in_context(before, text[start:end], after, width=MENTION_CONTEXT)
        except (TypeError, ValueError):
            pass
        context = self.get_context_data(
            title=self.title,
            record=self.report,
            form=form,
            media=self.site.each_context(self.request).get("media", None),
            passage_html=passage,
            text_url=text_url(self.report.slug),
        )
        return self.render_to_response(context)

    def get(self, request, slug):
        self.check_permission()
        return self.render_form(self.form())

    def check_permission(self):
        if not self.request.user.has_perm(self.permission):
            raise PermissionDenied


class CiteView(PassageFormView):
    template_name = "research/cite.html"
    title = "Cite a passage"
    form_class = CiteForm

    def check_permission(self):
        if not any(
            self.request.user.has_perm(f"sources.add_{k.model._meta.model_name}") for k in citation_kinds().values()
        ):
            raise PermissionDenied

    def extra_initial(self):
        initial = {}
        kind = self.request.GET.get("kind")
        if kind in citation_kinds():
            initial["kind"] = kind
            if self.request.GET.get("subject"):
                initial[f"subject_{kind}"] = self.request.GET["subject"]
        return initial

    def post(self, request, slug):
        self.check_permission()
        form = self.form(request.POST)
        if form.is_valid():
            kind = citation_kinds()[form.cleaned_data["kind"]]
            if not request.user.has_perm(f"sources.add_{kind.model._meta.model_name}"):
                raise PermissionDenied
            try:
                with transaction.atomic():
                    citation = form.citation()
                    citation.save()
                    _log(request, citation, ADDITION, "Cited from the source viewer.")
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Cited “{citation.passage}” for {kind.label} “{citation.subject}”.")
                return HttpResponseRedirect(text_url(self.report.slug, citation_anchor(kind.name, citation.pk)))
        return self.render_form(form)


class MentionView(PassageFormView):
    template_name = "research/mention.html"
    title = "Mark a mention"
    form_class = MentionForm
    permission = "sources.add_mention"

    def post(self, request, slug):
        self.check_permission()
        form = self.form(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    mention = form.mention()
                    mention.save()
                    _log(request, mention, ADDITION, "Marked from the source viewer.")
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Marked “{mention.text}” as a mention of {mention.target}.")
                return HttpResponseRedirect(text_url(self.report.slug, mention_anchor(mention.pk)))
        return self.render_form(form)


def _log(request, record, action, message):
    LogEntry.objects.log_actions(
        user_id=request.user.pk,
        queryset=[record],
        action_flag=action,
        change_message=message,
        single_object=True,
    )


# --- Timeline, network, claims, search -------------------------------------------------------------------------------


class TimelineView(ResearchView):
    template_name = "research/timeline.html"
    title = "Timeline"

    def get(self, request):
        filters = timeline.filters_from(request.GET)
        try:
            page = int(request.GET.get("page", 1))
        except ValueError:
            page = 1
        view = timeline.timeline(filters, page)
        base = reverse("admin:research_timeline")
        context = self.get_context_data(
            timeline=view,
            filters=filters,
            chart=timeline.chart_svg(view.items),
            strip=timeline.strip_svg(
                view.years, link=f"{base}?{filters.query(**{'from': None, 'to': None})}", width=1100
            ),
            mode="chart" if request.GET.get("mode") == "chart" else "list",
            list_url=f"{base}?{filters.query()}",
            chart_url=f"{base}?{filters.query(mode='chart')}",
            page_url=lambda number: f"{base}?{filters.query(page=number)}",
            previous_url=f"{base}?{filters.query(page=view.page - 1)}" if view.page > 1 else None,
            next_url=f"{base}?{filters.query(page=view.page + 1)}" if view.page < view.pages else None,
            kinds=[("event:" + k, f"Event: {label}") for k, label in timeline.EventKind.choices]
            + [("report:" + k, f"Report: {label}") for k, label in timeline.ReportKind.choices],
            topics=timeline.Topic.objects.order_by("name").values_list("slug", "name"),
            countries=Event.objects.exclude(country="")
            .order_by("country")
            .values_list("country", flat=True)
            .distinct(),
            clear_url=base,
        )
        return self.render_to_response(context)


class NetworkView(ResearchView):
    template_name = "research/network.html"
    title = "Network"

    def get(self, request):
        errors = {}
        as_of = None
        if request.GET.get("as_of"):
            try:
                as_of = PartialDate.parse(request.GET["as_of"])
            except ValueError:
                errors["as_of"] = "Give a date as YYYY, YYYY-MM or YYYY-MM-DD."
        hops = 2 if request.GET.get("hops") == "2" else 1
        comentions = request.GET.get("comentions") == "1"
        record = None
        slug = request.GET.get("around", "")
        if slug:
            record_type = request.GET.get("type", "")
            if record_type == "report":
                record = Report.objects.defer("text").filter(slug=slug).first()
            elif record_type == "event":
                record = Event.objects.filter(slug=slug).first()
            else:
                record = Actor.objects.filter(slug=slug).first()
            if record is None:
                errors["around"] = f"Nothing has the slug {slug!r}."
        graph = (
            network.ego(record, hops=hops, comentions=comentions, as_of=as_of)
            if record
            else network.overview(as_of=as_of)
        )
        context = self.get_context_data(
            graph=graph,
            svg=network.svg(graph),
            record=record,
            record_url=dossier_url(record) if record else None,
            hops=hops,
            comentions=comentions,
            as_of=request.GET.get("as_of", ""),
            errors=errors,
            cap=network.CAP,
            people_shown=sum(1 for node in graph.nodes.values() if node.type == "person") if record is None else 0,
            edges=sorted(graph.edges, key=lambda e: (e.relation == "more", e.relation, -e.citations)),
        )
        return self.render_to_response(context)


class ComentionsView(ResearchView):
    """The reports that name both actors, and the passages where they do."""

    template_name = "research/comentions.html"

    def get(self, request, first, second):
        a = get_object_or_404(Actor, slug=first)
        b = get_object_or_404(Actor, slug=second)
        both = Report.objects.filter(mentions__actor=a).filter(mentions__actor=b).values("pk")
        mentions = Mention.objects.filter(actor__in=[a, b], report__in=both)
        totals, page = dossiers.mentions_section(request, mentions)
        context = self.get_context_data(
            title=f"{a} and {b}, named together",
            first=a,
            second=b,
            first_url=actor_dossier_url(a.slug, a.kind),
            second_url=actor_dossier_url(b.slug, b.kind),
            mention_totals=totals,
            mentioned=page,
        )
        return self.render_to_response(context)


class ClaimsView(ResearchView):
    template_name = "research/claims.html"
    title = "Claims review"

    def get(self, request):
        filters = claims.filters_from(request.GET)
        name = request.GET.get("queue", "contested")
        if name not in claims.QUEUES:
            name = "contested"
        try:
            page = max(1, int(request.GET.get("page", 1)))
        except ValueError:
            page = 1
        # The unsourced list reads whole tables: it is counted when it is the one open.
        totals = claims.counts(filters, unsourced=name in ("unsourced", "marked-unsourced"))
        rows = claims.queue(name, filters, page)
        pages = max(1, -(-(totals[name] or 0) // claims.PAGE))
        params = {k: v for k, v in request.GET.items() if k not in ("queue", "page")}
        from django.utils.http import urlencode

        def url(**changes):
            return f"{reverse('admin:research_claims')}?{urlencode({**params, **changes})}"

        context = self.get_context_data(
            queues=[(key, label, totals[key], url(queue=key)) for key, label in claims.QUEUES.items()],
            queue=name,
            queue_label=claims.QUEUES[name],
            rows=rows,
            filters=filters,
            kinds=[(key, kind.label) for key, kind in citation_kinds().items()],
            page=page,
            pages=pages,
            previous_url=url(queue=name, page=page - 1) if page > 1 else None,
            next_url=url(queue=name, page=page + 1) if page < pages else None,
            ranks=Rank.choices,
            next=request.get_full_path(),
        )
        return self.render_to_response(context)


class RankView(ResearchView):
    """Prefer, deprecate or reset one or several claims, with a reason (saved one by one, so history keeps each)."""

    http_method_names = ["post"]

    def post(self, request):
        rank = request.POST.get("rank")
        reason = request.POST.get("reason", "").strip()
        chosen = request.POST.getlist("citation")
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("admin:research_claims")
        if rank not in Rank.values:
            messages.error(request, "Choose a rank.")
            return HttpResponseRedirect(back)
        if rank in (Rank.PREFERRED, Rank.DEPRECATED) and not reason:
            messages.error(request, "Say why: preferring or deprecating a claim needs a reason.")
            return HttpResponseRedirect(back)
        changed = 0
        with transaction.atomic():
            for value in chosen:
                kind_name, _, pk = value.partition(":")
                kind = citation_kinds().get(kind_name)
                if kind is None or not pk.isdigit():
                    continue
                if not request.user.has_perm(f"sources.change_{kind.model._meta.model_name}"):
                    raise PermissionDenied
                citation = kind.model.objects.filter(pk=int(pk)).first()
                if citation is None:
                    continue
                citation.rank = rank
                citation.rank_reason = reason
                citation._change_reason = f"Ranked {rank} in claims review"
                try:
                    citation.save()
                except ValidationError as error:
                    # Its passage no longer matches its source (a corrected text): fix it on its own page.
                    messages.error(request, f"Not ranked: {'; '.join(error.messages)}")
                    continue
                _log(request, citation, CHANGE, f"Ranked {rank}: {reason}" if reason else f"Ranked {rank}.")
                changed += 1
        if changed:
            messages.success(request, f"{changed} claim(s) now {rank}.")
        else:
            messages.warning(request, "No claim was chosen.")
        return HttpResponseRedirect(back)


class SearchView(ResearchView):
    template_name = "research/search.html"
    title = "Search"

    def get(self, request):
        q = request.GET.get("q", "")
        type_name = request.GET.get("type", "")
        try:
            page = max(1, int(request.GET.get("page", 1)))
        except ValueError:
            page = 1
        selected = {name: request.GET.get(name, "") for name, _label in search.FACETS}
        results = search.search(
            q, type_name=type_name, selected=selected, page=page, base_url=reverse("admin:research_search")
        )
        context = self.get_context_data(results=results, q=q, title=f"Search: {q}" if q else "Search")
        return self.render_to_response(context)
