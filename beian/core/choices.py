from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEventType(models.TextChoices):
    LOGIN = "login", _("登录成功")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKOUT = "lockout", _("账户锁定")
    LOGOUT = "logout", _("退出登录")
    SESSION_EXPIRED = "session_expired", _("会话过期")
    ROLE_GRANTED = "role_granted", _("授予角色")
    ROLE_REVOKED = "role_revoked", _("撤销角色")
    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    CLOSE = "close", _("注销/解散")
    IMPORT = "import", _("导入")
    EXPORT = "export", _("导出")
    VIEW_PERSONAL_DATA = "view_personal", _("批量查看个人信息")
    APPROVE = "approve", _("审批")
    OTHER = "other", _("其他")
