"""Login, logout, password change and the role-based home page (adapters over `services`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView as DjangoLoginView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from jiuzhu.accounts import services
from jiuzhu.accounts.forms import ChangePasswordForm, LoginForm
from jiuzhu.accounts.middleware import REASON_EXPIRED, REASON_IDLE
from jiuzhu.accounts.models import User
from jiuzhu.core.permissions import Role

LOGIN_NOTICES = {
    REASON_IDLE: "您已超过30分钟未操作，为保障信息安全已自动退出，请重新登录。",
    REASON_EXPIRED: "本次登录已超过12小时，为保障信息安全请重新登录。",
}


class LoginView(DjangoLoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return reverse("home")

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        if SESSION_KEY in self.request.session:
            # Same user signing in again: Django keeps the key; we always rotate it.
            self.request.session.cycle_key()
        auth_login(self.request, user)
        if getattr(user, "must_change_password", False):
            return HttpResponseRedirect(reverse("accounts:password_change"))
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["notice"] = LOGIN_NOTICES.get(self.request.GET.get("reason", ""), "")
        return context


login_view = LoginView.as_view()


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """POST only; Django's logout deletes the server session."""
    was_authenticated = request.user.is_authenticated
    auth_logout(request)
    if was_authenticated:
        messages.success(request, "您已安全退出。")
    return redirect("accounts:login")


@sensitive_post_parameters()
@csrf_protect
@never_cache
@login_required
def password_change_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    forced = user.must_change_password
    if request.method == "POST":
        form = ChangePasswordForm(user, request.POST)
        if form.is_valid():
            services.user_password_change(
                user=user, new_password=form.cleaned_data["new_password1"], request=request
            )
            messages.success(request, "密码已修改。您在其他设备上的登录已全部退出。")
            return redirect("home")
        reason = "old_password" if "old_password" in form.errors else "new_password_refused"
        services.user_password_change_failed(user=user, request=request, reason=reason)
    else:
        form = ChangePasswordForm(user)
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "forced": forced},
    )


def home(request: HttpRequest) -> HttpResponse:
    """Each role starts on its own page."""
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    role = getattr(user, "role", "")
    if role == Role.AUDITOR:
        return redirect("audit:event_list")
    if role == Role.ADMIN:
        return redirect("admin:index")
    return redirect("registry:household_search")
