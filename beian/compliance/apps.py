from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "beian.compliance"
    label = "compliance"
    verbose_name = "合规检查"
