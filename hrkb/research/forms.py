"""The forms behind select-to-cite: a passage chosen in the viewer, cited for a fact or marked as a mention.

The browser sends only the passage's offsets (in code points) and the words it
saw there; the form checks them against the stored text, verbatim, before
anything is written — no one types offsets.
"""

from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hrkb.models import Confidence, Rank
from sources.models import Mention

from .records import citation_kinds


class PassageForm(forms.Form):
    start = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    passage = forms.CharField(strip=False, widget=forms.HiddenInput)

    def __init__(self, *args, report, **kwargs):
        self.report = report
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        start, end, passage = data.get("start"), data.get("end"), data.get("passage")
        if start is None or end is None or passage is None:
            return data
        text = self.report.text
        if end <= start or end > len(text):
            raise ValidationError(_("The selection is not inside the text of this source."), code="outside")
        if text[start:end] != passage:
            raise ValidationError(
                _("The text at characters %(start)s–%(end)s is not the passage you selected; reload the source."),
                code="passage_mismatch",
                params={"start": start, "end": end},
            )
        return data


def _autocomplete(model, field_name: str, site, label):
    field = model._meta.get_field(field_name)
    return forms.ModelChoiceField(
        queryset=field.related_model._default_manager.all(),
        required=False,
        label=label,
        widget=AutocompleteSelect(field, site),
    )


class CiteForm(PassageForm):
    """Cite the passage for one fact: a membership, a part in an event, a quote, a report, an event."""

    kind = forms.ChoiceField(label=_("Kind of fact"), widget=forms.RadioSelect)
    confidence = forms.ChoiceField(choices=Confidence.choices, initial=Confidence.HIGH)
    claim = forms.CharField(
        max_length=100, required=False, help_text=_("The fact the passage supports, e.g. start, role, place.")
    )
    value = forms.CharField(
        max_length=300, required=False, help_text=_("What the source says, where it differs from the stored value.")
    )
    rank = forms.ChoiceField(choices=Rank.choices, initial=Rank.NORMAL)
    rank_reason = forms.CharField(max_length=300, required=False, label=_("Reason for the rank"))

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = citation_kinds()
        self.fields["kind"].choices = [(name, kind.label.capitalize()) for name, kind in kinds.items()]
        for name, kind in kinds.items():
            self.fields[f"subject_{name}"] = _autocomplete(kind.model, "subject", site, kind.label.capitalize())

    def detail_fields(self):
        return [self[name] for name in ("confidence", "claim", "value", "rank", "rank_reason")]

    def subject_fields(self):
        return [self[f"subject_{name}"] for name in citation_kinds()]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind and not data.get(f"subject_{kind}"):
            self.add_error(f"subject_{kind}", _("Choose the %(kind)s this passage supports.") % {"kind": kind})
        if data.get("rank") in (Rank.PREFERRED, Rank.DEPRECATED) and not data.get("rank_reason"):
            self.add_error("rank_reason", _("Say why this claim is preferred or deprecated."))
        return data

    def citation(self):
        """The citation, unsaved and validated (the passage is checked against the text once more)."""
        data = self.cleaned_data
        kind = citation_kinds()[data["kind"]]
        citation = kind.model(
            subject=data[f"subject_{data['kind']}"],
            source=self.report,
            passage=data["passage"],
            start=data["start"],
            end=data["end"],
            confidence=data["confidence"],
            claim=data["claim"],
            value=data["value"],
            rank=data["rank"],
            rank_reason=data["rank_reason"],
        )
        _store_context(citation, self.report.text)
        citation.full_clean()
        return citation


TARGETS = {"actor": _("Person or organisation"), "mentioned_report": _("Report"), "event": _("Event")}


class MentionForm(PassageForm):
    """Mark the passage as naming a person, an organisation, a report or an event."""

    target = forms.ChoiceField(label=_("It names a"), choices=list(TARGETS.items()), widget=forms.RadioSelect)

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in TARGETS.items():
            self.fields[name] = _autocomplete(Mention, name, site, label)

    def target_fields(self):
        return [self[name] for name in TARGETS]

    def clean(self):
        data = super().clean()
        target = data.get("target")
        if target and not data.get(target):
            self.add_error(target, _("Choose what this passage names."))
        if data.get("start") is not None and data.get("end") is not None:
            taken = Mention.objects.filter(report=self.report, start=data["start"], end=data["end"]).first()
            if taken is not None:
                raise ValidationError(
                    _("This passage is already a mention of %(target)s."), params={"target": taken.target}
                )
        return data

    def mention(self):
        data = self.cleaned_data
        mention = Mention(report=self.report, start=data["start"], end=data["end"], text=data["passage"])
        setattr(mention, data["target"], data[data["target"]])
        _store_context(mention, self.report.text)
        mention.full_clean()
        return mention


def _store_context(record, text: str, width: int = 32) -> None:
    """Keep ~32 characters each side where the model stores them (``prefix``/``suffix``), for re-anchoring."""
    names = {field.name for field in record._meta.get_fields()}
    if "prefix" in names:
        record.prefix = text[max(0, record.start - width) : record.start]
    if "suffix" in names:
        record.suffix = text[record.end : record.end + width]
