from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from authorities import account_views
from responses import urls
from responses import views as responses

from . import service_pages, views
from .forms import SignInForm

admin.site.site_header = "Laming Tracker administration"
admin.site.site_title = "Laming Tracker administration"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("accounts/logout/", views.SignOutView.as_view(), name="logout"),
    # Django's password reset and change, at Django's usual addresses (authorities/account_views.py).
    path("accounts/password_reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password_reset/done/",
        account_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/password_change/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(extra_context={"nav": "account"}),
        name="password_change_done",
    ),
    path("account/", account_views.account, name="account"),
    path("admin/", admin.site.urls),
    # Health checks: open without signing in (laming/views.py).
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    # About the service, linked from every page's footer: open without signing in (laming/service_pages.py).
    path("accessibility/", service_pages.accessibility, name="accessibility"),
    path("privacy/", service_pages.privacy, name="privacy"),
    path("cookies/", service_pages.cookies, name="cookies"),
    path("help/", service_pages.help_page, name="help"),
    # The link in reminder digests to stop them: open without signing in (responses/views.py).
    path("reminders/unsubscribe/<str:token>/", responses.unsubscribe, name="reminders_unsubscribe"),
    path("", include((urls.recommendation_patterns, "recommendations"))),
    path("", include((urls.council_patterns, "authorities"))),
    path("", include((urls.response_patterns, "responses"))),
]
