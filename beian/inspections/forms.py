"""Forms of the inspection pages. They only read and convert input (audience in 万, 是/否);
the services decide what is complete and allowed."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beian.core.forms import StyledFormMixin
from beian.core.sheets.normalize import parse_audience_wan
from beian.orgs.choices import PersonStatus
from beian.orgs.models import Person

from .choices import Grade

YES_NO = [("", _("请选择")), ("yes", _("是")), ("no", _("否"))]


def _yes_no(value):
    return {"yes": True, "no": False}.get(value)


def _as_choice(value):
    return {True: "yes", False: "no"}.get(value, "")


class InspectionOpenForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("标题"), max_length=200, required=False)
    deadline = forms.DateField(
        label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    notice = forms.CharField(
        label=_("通知正文"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    extra_items = forms.CharField(
        label=_("学校增加的检查项"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一项，运营者须逐项作答；不填则只用年检表的标准项目"),
    )

    def items(self) -> list[str]:
        text = self.cleaned_data.get("extra_items") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class InspectionEditForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    deadline = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))
    notice = forms.CharField(
        label=_("通知正文"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )


class FillForm(StyledFormMixin, forms.Form):
    """The 年检表 (seed 001 附件3) as the operator fills it, on a phone as well."""

    posts_this_year = forms.IntegerField(label=_("本年度发布条数"), min_value=0)
    audience = forms.CharField(
        label=_("当前关注人数（万）"),
        max_length=32,
        help_text=_("按“万”填写，如 1.2 即 12000 人；也可写“8000人”"),
    )
    update_frequency = forms.CharField(
        label=_("更新频率"), max_length=64, help_text=_("如：每周 3 次、每日更新")
    )
    last_post_date = forms.DateField(
        label=_("最近发布日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("从未发布过内容的账号可不填（本年度发布条数填 0）"),
    )
    team_changes = forms.CharField(
        label=_("管理队伍变动（自上次年检以来）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("无变动可不填；变动须另行报备"),
    )
    had_violations = forms.ChoiceField(label=_("本年度是否有违规发布"), choices=YES_NO)
    was_punished = forms.ChoiceField(label=_("是否被平台处罚（限流、封禁等）"), choices=YES_NO)
    had_complaints = forms.ChoiceField(label=_("是否被投诉"), choices=YES_NO)
    incident_details = forms.CharField(
        label=_("违规、处罚、投诉情况说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    content_review = forms.ChoiceField(
        label=_("是否落实内容三审三校"), choices=YES_NO, help_text=_("发布前经初审、复审、终审")
    )
    self_assessment = forms.CharField(
        label=_("自评（运行情况、存在问题、改进措施）"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, extra_items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.extra_items = list(extra_items)
        for i, text in enumerate(self.extra_items):
            self.fields[f"extra_{i}"] = forms.CharField(
                label=f"{i + 1}. {text}",
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            )
        for name in ("posts_this_year", "audience"):
            self.fields[name].widget.attrs["inputmode"] = "decimal"

    @classmethod
    def initial_of(cls, form) -> dict:
        audience = form.audience
        initial = {
            "posts_this_year": form.posts_this_year,
            "audience": (f"{audience / 10000:g}" if audience is not None else ""),
            "update_frequency": form.update_frequency,
            "last_post_date": form.last_post_date,
            "team_changes": form.team_changes,
            "had_violations": _as_choice(form.had_violations),
            "was_punished": _as_choice(form.was_punished),
            "had_complaints": _as_choice(form.had_complaints),
            "incident_details": form.incident_details,
            "content_review": _as_choice(form.content_review),
            "self_assessment": form.self_assessment,
        }
        for key, value in (form.extra_answers or {}).items():
            initial[f"extra_{key}"] = value
        return initial

    def clean_audience(self):
        value = self.cleaned_data["audience"]
        people = parse_audience_wan(value)
        if people is None:
            raise forms.ValidationError(_("请按“万”填写关注人数，如 1.2"))
        return people

    def clean_last_post_date(self):
        value = self.cleaned_data["last_post_date"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("最近发布日期不能晚于今天"))
        return value

    def answers(self) -> dict:
        data = {
            name: self.cleaned_data.get(name)
            for name in (
                "posts_this_year",
                "audience",
                "update_frequency",
                "last_post_date",
                "team_changes",
                "incident_details",
                "self_assessment",
            )
        }
        for name in ("had_violations", "was_punished", "had_complaints", "content_review"):
            data[name] = _yes_no(self.cleaned_data.get(name))
        data["extra_answers"] = {
            str(i): self.cleaned_data.get(f"extra_{i}", "") for i in range(len(self.extra_items))
        }
        return data


class OpinionForm(StyledFormMixin, forms.Form):
    opinion = forms.CharField(
        label=_("单位意见"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("本单位对所属账号运行情况的意见，提交后连同全部年检表一并报宣传部"),
    )


class ReturnForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("退回意见"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("说明需要补正的内容；单位管理员和运营者在本单位年检页看到，修改后重新提交"),
    )


class GradeForm(StyledFormMixin, forms.Form):
    grade = forms.ChoiceField(
        label=_("年检结果"),
        choices=[(g.value, g.label) for g in (Grade.PASS, Grade.RECTIFY, Grade.FAIL)],
    )
    comment = forms.CharField(
        label=_("评定意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("不合格时必填；将开启该账号的注销申请"),
    )
    rectify_items = forms.CharField(
        label=_("整改要求"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    rectify_deadline = forms.DateField(
        label=_("整改期限"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("不填按策略默认期限"),
    )


class RectifyAnswerForm(StyledFormMixin, forms.Form):
    answer = forms.CharField(
        label=_("整改情况"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("说明已做的整改，宣传部将复查并重新评定"),
    )


class HandOverForm(StyledFormMixin, forms.Form):
    successor = forms.ModelChoiceField(
        label=_("接任人"), queryset=Person.objects.none(), help_text=_("在岗（在读）人员")
    )
    effective_on = forms.DateField(
        label=_("交接日期"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=500)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = people if people is not None else Person.objects.none()
        self.fields["successor"].queryset = qs.filter(status=PersonStatus.IN_POST).order_by(
            "name", "pk"
        )


class HandoverCloseForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("注销/解散原因"), max_length=255, initial=_("负责人毕业，账号不再运营")
    )
