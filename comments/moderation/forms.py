"""What moderators send: decisions from the queue, and the admin's forms for their tools."""

from django import forms
from django.utils.translation import gettext_lazy as _

from comments.disclosure import PRIVATE_KEY_MAX_BYTES, DisclosureKeyInvalid, private_key_load
from comments.models import Ban, BlockedTerm, Comment, ModerationAction
from comments.posters import POSTER_HASH_RE
from comments.services import BAN_DURATIONS
from comments.terms import term_forms

Kind = ModerationAction.Kind
# The queue's decisions, as its buttons name them.
ACTIONS = {
    Kind.APPROVE: _("Approve"),
    Kind.HIDE: _("Hide"),
    Kind.REMOVE: _("Remove"),
    Kind.MARK_SPAM: _("Spam"),
    Kind.BAN: _("Ban poster"),
}
BAN_LABELS = {
    "1d": _("1 day"),
    "7d": _("7 days"),
    "30d": _("30 days"),
    "permanent": _("Permanent"),
}
BAN_CHOICES = [(key, BAN_LABELS[key]) for key in BAN_DURATIONS]


class ModerationForm(forms.Form):
    comment = forms.ModelMultipleChoiceField(queryset=Comment.objects.all())
    action = forms.ChoiceField(choices=list(ACTIONS.items()))
    ban_duration = forms.ChoiceField(choices=BAN_CHOICES, required=False)
    reason = forms.CharField(max_length=500, required=False)

    def clean(self):
        data = super().clean()
        if data.get("action") == Kind.BAN and not data.get("ban_duration"):
            self.add_error("ban_duration", _("Choose how long the ban lasts."))
        return data


class SlowModeForm(forms.Form):
    article = forms.IntegerField()
    slow_mode = forms.ChoiceField(choices=[("on", "on"), ("off", "off")])


class BlockedTermForm(forms.ModelForm):
    class Meta:
        model = BlockedTerm
        fields = ["term", "action"]
        help_texts = {
            "term": _(
                "Matched after Japanese normalisation, so one entry catches the usual "
                "disguises: full-width and half-width forms (ｼﾈ, ＳＰＡＭ) and upper and lower "
                "case are treated alike, katakana match hiragana (シネ = しね), spaces and "
                "symbols put between characters are ignored (し ね, 死.ね, シ★ネ), and kanji are "
                "also compared by their reading (氏ね = 死ね = しね). Short kana terms can match "
                "inside ordinary words: prefer holding to rejecting for those."
            ),
        }

    def clean_term(self):
        term = self.cleaned_data["term"]
        if not term_forms(term).surface:
            raise forms.ValidationError(
                _("This term is made only of spaces or symbols and would never match.")
            )
        return term


class BanForm(forms.ModelForm):
    class Meta:
        model = Ban
        fields = ["poster_hash", "expires_at", "reason"]
        help_texts = {
            "poster_hash": _(
                "The 64-character poster hash, as shown on a comment of the poster's. "
                "Banning from the review queue fills it in for you."
            ),
        }

    def clean_poster_hash(self):
        poster_hash = self.cleaned_data["poster_hash"].strip().lower()
        if not POSTER_HASH_RE.fullmatch(poster_hash):
            raise forms.ValidationError(_("A poster hash is 64 characters of 0–9 and a–f."))
        return poster_hash


class KeyTextarea(forms.Textarea):
    """A pasted private key is never sent back to the browser, not even after an error."""

    def format_value(self, value):
        return None


class SenderRecordRequestForm(forms.Form):
    """A disclosure: its legal basis, and the offline private key that opens the record."""

    reason = forms.CharField(
        label=_("Legal basis"),
        max_length=500,
        help_text=_(
            "The court order or disclosure request this answers, e.g. its case number. "
            "It is written to the moderation log with your name."
        ),
    )
    private_key_file = forms.FileField(
        label=_("Private key file"),
        required=False,
        help_text=_(
            "The file disclosure_keygen wrote, brought from where it is kept offline. It is "
            "used for this decryption only and not stored."
        ),
    )
    private_key_text = forms.CharField(
        label=_("Or the private key, pasted"),
        required=False,
        strip=False,
        widget=KeyTextarea(attrs={"rows": 5, "autocomplete": "off", "spellcheck": "false"}),
    )
    passphrase = forms.CharField(
        label=_("Passphrase of the private key"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )

    def clean(self):
        data = super().clean()
        upload = data.get("private_key_file")
        pasted = data.get("private_key_text", "").strip()
        if bool(upload) == bool(pasted):
            raise forms.ValidationError(
                _("Give the private key either as a file or pasted, not both.")
                if upload
                else _("Give the private key that opens this record, as a file or pasted."),
                code="private_key",
            )
        if upload and upload.size > PRIVATE_KEY_MAX_BYTES:
            raise forms.ValidationError(_("This is too large to be a private key file."))
        pem = upload.read() if upload else pasted.encode()
        try:
            data["private_key"] = private_key_load(pem, data.get("passphrase", ""))
        except DisclosureKeyInvalid as error:
            raise forms.ValidationError(error.args[0], code="private_key") from None
        return data
