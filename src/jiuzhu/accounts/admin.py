"""User administration for the system administrator (role `admin`).

Access follows the permission matrix (`user.manage`), not Django model
permissions. Users are never deleted — they are disabled, which ends all
their sessions. Every change, unlock and password reset is audited.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse

from jiuzhu.accounts import services
from jiuzhu.accounts.models import User
from jiuzhu.core import clock
from jiuzhu.core.admin import MatrixAccessMixin
from jiuzhu.core.permissions import Action


@admin.register(User)
class UserAdmin(MatrixAccessMixin, DjangoUserAdmin):
    manage_action = Action.USER_MANAGE
    allow_delete = False  # disable instead: audit rows and decisions refer to users
    list_display = ("username", "full_name", "role", "division", "is_active", "locked_display")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "full_name")
    ordering = ("username",)
    raw_id_fields = ("division",)
    filter_horizontal = ()
    actions = ("unlock_users", "disable_users")
    readonly_fields = ("locked_until", "password_changed_at", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("full_name", "email")}),
        ("角色与辖区", {"fields": ("role", "division", "is_active", "is_staff")}),
        (
            "登录安全",
            {
                "fields": (
                    "must_change_password",
                    "locked_until",
                    "password_changed_at",
                    "last_login",
                    "date_joined",
                )
            },
        ),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "full_name",
                    "role",
                    "division",
                    "is_staff",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    # --- display --------------------------------------------------------------

    @admin.display(description="锁定状态")
    def locked_display(self, obj: User) -> str:
        if services.user_is_locked(obj) and obj.locked_until is not None:
            return f"锁定至 {clock.localtime(obj.locked_until):%Y-%m-%d %H:%M}"
        return "正常"

    # --- audited writes -------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        if not change:
            obj.must_change_password = True  # an initial password is changed at first login
        super().save_model(request, obj, form, change)
        fields = [f for f in form.changed_data if "password" not in f]
        services.user_admin_saved(
            user=obj, actor=request.user, request=request, created=not change, fields=fields
        )
        if change and "is_active" in form.changed_data and not obj.is_active:
            services.user_disable(user=obj, actor=request.user, request=request)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        before = User.objects.filter(pk=unquote(id)).values_list("password", flat=True).first()
        response = super().user_change_password(request, id, form_url)
        user = User.objects.filter(pk=unquote(id)).first()
        if request.method == "POST" and user is not None and user.password != before:
            services.user_password_reset_by_admin(user=user, actor=request.user, request=request)
        return response

    @admin.action(description="解除锁定")
    def unlock_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.user_unlock(user=user, actor=request.user, request=request)
        self.message_user(request, f"已解除 {queryset.count()} 个账户的锁定。", messages.SUCCESS)

    @admin.action(description="停用所选用户（立即结束其全部会话）")
    def disable_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = 0
        for user in queryset:
            if user.pk == request.user.pk:
                self.message_user(request, "不能停用您自己的账户。", messages.WARNING)
                continue
            services.user_disable(user=user, actor=request.user, request=request)
            count += 1
        self.message_user(request, f"已停用 {count} 个账户。", messages.SUCCESS)
