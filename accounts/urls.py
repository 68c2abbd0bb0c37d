"""API routes of the accounts app, mounted under /api/ (paths of the original project's API)."""

from django.urls import path

from accounts.api import auth_views, user_views

urlpatterns = [
    path("authenticate/subscribe", auth_views.SubscribeView.as_view(), name="api-subscribe"),
    path("authenticate/confirm", auth_views.ConfirmView.as_view(), name="api-confirm"),
    path("authenticate/login", auth_views.LoginView.as_view(), name="api-login"),
    path("authenticate/2fa", auth_views.SecondFactorView.as_view(), name="api-login-2fa"),
    path("authenticate/forgot", auth_views.ForgotView.as_view(), name="api-forgot"),
    path("authenticate/password", auth_views.PasswordView.as_view(), name="api-password"),
    path("authenticate/logout", auth_views.LogoutView.as_view(), name="api-logout"),
    path("users", user_views.UserListView.as_view(), name="api-users"),
    path("users/me", user_views.UserDetailView.as_view(), name="api-user-me"),
    path("users/me/avatar", user_views.UserAvatarView.as_view(), name="api-user-me-avatar"),
    path("users/me/tokens", user_views.TokenListView.as_view(), name="api-tokens"),
    path("users/me/tokens/<int:pk>", user_views.TokenDetailView.as_view(), name="api-token"),
    path("users/me/sessions", user_views.SessionListView.as_view(), name="api-sessions"),
    path("users/me/sessions/<int:pk>", user_views.SessionDetailView.as_view(), name="api-session"),
    path("users/<int:pk>", user_views.UserDetailView.as_view(), name="api-user"),
    path("users/<int:pk>/avatar", user_views.UserAvatarView.as_view(), name="api-user-avatar"),
]
