"""Thin, typed wrappers around peers (Gearman, Jenkins, Gerrit, SSH, git), with explicit timeouts."""
