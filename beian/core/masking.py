"""Masking of personal data for roles that do not need to see it."""

MASK = "****"


def mask_mobile(value: str) -> str:
    """138****1234 for an 11-digit mobile; other numbers keep only their last 4 digits."""
    value = (value or "").strip()
    if not value:
        return ""
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) == 11:
        return f"{digits[:3]}{MASK}{digits[-4:]}"
    if len(digits) > 4:
        return f"{MASK}{digits[-4:]}"
    return MASK


def mask_email(value: str) -> str:
    value = (value or "").strip()
    if "@" not in value:
        return mask_qq(value)
    local, domain = value.split("@", 1)
    return f"{local[:1]}{MASK}@{domain}"


def mask_qq(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) <= 4:
        return MASK
    return f"{value[:2]}{MASK}{value[-2:]}"


MASKERS = {"mobile": mask_mobile, "email": mask_email, "qq": mask_qq}
