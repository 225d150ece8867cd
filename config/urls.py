from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy

from config.api import api
from mutu.accounts import two_factor
from mutu.accounts import views as account_views
from mutu.core import offline
from mutu.core import views as core_views
from mutu.programme.views import attendance as check_in_views
from mutu.programme.views import recaps as certificate_views

admin.site.site_header = gettext_lazy("Mutu administration")
admin.site.site_title = gettext_lazy("Mutu administration")
admin.site.index_title = gettext_lazy("Data administration")

account_patterns = [
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("tokens/", account_views.api_tokens, name="api_tokens"),
    path("two-factor/", two_factor.setup, name="two_factor"),
    path("two-factor/verify/", two_factor.verify, name="two_factor_verify"),
    path("two-factor/recovery/", two_factor.recovery, name="two_factor_recovery"),
    path("two-factor/off/", two_factor.turn_off, name="two_factor_off"),
    path("tokens/<int:pk>/revoke/", account_views.api_token_revoke, name="api_token_revoke"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"
    ),
    path("password/reset/complete/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/", include(account_patterns)),
    path("schools/", include("mutu.schools.urls")),
    path("mapping/", include("mutu.mapping.urls")),
    path("instruments/", include("mutu.instruments.urls")),
    path("cycle/", include("mutu.cycle.urls")),
    path("programme/", include("mutu.programme.urls")),
    path("rapor-pendidikan/", include("mutu.pbd.urls")),
    path("hadir/", check_in_views.check_in, name="check_in"),
    path("hadir/sync/", check_in_views.check_in_sync, name="check_in_sync"),
    path("hadir/sw.js", offline.worker, name="check_in_worker"),
    path("hadir/<str:code>/", check_in_views.check_in, name="check_in_code"),
    path("sertifikat/", certificate_views.certificate_verify, name="certificate_verify"),
    path("notifications/", core_views.notifications, name="notifications"),
    path("documents/<int:pk>/", core_views.document, name="document"),
    path("documents/<int:pk>/download/", core_views.document_download, name="document_download"),
    path("r/", include("mutu.mapping.respond_urls")),
    path("api/", api.urls),
    path("audit/", core_views.audit_log, name="audit_log"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
