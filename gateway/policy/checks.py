"""Policy mistakes that types alone cannot catch, explained for `gateway config check`.

Pydantic already names a misspelt key or an unknown action; these are the mistakes of meaning: a
rule that can never fire because an earlier catch-all rule takes everything, two rules with one
name (provenance would be ambiguous), a category the scanner never reports, a notice template
that is missing.
"""

from __future__ import annotations

from jinja2 import TemplateNotFound, TemplateSyntaxError

from gateway.config import ConfigProblem, Settings

CATEGORIES = ("contact", "payment", "limit")
NOTICE_TEMPLATES = ("hold", "release", "reject", "redact")


def policy_problems(settings: Settings) -> list[ConfigProblem]:
    """Every problem in [policy] that would make it behave other than the admin meant."""
    policy = settings.policy
    problems: list[ConfigProblem] = []
    seen: set[str] = set()
    catch_all = ""
    for index, rule in enumerate(policy.rules):
        key = f"[[policy.rules]] #{index + 1} ({rule.name})"
        if rule.name in seen:
            problems.append(
                ConfigProblem(
                    key + " name",
                    f"the name {rule.name!r} is used by an earlier rule",
                    "give every rule its own name: decisions record the name of the rule that "
                    "fired",
                )
            )
        seen.add(rule.name)
        for category in rule.categories:
            if category not in CATEGORIES:
                problems.append(
                    ConfigProblem(
                        key + " categories",
                        f"{category!r} is not a finding category",
                        f"use one of {', '.join(CATEGORIES)}, or name kinds with `kinds`",
                    )
                )
        if catch_all:
            problems.append(
                ConfigProblem(
                    key,
                    f"can never fire: the earlier rule {catch_all!r} matches every finding",
                    "move this rule above it, or give that rule a condition "
                    "(categories, kinds, stages, roles or min_confidence)",
                )
            )
        elif not (rule.categories or rule.kinds or rule.stages or rule.roles) and (
            rule.min_confidence == 0
        ):
            catch_all = rule.name
    for kind in policy.kinds:
        if kind in CATEGORIES:
            problems.append(
                ConfigProblem(
                    f"[policy.kinds] {kind}",
                    f"{kind!r} is a category, not a kind",
                    f"set it as `{kind} = ...` in [policy] instead",
                )
            )
    if policy.notices.enabled:
        problems.extend(_missing_templates(settings))
    if policy.holds.on_expiry != "keep" and policy.emergency_hold:
        problems.append(
            ConfigProblem(
                "[policy.holds] on_expiry",
                f"is {policy.holds.on_expiry!r} while [policy] emergency_hold is on: held mail "
                "would leave the queue unreviewed",
                'set [policy.holds] on_expiry = "keep" while the emergency switch is on',
            )
        )
    return problems


def _missing_templates(settings: Settings) -> list[ConfigProblem]:
    """A notice template for every event that sends notices must be found."""
    from gateway.footer import FooterRenderer

    env = FooterRenderer(settings.templates_dir).env
    problems = []
    for event in settings.policy.notices.on:
        name = f"notices/{event}.txt.j2"
        try:
            env.get_template(name)
        except TemplateNotFound:
            problems.append(
                ConfigProblem(
                    "[policy.notices] on",
                    f"no template {name} for the {event!r} notice",
                    f"add {name} to the [templates] dir, or remove {event!r} from `on`",
                )
            )
        except TemplateSyntaxError as exc:
            problems.append(
                ConfigProblem(
                    "[templates] dir",
                    f"{exc.filename or name} line {exc.lineno}: {exc.message}",
                    f"correct the Jinja2 syntax of {name}, or delete it to use the built-in one",
                )
            )
    return problems
