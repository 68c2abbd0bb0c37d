"""Account writes: sign-up, login, passwords, profile changes and API tokens.

Views, API views and the admin call these; they hold the rules.
"""
