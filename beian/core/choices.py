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
    DELETE = "delete", _("删除")
    DENIED = "denied", _("拒绝访问")
    CSRF_FAILED = "csrf_failed", _("安全校验失败")
    DOWNLOAD = "download", _("下载文件")
    VIEW_RECORD = "view_record", _("查看个人信息")
    IMPORT_PREVIEW = "import_preview", _("导入预览")
    AUDIT_READ = "audit_read", _("查阅审计日志")
    AUDIT_CHECK = "audit_check", _("审计链校验")
    OTHER = "other", _("其他")
