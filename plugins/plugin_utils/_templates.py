# -*- coding: utf-8 -*-
# Copyright: snapcopy.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report templates an action renders, compiled when its module is imported rather than at their first rendering.

ansible-core's strategies (linear and free) load a task's action class in the controller before they fork the worker
that runs the task, and the worker keeps that module and what it imported. Jinja2 compiles a template at its first
``get_template`` (one that it extends, includes or imports from, at the first rendering that reaches it) into its
environment's cache: compiled at the import, the controller compiles each template once and every task's worker
inherits it, where each worker compiled them again (dr_sync: about 0.26 CPU s a run, a fleet of 100 scopes 100 times).
"""

from __future__ import annotations

from collections.abc import Iterable

from jinja2 import Environment


def compile_templates(*template_sets: tuple[Environment, Iterable[str]]) -> None:
    """Compile each (environment, template names) of ``template_sets`` now, into the environment's cache, as their first
    rendering would: name every template a rendering reaches, those it extends, includes and imports from too."""
    for environment, names in template_sets:
        for name in names:
            environment.get_template(name)
