"""Accounts: learners, their passwords, browser sessions and personal API tokens."""
