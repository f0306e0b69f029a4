"""The admin site for editors and moderators: Django's own, hardened.

- Its address is `ADMIN_PATH` (kjnews/urls.py).
- Password guessing is cut off per address and per account (kjnews/login_limits.py), with a
  message on the sign-in page and HTTP 429.
- Two-factor sign-in (kjnews/two_factor.py): required of superusers and of staff who set it up;
  staff set it up from the admin's "Two-factor sign-in" page.
- Its pages have their own Content-Security-Policy: the readers' one plus a per-response nonce,
  which Django's admin templates put on their inline style (the admin is never cached).
"""

import datetime
from functools import update_wrapper
from http import HTTPStatus

import django_otp
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.middleware.csp import get_nonce
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_protect

from kjnews import login_limits, two_factor

admin_csp = csp_override(settings.ADMIN_CSP)


class LimitedAuthenticationForm(AdminAuthenticationForm):
    """The admin's sign-in form, refusing while this address or account is locked out."""

    retry_after = None

    def clean(self):
        username = self.cleaned_data.get("username")
        if not username or not self.cleaned_data.get("password"):
            return super().clean()
        self.retry_after = login_limits.login_wait(self.request, username)
        if self.retry_after:
            retry_at = timezone.localtime() + datetime.timedelta(seconds=self.retry_after)
            raise forms.ValidationError(
                _(
                    "Too many failed sign-ins from your network or for this account, so sign-in "
                    "is paused. Please try again after %(time)s (in about %(minutes)s minutes)."
                )
                % {"time": f"{retry_at:%H:%M}", "minutes": -(-self.retry_after // 60)},
                code="locked_out",
            )
        try:
            return super().clean()
        except forms.ValidationError:
            login_limits.login_failed(self.request, username)
            raise


class StaffAdminSite(admin.AdminSite):
    site_header = _("KJ News administration")
    site_title = _("KJ News administration")
    index_title = _("Articles, sections and comments")
    login_form = LimitedAuthenticationForm

    def has_permission(self, request):
        return super().has_permission(request) and not two_factor.awaiting_second_step(request.user)

    def admin_view(self, view, cacheable=False):
        checked = super().admin_view(view, cacheable)

        def inner(request, *args, **kwargs):
            if two_factor.awaiting_second_step(request.user):
                return two_factor.second_step_redirect(request)
            return checked(request, *args, **kwargs)

        return admin_csp(update_wrapper(inner, checked))

    def each_context(self, request):
        context = super().each_context(request)
        # Django's admin templates mark their inline style with {% csp_nonce_attr %}.
        context["csp_nonce"] = get_nonce(request)
        return context

    @method_decorator(admin_csp)
    def login(self, request, extra_context=None):
        if request.method == "GET" and two_factor.awaiting_second_step(request.user):
            return two_factor.second_step_redirect(request)
        response = super().login(request, extra_context)
        form = (getattr(response, "context_data", None) or {}).get("form")
        if form is not None and getattr(form, "retry_after", None):
            response.status_code = HTTPStatus.TOO_MANY_REQUESTS
            response["Retry-After"] = str(form.retry_after)
        return response

    def get_urls(self):
        return [
            path(
                "two-factor/",
                self._signed_in_staff_view(self.two_factor_setup),
                name="two_factor_setup",
            ),
            path(
                "two-factor/verify/",
                self._signed_in_staff_view(self.two_factor_verify),
                name="two_factor_verify",
            ),
            *super().get_urls(),
        ]

    def _signed_in_staff_view(self, view):
        """For the second step itself: staff signed in with a password, verified or not."""

        def inner(request, *args, **kwargs):
            user = request.user
            if not (user.is_active and user.is_staff):
                return redirect_to_login(request.get_full_path(), reverse("admin:login"))
            return view(request, *args, **kwargs)

        return admin_csp(csrf_protect(never_cache(update_wrapper(inner, view))))

    def two_factor_verify(self, request):
        user = request.user
        if not django_otp.user_has_device(user, confirmed=True):
            return HttpResponseRedirect(reverse(two_factor.SETUP_URL_NAME))
        if user.is_verified():
            return self._after_second_step(request)
        form = two_factor.CodeForm(
            request.POST or None,
            user=user,
            devices=django_otp.devices_for_user(user, confirmed=True),
        )
        if form.is_valid():
            django_otp.login(request, form.device)
            return self._after_second_step(request)
        return self._two_factor_page(request, "admin/two_factor/verify.html", form=form)

    def two_factor_setup(self, request):
        user = request.user
        has_device = django_otp.user_has_device(user, confirmed=True)
        if has_device and not user.is_verified():
            # A new app only after the current one's code: a password alone must not add one.
            return two_factor.second_step_redirect(request)
        if has_device:
            return self._two_factor_page(request, "admin/two_factor/enabled.html")
        device = two_factor.pending_device(user)
        form = two_factor.CodeForm(request.POST or None, user=user, devices=[device])
        if form.is_valid():
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            django_otp.login(request, device)
            messages.success(
                request,
                gettext("Two-factor sign-in is on. From now on, sign-in asks for a code."),
            )
            return self._after_second_step(request)
        return self._two_factor_page(
            request,
            "admin/two_factor/setup.html",
            form=form,
            qr_code=two_factor.device_qr_code(device),
            secret=two_factor.device_secret(device),
            config_url=device.config_url,
        )

    def _two_factor_page(self, request, template, **context):
        context = {
            **self.each_context(request),
            "title": _("Two-factor sign-in"),
            "next": request.GET.get("next", ""),
            **context,
        }
        return TemplateResponse(request, template, context)

    def _after_second_step(self, request):
        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("admin:index")
        return HttpResponseRedirect(next_url)
