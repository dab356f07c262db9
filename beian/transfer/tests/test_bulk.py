"""The set-based writer stores what `Model.save()` and django-simple-history store."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from beian.core import bulk as core_bulk
from beian.core.bulk import LazyRows
from beian.core.fastpinyin import pinyin_keys_many
from beian.core.text import pinyin_keys as model_pinyin_keys
from beian.registry.models import ChatGroup, GroupMember
from beian.testing import platform
from beian.transfer.bulk import RecordWriter, reserve_ids
from beian.transfer.pinyin import pinyin_keys

CHARS = st.sampled_from(
    list("计算机学院重庆银行长沙行长音乐乐器覺醒計算機學院嗯〇䶮𠀀abcXYZ019 -_（）()·、，!")
)


@settings(max_examples=500, deadline=None)
@given(st.lists(CHARS, max_size=16).map("".join) | st.text(max_size=12))
def test_pinyin_keys_are_those_the_models_store(name):
    assert pinyin_keys(name) == model_pinyin_keys(name)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(CHARS, max_size=12).map("".join) | st.text(max_size=8), max_size=8))
def test_pinyin_keys_of_many_names_at_once_are_those_of_each(names):
    """The batch (one OpenCC call for all names) gives what the models store per name,
    also around Traditional phrases and names holding line breaks."""
    names = [*names, "乾燥的計算機", "行長\n銀行"]
    assert pinyin_keys_many(names) == [model_pinyin_keys(name) for name in names]


@pytest.mark.django_db
def test_rows_given_one_at_a_time_are_written_with_their_history(cast, monkeypatch):
    """A generator of rows (`LazyRows`) over several chunks: every row, its pinyin keys and
    its "+" history row, the keys returned in order."""
    monkeypatch.setattr(core_bulk, "CHUNK", 7)
    unit, wechat = cast.cs.pk, platform("wechat_group").pk

    def rows():
        for i in range(20):
            yield {"name": f"計院{i}群", "platform_id": wechat, "owner_unit_id": unit}

    with transaction.atomic():
        writer = RecordWriter(ChatGroup, actor=cast.school_admin, now=timezone.now(), reason="r")
        ids = writer.create(LazyRows(20, rows), count=20)
    assert ids == sorted(ids) and len(ids) == 20
    written = ChatGroup.objects.in_bulk(ids)
    assert [written[pk].name for pk in ids] == [f"計院{i}群" for i in range(20)]
    assert written[ids[3]].name_pinyin == model_pinyin_keys("計院3群")[0] == "jiyuan3qun"
    history = ChatGroup.history.filter(id__in=ids, history_type="+")
    assert history.count() == 20
    assert {h.history_user_id for h in history} == {cast.school_admin.pk}


def _history_values(row, skip=("history_id", "history_date", "id", "created_at")):
    return {
        f.attname: getattr(row, f.attname)
        for f in row._meta.concrete_fields
        if f.attname not in skip
    }


@pytest.mark.django_db
def test_rows_and_history_match_what_save_writes(cast):
    now = timezone.now()
    values = {
        "name": "計院 2022级辅导员群",
        "platform_id": platform("wechat_group").pk,
        "owner_unit_id": cast.cs.pk,
        "member_count": 12,
        "created_month": dt.date(2022, 9, 1),
        "creator_id": cast.cs_head.pk,
        "created_by_id": cast.school_admin.pk,
    }
    with transaction.atomic():
        writer = RecordWriter(
            ChatGroup, actor=cast.school_admin, now=now, reason="表格导入：a.xlsx"
        )
        [pk] = writer.create([dict(values)])
    saved = ChatGroup(**values)
    saved._history_user = cast.school_admin
    saved._change_reason = "表格导入：a.xlsx"
    saved.save()
    ours, theirs = ChatGroup.objects.get(pk=pk), ChatGroup.objects.get(pk=saved.pk)
    for field in ChatGroup._meta.concrete_fields:
        if field.attname not in ("id", "created_at", "updated_at"):
            assert getattr(ours, field.attname) == getattr(theirs, field.attname), field.attname
    assert ours.created_at == ours.updated_at == now
    assert _history_values(ours.history.get()) == _history_values(theirs.history.get())
    assert ours.history.get().history_date == now

    with transaction.atomic():
        writer.update([(pk, {"name": "計院辅导员群", "member_count": 20})])
    theirs.name, theirs.member_count = "計院辅导员群", 20
    theirs._history_user = cast.school_admin
    theirs._change_reason = "表格导入：a.xlsx"
    theirs.save()
    ours.refresh_from_db()
    assert (ours.name_pinyin, ours.name_initials) == (theirs.name_pinyin, theirs.name_initials)
    assert _history_values(ours.history.first()) == _history_values(theirs.history.first())
    assert ours.history.first().history_type == "~"


@pytest.mark.django_db
def test_removed_rows_leave_a_history_row(cast):
    member = GroupMember.objects.create(
        record=cast.lit_group, role="reviewer", person=cast.lit_teacher
    )
    with transaction.atomic():
        RecordWriter(GroupMember, actor=cast.school_admin, now=timezone.now(), reason="x").delete(
            [member.pk]
        )
    assert not GroupMember.objects.filter(pk=member.pk).exists()
    last = GroupMember.history.filter(id=member.pk).first()
    assert last.history_type == "-" and last.history_user == cast.school_admin


@pytest.mark.django_db(transaction=True)
def test_reserved_ids_never_reuse_the_id_of_a_removed_row(cast):
    group = ChatGroup.objects.create(
        name="x", platform=platform("qq_group"), owner_unit=cast.cs, member_count=1
    )
    removed = group.pk
    group.delete()  # its history rows still carry its id
    with transaction.atomic():
        reserved = reserve_ids(ChatGroup, 3)
    assert len(set(reserved)) == 3 and min(reserved) > removed
