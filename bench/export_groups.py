"""Exporting 100,000 chat groups as the 即时群聊工具备案汇总表 (seed 002 附件3 layout): the
school admin's export of the whole registry through the export service (scope, filters,
rows, every text cell neutralised, audit row with the file's SHA-256).

Targets (issue 8, point 9): .xlsx export ≤ 3 s and ≤ 200 MB.

The registry is filled by importing the sheet of bench/import_groups.py in this process;
each export is then measured in a fresh child process on the same database, so its peak
memory is the export's own (not the import's). Measured: the rows alone (queryset →
values, no writer), .xlsx with the Rust-backed writer (the one exports use), .xlsx with
the XlsxWriter fallback (constant memory) and .csv. Each is the median of 3 runs.
The .xlsx written by the exporter is read back: every row re-imports unchanged and no
cell is a formula.

    python bench/export_groups.py            # add --with-ie for django-import-export
"""

import json
import os
import statistics
import subprocess
import sys
import time

from _setup import ROOT, django_on_fresh_sqlite, peak_rss_mb

N_ROWS = 100_000
IE_ROWS = 20_000
TARGET_S = 3.0
TARGET_MB = 200.0
ROUNDS = 3


def own_peak_mb() -> float:
    """This process's own peak resident memory (VmHWM): unlike ru_maxrss it is not
    inherited from the parent that forked it."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return peak_rss_mb()


def child(mode: str) -> None:
    """Runs in a child process: one kind of export, ROUNDS times; prints JSON."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from beian.transfer import exporters, services
    from beian.transfer.selectors import export_queryset
    from beian.users.models import User

    admin = User.objects.get(username="school_admin")
    ready_mb = own_peak_mb()
    times, rows = [], 0
    for _ in range(ROUNDS):
        started = time.perf_counter()
        queryset, unit_name = export_queryset("groups", admin, {})
        if mode == "rows":
            rows = sum(1 for _ in exporters.group_rows(queryset, admin, exporters.GROUPS_PDSU))
        else:
            fmt, _, engine = mode.partition(":")
            if engine:
                exporters.XLSX_ENGINE = engine
            exported = services.export_file(
                actor=admin, kind="groups", queryset=queryset, fmt=fmt, unit_name=unit_name
            )
            rows = exported.rows
            if mode == "xlsx:rust":
                with open(os.environ["BENCH_EXPORT_FILE"], "wb") as out:
                    out.write(exported.data)
        times.append(time.perf_counter() - started)
    print(json.dumps({"mode": mode, "times": times, "rows": rows, "ready_mb": ready_mb,
                      "peak_mb": own_peak_mb()}))  # fmt: skip


def run_child(mode: str, export_file: str) -> dict:
    env = {**os.environ, "BENCH_EXPORT_FILE": export_file}
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    database = django_on_fresh_sqlite("export-groups")
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    from django.db import transaction
    from import_groups import MAJORS, build_sheet

    from beian.orgs.choices import UnitKind
    from beian.registry.models import ChatGroup
    from beian.testing import Cast, make_unit
    from beian.transfer import services

    with transaction.atomic():
        cast = Cast()
        for major in MAJORS:
            make_unit(f"{major}学院", parent=cast.school, kind=UnitKind.COLLEGE)
    units = [f"{major}学院" for major in MAJORS] + ["计算机学院", "文学院", "党委宣传部"]
    started = time.perf_counter()
    services.import_commit(
        actor=cast.school_admin, kind="groups", file_name="附件3.xlsx",
        data=build_sheet(units, N_ROWS),
    )  # fmt: skip
    print(f"loaded {ChatGroup.objects.count():,} groups in {time.perf_counter() - started:.1f} s")

    export_file = str(database.with_name("export.xlsx"))
    results = {}
    for mode in ("rows", "xlsx:rust", "xlsx:xlsxwriter", "csv"):
        result = run_child(mode, export_file)
        results[mode] = result
        median = statistics.median(result["times"])
        print(f"{mode:>16}: {result['rows']:,} rows, median of {ROUNDS} {median:.2f} s "
              f"(runs: {', '.join(f'{t:.2f}' for t in result['times'])}); peak "
              f"{result['peak_mb']:.0f} MB (Django alone {result['ready_mb']:.0f} MB)")  # fmt: skip

    import io

    import openpyxl

    with open(export_file, "rb") as stream:
        data = stream.read()
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    formulas = sum(1 for row in sheet.iter_rows() for cell in row if cell.data_type == "f")
    assert formulas == 0, formulas
    started = time.perf_counter()
    plan = services.import_preview(
        actor=cast.school_admin, kind="groups", file_name="export.xlsx", data=data
    )
    assert plan.counts["unchanged"] == N_ROWS + 2, plan.counts
    print(f"the .xlsx export: no formula cell; re-import preview: all {N_ROWS + 2:,} rows "
          f"unchanged ({time.perf_counter() - started:.2f} s)")  # fmt: skip

    if "--with-ie" in sys.argv:
        ie_compare(cast)

    xlsx = results["xlsx:rust"]
    seconds = statistics.median(xlsx["times"])
    fallback = statistics.median(results["xlsx:xlsxwriter"]["times"])
    memory = xlsx["peak_mb"]
    print(
        f"RESULT: {N_ROWS:,} groups exported to .xlsx in {seconds:.2f} s (target ≤ "
        f"{TARGET_S:.0f} s: {'met' if seconds <= TARGET_S else 'MISSED'}), peak "
        f"{memory:.0f} MB (target ≤ {TARGET_MB:.0f} MB: "
        f"{'met' if memory <= TARGET_MB else 'MISSED'}); XlsxWriter fallback {fallback:.2f} s"
    )


def ie_compare(cast) -> None:
    from import_export import fields, resources

    from beian.registry.models import ChatGroup

    class GroupResource(resources.ModelResource):
        owner_unit = fields.Field(attribute="owner_unit__name", column_name="管理单位")
        platform = fields.Field(attribute="platform__name", column_name="群聊平台")
        name = fields.Field(attribute="name", column_name="群名称")
        member_count = fields.Field(attribute="member_count", column_name="群人数")
        group_number = fields.Field(attribute="group_number", column_name="群号")

        class Meta:
            model = ChatGroup
            fields = ("owner_unit", "platform", "name", "member_count", "group_number")

    queryset = ChatGroup.objects.select_related("owner_unit", "platform").order_by("pk")
    started = time.perf_counter()
    data = GroupResource().export(queryset=queryset[:IE_ROWS]).export("xlsx")
    seconds = time.perf_counter() - started
    assert data
    print(f"django-import-export .xlsx, {IE_ROWS:,} rows × 5 columns: {seconds:.2f} s → "
          f"{seconds * N_ROWS / IE_ROWS:.1f} s for {N_ROWS:,} (extrapolated linearly)")  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
