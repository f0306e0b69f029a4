"""What readers send when they suggest, and what editors send when they decide."""

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from articles.passages import ChangeKind
from comments.forms import BotCheckedForm, has_visible_text, reader_text
from suggestions.models import (
    NOTE_MAX_LENGTH,
    ORIGINAL_MAX_LENGTH,
    Suggestion,
    passage_digest,
    proposal_max_length,
)

TOO_LONG = _("Please keep this within %(limit_value)d characters (it has %(show_value)d).")


class SuggestionForm(BotCheckedForm):
    proposed_text = forms.CharField(
        label=_("Proposed wording"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "aria-describedby": "proposed-hint"}),
        error_messages={"required": _("Please write the wording you propose.")},
    )
    original_text = forms.CharField(
        label=_("Original sentence"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "lang": "en"}),
    )
    note = forms.CharField(
        label=_("Note for the editors"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # Which text the form showed: a post against a passage changed since is refused.
    seen = forms.CharField(widget=forms.HiddenInput)

    field_order = ["proposed_text", "original_text", "note", "website", "started", "seen"]

    refused_message = _("This suggestion could not be accepted.")
    tampered_message = _("This suggestion could not be accepted. Please send it again.")
    expired_message = _("This form has expired. Please check your suggestion and send it again.")
    too_fast_message = _("That was very quick. Please check your suggestion and send it again.")

    def __init__(self, *args, article, passage, **kwargs):
        self.passage = passage
        initial = kwargs.setdefault("initial", {})
        # The reader edits the passage itself rather than typing it out again.
        initial.setdefault("proposed_text", passage.text)
        initial["seen"] = passage_digest(passage.text)
        super().__init__(*args, article=article, **kwargs)
        for name, limit in (
            ("proposed_text", proposal_max_length(passage)),
            ("original_text", ORIGINAL_MAX_LENGTH),
            ("note", NOTE_MAX_LENGTH),
        ):
            field = self.fields[name]
            field.widget.attrs["maxlength"] = limit
            field.validators.append(MaxLengthValidator(limit, message=TOO_LONG))

    def clean_proposed_text(self):
        text = reader_text(self.cleaned_data["proposed_text"])
        if not has_visible_text(text):
            raise forms.ValidationError(_("Please write the wording you propose."), code="blank")
        return text

    def clean_original_text(self):
        return reader_text(self.cleaned_data["original_text"])

    def clean_note(self):
        return reader_text(self.cleaned_data["note"])


class DecisionForm(forms.Form):
    """One editor decision on one proposal (every pending suggestion with its wording)."""

    ACCEPT, REJECT, DUPLICATE = "accept", "reject", "duplicate"

    suggestion = forms.ModelChoiceField(queryset=Suggestion.objects.pending())
    action = forms.ChoiceField(
        choices=[(ACCEPT, _("Accept")), (REJECT, _("Reject")), (DUPLICATE, _("Duplicate"))]
    )
    text = forms.CharField(label=_("Wording to publish"), required=False, strip=False)
    change_kind = forms.ChoiceField(
        label=_("Kind of change"), choices=ChangeKind.choices, initial=ChangeKind.CORRECTION
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
    duplicate_of = forms.ModelChoiceField(
        label=_("Duplicate of"), queryset=Suggestion.objects.all(), required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == self.REJECT and not data.get("reason", "").strip():
            self.add_error("reason", _("Please give a reason for rejecting."))
        if data.get("action") == self.DUPLICATE and not data.get("duplicate_of"):
            self.add_error("duplicate_of", _("Choose the suggestion this one repeats."))
        return data
