"""Service functions: writes that touch several models, shared by the admin, the API and commands."""
