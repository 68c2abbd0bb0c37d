"""HTML routes of the accounts app, mounted at /accounts/ before allauth's own."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.account, name="account"),
    path("login/", views.LoginView.as_view(), name="account_login"),
    # allauth's pages that mail an address, behind the mail limits.
    path("signup/", views.signup, name="account_signup"),
    path("password/reset/", views.password_reset, name="account_reset_password"),
    path("email/", views.email, name="account_email"),
    path("tokens/", views.token_create, name="account-token-create"),
    path("tokens/revoke-all/", views.tokens_revoke_all, name="account-tokens-revoke-all"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="account-token-revoke"),
    path("sessions/<int:pk>/end/", views.session_end, name="account-session-end"),
    path("sessions/end-others/", views.sessions_end_others, name="account-sessions-end-others"),
    path("avatar/", views.avatar_update, name="account-avatar"),
    path("seeding/", views.seeding_update, name="account-seeding"),
    path("weekly-summary/", views.weekly_summary_update, name="account-weekly-summary"),
    path("email/undo/<str:token>/", views.email_undo, name="account-email-undo"),
]
