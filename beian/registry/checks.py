"""System check: the policy's audience thresholds name platforms of the catalogue (core
cannot check this itself: it knows no platform)."""

from django.core.checks import Error, register

from .platforms import PLATFORMS


@register("beian")
def check_policy_platform_codes(app_configs=None, **kwargs):
    from beian.core.policy import PolicyError, get_policy

    try:
        thresholds = get_policy().audience_thresholds
    except PolicyError:
        return []  # reported by the policy's own check
    known = {row[0] for row in PLATFORMS}
    return [
        Error(
            f"策略文件 [audience_thresholds] 中的平台代码“{code}”不在平台目录中",
            hint="可用代码：" + "、".join(sorted(known)),
            id="beian.E002",
        )
        for code in sorted(set(thresholds) - known)
    ]
