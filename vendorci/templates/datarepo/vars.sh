# Variables of the @@VENDOR@@ third-party CI data repository.
#
# vendorci and the installer read this file as text: keep to plain
# `export NAME=value` lines. It is never sourced by vendorci, and command
# substitutions ($(...) or backticks) are reported, not run.
# Files of this repository use a value as ${NAME} (see etc/zuul/zuul.conf);
# `vendorci validate` checks both directions.

export VENDOR=@@VENDOR@@

# The CI's Gerrit service account and the upstream Gerrit it reports to.
export UPSTREAM_GERRIT_USER=@@GERRIT_USER@@
export UPSTREAM_GERRIT_HOST=@@GERRIT_HOST@@
export UPSTREAM_GERRIT_PORT=@@GERRIT_PORT@@
# Private key of that account, relative to this repository (0600).
export UPSTREAM_GERRIT_SSH_KEY_PATH=gerrit_key
# Gerrit's SSH host key line for Zuul's known_hosts. Take it from a trusted
# source (compare `ssh-keyscan -p @@GERRIT_PORT@@ @@GERRIT_HOST@@` with the
# fingerprint the upstream project publishes), then uncomment:
# export UPSTREAM_GERRIT_HOST_PUB_KEY='ssh-ed25519 AAAA...'

# Key the Jenkins master uses to reach its agents, relative to this repository.
export JENKINS_SSH_KEY_PATH=jenkins_key
export JENKINS_URL=@@JENKINS_URL@@

# Where the log publishers copy job logs (the 'LogServer' scp site), and the
# public URL they are served under (used in Zuul's report links).
export PUBLISH_HOST=@@PUBLISH_HOST@@
export LOG_URL_ROOT=@@LOG_URL_ROOT@@

# Git identity of Zuul's merger.
export GIT_NAME='@@VENDOR@@ CI'
export GIT_EMAIL=@@GERRIT_USER@@@example.invalid
