"""Spreadsheet import and export: one framework for every kind of row.

A *kind* (areas, grids, units, residents, party members) describes its columns once in a
``Spec``; this module turns a spec into a template workbook, reads an uploaded file into
rows (columns matched by header text, in any order), checks every cell, and collects every
problem as ``(row as seen in Excel, column header, message)``. The kind resolves references
within the user's scope and writes through services. Imports are all-or-nothing unless
``partial`` is asked for; a dry run does everything and rolls back.

Accepted files: .xlsx (first sheet, or the sheet named like the template), and .csv in
UTF-8 (with or without BOM) or GBK/GB18030. Headers are a fixed file format and are
therefore not translated.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
import secrets
import tempfile
import time
from collections import ChainMap
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, Case, Value, When
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from . import crypto
from .audit import audit_record
from .errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from .models import AuditLog
from .scoping import get_scope

# Kinds by name; modules are imported on first use so that core does not depend on them.
KINDS: dict[str, str] = {
    "areas": "civicgrid.geo.excel.AREAS",
    "grids": "civicgrid.geo.excel.GRIDS",
    "units": "civicgrid.orgs.excel.UNITS",
    "residents": "civicgrid.people.excel.RESIDENTS",
    "party_members": "civicgrid.people.excel.PARTY_MEMBERS",
    "catalogue": "civicgrid.cases.excel.CATALOGUE",
}
TEMPLATE_ROWS = 5000  # rows that carry drop-downs in a template
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
RED_FILL = PatternFill("solid", fgColor="FFC7CE")
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
REPORT_MAX_AGE_S = 24 * 3600


class CellInvalid(Exception):
    """Raised by a parser with the message to show for the cell."""


# ---------------------------------------------------------------- cell values and parsers


def cell_text(value: Any) -> str:
    """The text a person sees in the cell (numbers without a spurious '.0')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def text(max_length: int | None = None) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        v = cell_text(value)
        if max_length and len(v) > max_length:
            raise CellInvalid(
                _("不能超过 %(n)d 个字(现为 %(m)d 个)。") % {"n": max_length, "m": len(v)}
            )
        return v

    return parse


def validated(validator: Callable[[str], str]) -> Callable[[Any], str]:
    """Wrap a validator of civicgrid.core.validators (returns the normalised value)."""

    def parse(value: Any) -> str:
        return validator(cell_text(value))

    return parse


def number(low: float, high: float) -> Callable[[Any], float]:
    def parse(value: Any) -> float:
        try:
            v = float(cell_text(value))
        except ValueError:
            raise CellInvalid(_("不是有效的数字。"))
        if not low <= v <= high:
            raise CellInvalid(_("应在 %(a)s 到 %(b)s 之间。") % {"a": low, "b": high})
        return v

    return parse


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    v = cell_text(value)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(v, fmt).date()
        except ValueError:
            continue
    raise CellInvalid(_("日期格式应为 2024-05-01。"))


def yes_no(value: Any) -> bool:
    v = cell_text(value)
    if v in ("是", "Y", "y", "1", "TRUE", "true", "√"):
        return True
    if v in ("否", "N", "n", "0", "FALSE", "false", ""):
        return False
    raise CellInvalid(_("应填“是”或“否”。"))


def geojson(value: Any) -> dict:
    from shapely.geometry import shape

    try:
        geometry = json.loads(cell_text(value))
        if not isinstance(geometry, dict) or "type" not in geometry:
            raise ValueError
        if geometry["type"] == "Feature":
            geometry = geometry["geometry"]
        shape(geometry)
    except Exception:
        raise CellInvalid(_('不是有效的 GeoJSON 几何对象(如 {"type": "Polygon", ...})。'))
    return geometry


# ---------------------------------------------------------------- specs


@dataclass(frozen=True)
class Column:
    header: str  # fixed Chinese header: the file format, matched exactly (a trailing * is ignored)
    key: str
    required: bool = False
    parse: Callable[[Any], Any] = field(default_factory=text)
    # label -> stored value; shown as a drop-down in the template. A callable is evaluated late.
    choices: Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None = None
    help: Any = ""
    example: str = ""
    width: int = 16
    as_text: bool = False  # long digit strings: the template formats the column as text

    def choice_map(self) -> Mapping[str, Any] | None:
        return self.choices() if callable(self.choices) else self.choices


@dataclass(frozen=True)
class Spec:
    title: str  # sheet name
    columns: tuple[Column, ...]
    unique: tuple[str, ...] = ()  # keys whose non-empty values must not repeat within a file
    rules: tuple[Any, ...] = ()  # extra lines for the 说明 sheet

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def header(self, key: str) -> str:
        """The header for a column key, or for a service's field name such as "grid" whose
        column is "grid_code"; "" when no column matches (the error is about the whole row)."""
        headers = {c.key: c.header for c in self.columns}
        for candidate in (key, f"{key}_code", f"{key}_name", f"{key}_number"):
            if candidate in headers:
                return headers[candidate]
        return ""


@dataclass(frozen=True)
class CellError:
    row: int
    column: str  # header; "" for the whole row or the whole file
    message: str

    def __str__(self) -> str:
        message = self.message.rstrip("。")
        if not self.row:
            return message
        if not self.column:
            return _("第 %(r)d 行:%(m)s") % {"r": self.row, "m": message}
        return _("第 %(r)d 行『%(c)s』:%(m)s") % {"r": self.row, "c": self.column, "m": message}


@dataclass
class Row:
    spec: Spec
    number: int
    cells: dict[str, Any]  # header -> value as read
    values: dict[str, Any] = field(default_factory=dict)  # key -> parsed value
    errors: list[CellError] = field(default_factory=list)
    # Objects written by earlier rows of the same import (e.g. households by number); what a
    # row adds is kept only if the row's savepoint commits.
    memo: MutableMapping[Any, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def fail(self, key: str, message: Any) -> None:
        self.errors.append(CellError(self.number, self.spec.header(key), str(message)))

    def fail_from(self, exc: Exception) -> None:
        """Record a service's ApplicationError or Django ValidationError against its columns."""
        details = getattr(exc, "details", None)
        if isinstance(exc, ValidationError) and hasattr(exc, "message_dict"):
            details = exc.message_dict
        if isinstance(details, dict) and details:
            for key, msgs in details.items():
                for m in msgs if isinstance(msgs, list | tuple) else [msgs]:
                    self.fail(key, m)
            return
        message = (
            getattr(exc, "message", None) or "; ".join(getattr(exc, "messages", [])) or str(exc)
        )
        self.fail("", message)


@dataclass
class Table:
    headers: list[str]  # in file order
    rows: list[Row]


@dataclass
class WriteResult:
    created: int = 0
    updated: int = 0


class Kind:
    """One importable and exportable kind of row. Subclasses fill in the hooks."""

    name = ""
    label: Any = ""
    spec: Spec
    model: Any = None
    has_pii = False

    def can_import(self, user) -> bool:
        from civicgrid.orgs.access import has_capability

        return has_capability(user, "import")

    def resolve(self, *, actor, rows: list[Row]) -> None:
        """Look up references (within the actor's change scope) and add row errors."""

    def write_row(self, *, actor, row: Row) -> str:
        """Write one row through services; return "created" or "updated". Runs in a
        savepoint: on ApplicationError or ValidationError the row's writes are undone."""
        raise NotImplementedError

    def write(self, *, actor, rows: list[Row]) -> WriteResult:
        """Each row in its own savepoint, so that a failed row leaves nothing behind."""
        result = WriteResult()
        memo: dict[Any, Any] = {}
        for row in rows:
            row.memo = ChainMap({}, memo)
            try:
                with transaction.atomic():
                    outcome = self.write_row(actor=actor, row=row)
            except (ApplicationError, ValidationError) as exc:
                row.fail_from(exc)
                continue
            memo.update(row.memo.maps[0])
            if outcome == "updated":
                result.updated += 1
            else:
                result.created += 1
        return result

    def export_queryset(self, user):
        return self.model.objects.restrict(user, "export")

    def export_row(self, obj, *, reveal: bool) -> list[Any]:
        raise NotImplementedError


def get_kind(name: str) -> Kind:
    if name not in KINDS:
        raise NotFound(_("没有这种导入导出类型。"))
    return import_string(KINDS[name])


def all_kinds() -> list[Kind]:
    return [get_kind(n) for n in KINDS]


# ---------------------------------------------------------------- templates


def template_xlsx(spec: Spec) -> bytes:
    """Header row (required columns in red), frozen; column widths; drop-downs; a 说明 sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = spec.title
    options = wb.create_sheet("选项")
    options.sheet_state = "hidden"
    for i, col in enumerate(spec.columns, start=1):
        letter = get_column_letter(i)
        cell = ws.cell(row=1, column=i, value=col.header)
        cell.font = Font(bold=True, color="C8161D" if col.required else "000000")
        cell.fill = HEADER_FILL
        cell.comment = Comment(str(col.help) or col.header, "CivicGrid") if col.help else None
        ws.column_dimensions[letter].width = col.width
        if col.as_text:
            ws.column_dimensions[letter].number_format = "@"
        choices = col.choice_map()
        if choices:
            for j, label in enumerate(choices, start=1):
                options.cell(row=j, column=i, value=label)
            ref = f"{quote_sheetname('选项')}!${letter}$1:${letter}${len(choices)}"
            dv = DataValidation(type="list", formula1=ref, allow_blank=not col.required)
            dv.error = _("请从下拉列表中选择。")
            dv.errorTitle = col.header
            dv.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    _notes_sheet(wb.create_sheet("说明"), spec)
    return _save(wb)


def _notes_sheet(ws, spec: Spec) -> None:
    ws.append([_("列名"), _("必填"), _("可选值"), _("说明"), _("示例")])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for col in spec.columns:
        choices = col.choice_map()
        ws.append(
            [
                col.header,
                _("是") if col.required else _("否"),
                "、".join(choices) if choices else "",
                str(col.help),
                col.example,
            ]
        )
    ws.append([])
    ws.append([_("规则")])
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    general = [
        _("第一行是列名,列的顺序可以调整;不认识的列或缺少必填列时整个文件不导入。"),
        _("红色列名为必填列。身份证号、手机号等长数字列请保持文本格式。"),
        _(
            "默认全部导入或全部不导入:只要有一行有误,就一行也不写入;勾选“只导入无误的行”则写入无误的行并列出其余行的错误。"
        ),
        _("“仅校验”会完整检查文件(包括与系统中已有数据的冲突)但不写入任何数据。"),
        _("也接受 CSV 文件(UTF-8 或 GBK 编码),列名相同。文件大小上限 %(mb)d MB。")
        % {"mb": settings.CIVICGRID_IMPORT_MAX_BYTES // (1024 * 1024)},
    ]
    for line in [*general, *spec.rules]:
        ws.append([str(line)])
    for letter, width in zip("ABCDE", (18, 6, 30, 60, 24), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- reading


def _decode_csv(content: bytes) -> list[list[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text_ = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationFailed(_("无法识别 CSV 文件的编码(支持 UTF-8 和 GBK)。"))
    return [list(r) for r in csv.reader(io.StringIO(text_))]


def _read_xlsx(content: bytes, spec: Spec) -> list[list[Any]]:
    if content.startswith(OLE_MAGIC):
        raise ValidationFailed(_("不支持旧版 .xls 文件,请在 Excel 中另存为 .xlsx 后再上传。"))
    if not content.startswith(XLSX_MAGIC):
        raise ValidationFailed(_("文件不是有效的 Excel (.xlsx) 或 CSV 文件。"))
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise ValidationFailed(_("文件不是有效的 Excel (.xlsx) 或 CSV 文件。"))
    try:
        ws = wb[spec.title] if spec.title in wb.sheetnames else wb.worksheets[0]
        return [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def read_table(content: bytes, filename: str, spec: Spec) -> Table:
    """Read the file and match its header row to the spec. File-level problems raise
    ValidationFailed with every problem in ``details``."""
    if len(content) > settings.CIVICGRID_IMPORT_MAX_BYTES:
        raise ValidationFailed(
            _("文件过大(上限 %(mb)d MB)。")
            % {"mb": settings.CIVICGRID_IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    if not content:
        raise ValidationFailed(_("文件是空的。"))
    is_csv = filename.lower().endswith(".csv") and not content.startswith(XLSX_MAGIC)
    table = _decode_csv(content) if is_csv else _read_xlsx(content, spec)
    while table and not any(cell_text(v) for v in table[0]):
        table.pop(0)
    if not table:
        raise ValidationFailed(_("文件是空的。"))
    headers = [cell_text(h).rstrip("*").strip() for h in table[0]]
    known = {c.header for c in spec.columns}
    problems = []
    unknown = [h for h in headers if h and h not in known]
    if unknown:
        problems.append(_("不认识的列:%(c)s") % {"c": "、".join(unknown)})
    missing = [c.header for c in spec.columns if c.required and c.header not in headers]
    if missing:
        problems.append(_("缺少必填列:%(c)s") % {"c": "、".join(missing)})
    repeated = sorted({h for h in headers if h and headers.count(h) > 1})
    if repeated:
        problems.append(_("列名重复:%(c)s") % {"c": "、".join(repeated)})
    if problems:
        raise ValidationFailed(
            _("表头与模板不符:") + ";".join(str(p) for p in problems) + _("。请下载模板对照。"),
            details={"file": [str(p) for p in problems]},
        )
    rows: list[Row] = []
    for number, values in enumerate(table[1:], start=2):
        if not any(cell_text(v) for v in values):
            continue
        cells = {h: values[i] if i < len(values) else None for i, h in enumerate(headers) if h}
        rows.append(Row(spec=spec, number=number, cells=cells))
    return Table(headers=[h for h in headers if h], rows=rows)


def parse_rows(table: Table, spec: Spec) -> None:
    """Parse every cell; required, choices and duplicates within the file. Errors go on rows."""
    columns = [c for c in spec.columns]
    first_seen: dict[tuple[str, Any], int] = {}
    for row in table.rows:
        for col in columns:
            raw = row.cells.get(col.header)
            if cell_text(raw) == "":
                if col.required:
                    row.fail(col.key, _("必填,不能为空。"))
                row.values[col.key] = None
                continue
            choices = col.choice_map()
            try:
                if choices is not None:
                    label = cell_text(raw)
                    if label not in choices:
                        raise CellInvalid(_("应为以下之一:%(c)s") % {"c": "、".join(choices)})
                    row.values[col.key] = choices[label]
                else:
                    row.values[col.key] = col.parse(raw)
            except (CellInvalid, ValidationError) as exc:
                message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                if col.as_text and isinstance(raw, int | float):
                    message += _(
                        "(该单元格是数字格式,长数字可能已被 Excel 改写,请把该列设为文本格式后重新填写)"
                    )
                row.fail(col.key, message)
        for key in spec.unique:
            value = row.values.get(key)
            if value in (None, ""):
                continue
            first = first_seen.setdefault((key, value), row.number)
            if first != row.number:
                row.fail(key, _("与第 %(n)d 行重复。") % {"n": first})


# ---------------------------------------------------------------- importing


@dataclass
class ImportOutcome:
    kind: str
    label: str
    filename: str
    total: int = 0
    created: int = 0
    updated: int = 0
    errors: list[CellError] = field(default_factory=list)
    failed_rows: int = 0
    written: bool = False
    dry_run: bool = False
    partial: bool = False
    report: bytes | None = None  # the uploaded rows with an 错误 column, when there are errors

    @property
    def good_rows(self) -> int:
        return self.total - self.failed_rows


def run_import(
    *,
    actor,
    kind: str,
    content: bytes,
    filename: str,
    partial: bool = False,
    dry_run: bool = False,
    request=None,
) -> ImportOutcome:
    k = get_kind(kind)
    if not k.can_import(actor):
        raise PermissionDenied(_("您没有批量导入的权限。"))
    table = read_table(content, filename, k.spec)
    parse_rows(table, k.spec)
    k.resolve(actor=actor, rows=table.rows)
    outcome = ImportOutcome(
        kind=kind,
        label=str(k.label),
        filename=filename,
        total=len(table.rows),
        dry_run=dry_run,
        partial=partial,
    )
    # The good rows are written even when others failed, so that the services' own checks
    # report too; without ``partial`` (or on a dry run) the transaction is then rolled back.
    with transaction.atomic():
        result = k.write(actor=actor, rows=[r for r in table.rows if r.ok])
        failed = any(not r.ok for r in table.rows)
        if dry_run or (failed and not partial):
            transaction.set_rollback(True)
    outcome.written = not dry_run and (partial or not failed)
    if outcome.written or dry_run:
        outcome.created, outcome.updated = result.created, result.updated
    outcome.errors = [e for r in table.rows for e in r.errors]
    outcome.failed_rows = sum(1 for r in table.rows if not r.ok)
    if outcome.errors:
        only_failed = outcome.written and outcome.good_rows > 0
        outcome.report = error_report_xlsx(table, k.spec, only_failed=only_failed)
    audit_record(
        actor=actor,
        action=AuditLog.Action.IMPORT,
        request=request,
        detail={
            "kind": kind,
            "file": filename[:200],
            "rows": outcome.total,
            "created": outcome.created,
            "updated": outcome.updated,
            "failed_rows": outcome.failed_rows,
            "partial": partial,
            "dry_run": dry_run,
            "written": outcome.written,
        },
    )
    return outcome


def error_report_xlsx(table: Table, spec: Spec, *, only_failed: bool = False) -> bytes:
    """The uploaded rows plus an 错误 column; bad cells red with the message as a comment.
    With ``only_failed`` (some rows were written) only the rows still to fix are included."""
    wb = Workbook()
    ws = wb.active
    ws.title = spec.title
    headers = [*table.headers, str(_("错误"))]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    text_cols = {c.header for c in spec.columns if c.as_text}
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = 40 if i == len(headers) else 16
        if h in text_cols:
            ws.column_dimensions[get_column_letter(i)].number_format = "@"
    out = 1
    for row in table.rows:
        if only_failed and row.ok:
            continue
        out += 1
        for i, h in enumerate(table.headers, start=1):
            value = row.cells.get(h)
            if h in text_cols and value is not None:
                value = cell_text(value)
            ws.cell(row=out, column=i, value=value)
        by_column: dict[str, list[str]] = {}
        for e in row.errors:
            by_column.setdefault(e.column, []).append(e.message)
        for header, msgs in by_column.items():
            if header in table.headers:
                cell = ws.cell(row=out, column=table.headers.index(header) + 1)
                cell.fill = RED_FILL
                cell.comment = Comment("\n".join(msgs), "CivicGrid", width=300, height=100)
        if row.errors:
            summary = ws.cell(
                row=out,
                column=len(headers),
                value="\n".join(
                    (_("第 %(r)d 行") % {"r": row.number})
                    + (f"『{e.column}』" if e.column else "")
                    + ":"
                    + e.message
                    for e in row.errors
                ),
            )
            summary.fill = RED_FILL
            summary.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    return _save(wb)


# ---------------------------------------------------------------- error reports kept for download


def _report_dir() -> Path:
    path = Path(
        getattr(settings, "CIVICGRID_IO_REPORT_DIR", None) or Path(settings.DATA_DIR) / "io-reports"
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def report_store(data: bytes) -> str:
    """Keep an error report for a day, encrypted with the personal-data key (it holds the
    uploaded ID and phone numbers). Returns an unguessable token."""
    folder = _report_dir()
    cutoff = time.time() - REPORT_MAX_AGE_S
    for old in folder.glob("*.enc"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.enc").write_text(crypto.encrypt(base64.b64encode(data).decode()))
    return token


def report_load(token: str) -> bytes:
    if not token.replace("-", "").replace("_", "").isalnum():
        raise NotFound()
    path = _report_dir() / f"{token}.enc"
    if not path.exists():
        raise NotFound(_("错误报告已过期,请重新上传文件。"))
    return base64.b64decode(crypto.decrypt(path.read_text()))


# ---------------------------------------------------------------- exporting


@dataclass
class ExportFile:
    file: Any  # an open temporary file positioned at 0
    filename: str
    rows: int


def export_xlsx(*, user, kind: str, reveal: bool = False, request=None) -> ExportFile:
    """Every row of the kind the user may export, PII masked unless ``reveal`` (which needs
    "reveal_pii", applies only to rows in that scope, and is audited like every export)."""
    from civicgrid.orgs.access import has_capability

    if not has_capability(user, "export"):
        raise PermissionDenied(_("您没有导出数据的权限。"))
    k = get_kind(kind)
    reveal = reveal and k.has_pii
    if reveal and not has_capability(user, "reveal_pii"):
        raise PermissionDenied(_("您没有导出完整个人信息的权限。"))
    qs = k.export_queryset(user).annotate(
        io_reveal=_reveal_flag(k.model, user) if reveal else Value(False)
    )
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(k.spec.title)
    for i, col in enumerate(k.spec.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.freeze_panes = "A2"
    ws.append([c.header for c in k.spec.columns])
    count = 0
    for obj in qs.iterator(chunk_size=2000):
        ws.append(k.export_row(obj, reveal=bool(obj.io_reveal)))
        count += 1
    out = tempfile.TemporaryFile()
    wb.save(out)
    out.seek(0)
    audit_record(
        actor=user,
        action=AuditLog.Action.EXPORT,
        request=request,
        detail={"kind": kind, "rows": count, "pii": "full" if reveal else "masked"},
    )
    stamp = dt.date.today().strftime("%Y%m%d")
    return ExportFile(file=out, filename=f"{kind}-{stamp}.xlsx", rows=count)


def _reveal_flag(model, user):
    """True for rows inside the user's "reveal_pii" scope."""
    scope = get_scope(user, "reveal_pii")
    if scope.everything:
        return Value(True)
    q = model.scope_q(scope)
    if q is None:
        return Value(False)
    return Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())


def masked(value: str, mask: Callable[[str], str], reveal: bool) -> str:
    return (value or "") if reveal else mask(value or "")


def choice_label(mapping: Mapping[str, Any], value: Any) -> str:
    """The first label of a choices map for a stored value (for exports)."""
    return next((label for label, v in mapping.items() if v == value), "")


def labels_for(choices: Iterable[tuple[Any, Any]]) -> dict[str, Any]:
    """label -> value from Django choices."""
    return {str(label): value for value, label in choices}
