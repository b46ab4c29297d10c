"""Sample texts shared by tests: a master's Zuul v2 layout and JJB jobs, and the smallest sandbox layout."""

from __future__ import annotations

#: A Zuul v2 layout with a project template: the sandbox runs noop-check-communication and dsvm-tempest-full.
LAYOUT = """\
pipelines:
  - name: check
    manager: IndependentPipelineManager
    trigger:
      gerrit:
        - event: patchset-created
project-templates:
  - name: vendor-jobs
    check:
      - dsvm-tempest-full
projects:
  - name: openstack-dev/sandbox
    template:
      - name: vendor-jobs
    check:
      - noop-check-communication
"""
#: JJB for LAYOUT's jobs: noop on the master, tempest on devstack_slave.
JJB = """\
- job-template:
    name: 'noop-check-communication'
    node: '{node}'
    builders:
      - shell: echo hello
- job-template:
    name: 'dsvm-tempest-full'
    node: '{node}'
    builders:
      - shell: echo tempest
- project:
    name: sandbox
    node: master
    jobs:
      - noop-check-communication
      - dsvm-tempest-full:
          node: devstack_slave
"""
#: The Gearman functions Jenkins registers for them.
NOOP = ["build:noop-check-communication", "build:noop-check-communication:master"]
TEMPEST = ["build:dsvm-tempest-full", "build:dsvm-tempest-full:devstack_slave"]

#: The smallest layout the sandbox needs: one check pipeline, one job.
SANDBOX_LAYOUT = """\
pipelines:
  - name: check
    manager: IndependentPipelineManager
    trigger:
      gerrit:
        - event: patchset-created
projects:
  - name: openstack-dev/sandbox
    check:
      - noop-check-communication
"""
