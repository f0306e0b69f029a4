"""Two-factor sign-in for staff: after the password, a six-digit code from an authenticator app
(TOTP, django-otp).

Required of superusers, who can change anything, and of every staff member who has set it up
(otherwise setting it up would protect nothing); offered to all staff from the admin. A staff
member signed in with a password who still owes the code is sent to give it, or, as a superuser
without an app yet, to set one up, before the admin or the moderation queue opens to them.
"""

import base64
import functools

import django_otp
import segno
from django import forms
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_totp.models import TOTPDevice

SETUP_URL_NAME = "admin:two_factor_setup"
VERIFY_URL_NAME = "admin:two_factor_verify"


def two_factor_required(user) -> bool:
    return user.is_superuser or django_otp.user_has_device(user, confirmed=True)


def awaiting_second_step(user) -> bool:
    """Active staff, signed in with a password, who still owe the code their account needs."""
    return (
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and not user.is_verified()
        and two_factor_required(user)
    )


def second_step_redirect(request):
    """To the code (or, for a superuser without an app, to setting one up), then back here."""
    has_device = django_otp.user_has_device(request.user, confirmed=True)
    url_name = VERIFY_URL_NAME if has_device else SETUP_URL_NAME
    return redirect_to_login(request.get_full_path(), reverse(url_name))


def second_step_required(view):
    """For staff pages outside the admin (the moderation queue): the same rule as the admin's."""

    @functools.wraps(view)
    def check(request, *args, **kwargs):
        if awaiting_second_step(request.user):
            return second_step_redirect(request)
        return view(request, *args, **kwargs)

    return check


def pending_device(user) -> TOTPDevice:
    """The app this user is setting up: the same secret until they confirm it with a code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=gettext("Authenticator app"), confirmed=False
        )
    return device


def device_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed in: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def device_qr_code(device: TOTPDevice) -> str:
    """The otpauth:// address as a QR code, an SVG in a data: URL (allowed by the CSP)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


class CodeForm(forms.Form):
    """Six digits from the app, checked against the given devices (django-otp slows down
    repeated wrong codes per device and never accepts the same code twice)."""

    code = forms.CharField(
        label=_("Six-digit code"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]{6}",
                "autofocus": True,
            }
        ),
    )

    def __init__(self, *args, user, devices, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.devices = list(devices)
        self.device = None

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        for device in self.devices:
            allowed, extra = device.verify_is_allowed()
            if not allowed:
                if extra and extra.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
                    until = timezone.localtime(extra["locked_until"])
                    raise forms.ValidationError(
                        _("Too many wrong codes. Please try again after %(time)s.")
                        % {"time": f"{until:%H:%M:%S}"},
                        code="throttled",
                    )
                continue
            verified = django_otp.verify_token(self.user, device.persistent_id, code)
            if verified is not None:
                self.device = verified
                return code
        raise forms.ValidationError(
            _("That code is not right. Check the time on your phone and enter the newest code."),
            code="invalid",
        )
