"""Masking of personal data for roles that do not need to see it."""

import re

MASK = "****"


def mask_mobile(value: str) -> str:
    """138****1234 for an 11-digit mobile; other numbers keep only their last 4 digits."""
    value = (value or "").strip()
    if not value or MASK in value:  # empty, or masked already: masking is idempotent
        return value
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) == 11:
        return f"{digits[:3]}{MASK}{digits[-4:]}"
    if len(digits) > 4:
        return f"{MASK}{digits[-4:]}"
    return MASK


def mask_email(value: str) -> str:
    value = (value or "").strip()
    if MASK in value:
        return value
    if "@" not in value:
        return mask_qq(value)
    local, domain = value.split("@", 1)
    return f"{local[:1]}{MASK}@{domain}"


def mask_qq(value: str) -> str:
    value = (value or "").strip()
    if not value or MASK in value:
        return value
    if len(value) <= 4:
        return MASK
    return f"{value[:2]}{MASK}{value[-2:]}"


MASKERS = {"mobile": mask_mobile, "email": mask_email, "qq": mask_qq}


# --- Redaction of audit rows ----------------------------------------------------------------
# One function masks every value of personal data that reaches the audit log, whichever
# service wrote the row (person edits, filing edits, the Django admin, imports): by the name
# of the key (mobile, phone, qq, email, wechat, …) and, in any other text, by the shape of
# the value (mainland mobiles, e-mail addresses). Secrets (passwords, tokens) are replaced.

_MOBILE_RE = re.compile(r"(?<!\d)(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)")
_EMAIL_RE = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_QQ_IN_TEXT_RE = re.compile(r"(?i)(qq\s*[:：号]?\s*)([1-9]\d{4,11})")
_SECRET_PARAM_RE = re.compile(
    r"(?i)([?&](?:access_token|token|key|secret|sign|signature|password)=)[^&#\s]+"
)
_SECRET_WORDS = ("password", "secret", "token", "recovery", "otp_", "api_key")
_KEY_MASKERS = (
    ("email", mask_email),
    ("mail", mask_email),
    ("qq", mask_qq),
    ("wechat", mask_qq),
    ("weixin", mask_qq),
    ("mobile", mask_mobile),
    ("phone", mask_mobile),
    ("tel", mask_mobile),
)


def _masker_for(key: str):
    key = (key or "").lower()
    if any(word in key for word in _SECRET_WORDS):
        return lambda value: MASK if value else ""
    for word, masker in _KEY_MASKERS:
        if word in key:
            return masker
    return None


def redact_text(text: str) -> str:
    """Mobiles, e-mail addresses and "QQ 12345678" inside free text, masked."""
    if not text:
        return text
    text = _SECRET_PARAM_RE.sub(lambda m: m.group(1) + MASK, text)
    text = _MOBILE_RE.sub(lambda m: f"{m.group(1)}{MASK}{m.group(3)}", text)
    text = _EMAIL_RE.sub(lambda m: f"{m.group(1)}{MASK}@{m.group(2)}", text)
    return _QQ_IN_TEXT_RE.sub(lambda m: m.group(1) + mask_qq(m.group(2)), text)


def redact(value, key: str = ""):
    """The value with personal data masked, recursively through dicts and lists. `key` is
    the name the value is stored under (a dict key, or the field of a [before, after] pair);
    a key naming personal data masks the whole value, other strings are searched for it."""
    masker = _masker_for(key)
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            inner = _masker_for(str(k))
            # {"changes": {"mobile": [old, new]}}: the field name masks both sides.
            out[k] = redact(v, str(k) if inner is not None else key)
        return out
    if isinstance(value, list | tuple):
        return [redact(v, key) for v in value]
    if isinstance(value, str):
        if masker is not None:
            return masker(value) if value else value
        return redact_text(value)
    if masker is not None and isinstance(value, int) and not isinstance(value, bool):
        return masker(str(value))
    return value
