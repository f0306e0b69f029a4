import time
import unicodedata

from django import forms
from django.conf import settings
from django.core import signing
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from comments.models import Report

# Bidi overrides and isolates reorder what readers see (a URL or a name can be made to read
# backwards), so text carrying them is refused rather than silently changed.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
KEPT_CONTROLS = frozenset("\n\t")
FORM_STARTED_SALT = "comments.form-started"


def without_control_characters(text: str) -> str:
    """Drop invisible control characters (C0/C1, DEL); keep line breaks and tabs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(
        char for char in text if char in KEPT_CONTROLS or unicodedata.category(char) != "Cc"
    )


def has_visible_text(text: str) -> bool:
    return any(
        not char.isspace() and unicodedata.category(char) not in {"Cc", "Cf"} for char in text
    )


def reader_text(text: str) -> str:
    """What a reader typed, without invisible controls; refused if it carries bidi controls."""
    text = without_control_characters(text)
    if BIDI_CONTROLS.intersection(text):
        raise forms.ValidationError(
            _("Text-direction control characters cannot be used. Please remove them."),
            code="bidi",
        )
    return text.strip()


def form_started_token(article_id: int) -> str:
    return signing.dumps({"article": article_id, "at": time.time()}, salt=FORM_STARTED_SALT)


class BotCheckedForm(forms.Form):
    """A reader's form with the bot defences: a honeypot field and a signed start time that must
    be for this article, not expired, and at least COMMENT_MIN_FILL_SECONDS old when sent.

    Comments and reader suggestions both use it; each says its refusals in its own words.
    """

    # Bots fill every field; people never see this one.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(widget=forms.HiddenInput)

    refused_message = _("This comment could not be accepted.")
    tampered_message = _("This comment could not be accepted. Please send it again.")
    expired_message = _("This form has expired. Please check your comment and send it again.")
    too_fast_message = _("That was very quick. Please check your comment and send it again.")

    def __init__(self, *args, article, **kwargs):
        self.article = article
        kwargs.setdefault("initial", {})["started"] = form_started_token(article.pk)
        super().__init__(*args, **kwargs)

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise forms.ValidationError(self.refused_message, code="honeypot")
        return ""

    def clean_started(self):
        try:
            started = signing.loads(
                self.cleaned_data["started"],
                salt=FORM_STARTED_SALT,
                max_age=settings.COMMENT_FORM_MAX_AGE,
            )
        except signing.SignatureExpired:
            self.renew_started()
            raise forms.ValidationError(self.expired_message, code="expired") from None
        except signing.BadSignature:
            self.renew_started()
            raise forms.ValidationError(self.tampered_message, code="tampered") from None
        if started.get("article") != self.article.pk:
            self.renew_started()
            raise forms.ValidationError(self.tampered_message, code="tampered")
        if time.time() - started["at"] < settings.COMMENT_MIN_FILL_SECONDS:
            raise forms.ValidationError(self.too_fast_message, code="too_fast")
        return self.cleaned_data["started"]

    def renew_started(self):
        """Re-shown after a stale or broken token, the form gets a fresh one and keeps the text."""
        self.data = self.data.copy()
        self.data[self.add_prefix("started")] = form_started_token(self.article.pk)


class CommentForm(BotCheckedForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    body = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Please write a comment.")},
    )

    field_order = ["name", "body", "website", "started"]

    def __init__(self, *args, article, **kwargs):
        super().__init__(*args, article=article, **kwargs)
        body = self.fields["body"]
        body.validators.append(MaxLengthValidator(settings.COMMENT_MAX_LENGTH))
        body.widget.attrs["maxlength"] = settings.COMMENT_MAX_LENGTH
        self.fields["name"].widget.attrs["placeholder"] = settings.COMMENT_DEFAULT_NAME

    def clean_name(self):
        name = reader_text(self.cleaned_data["name"])
        return name if has_visible_text(name) else ""

    def clean_body(self):
        body = reader_text(self.cleaned_data["body"])
        if not has_visible_text(body):
            raise forms.ValidationError(_("Please write a comment."), code="blank")
        return body


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why should a moderator look at this comment?"),
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose a reason.")},
    )
    note = forms.CharField(
        label=_("Note for the moderators"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
    )

    def clean_note(self):
        return reader_text(self.cleaned_data["note"])
