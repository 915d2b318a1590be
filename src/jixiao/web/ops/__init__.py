"""Operations and hardening (issue 16): deployment checks, safe error pages, request parameters,
uploaded scoring profiles, token management, background-job health, backup and restore."""
