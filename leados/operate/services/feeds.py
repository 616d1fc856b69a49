"""Writes to data feeds: configuring a measurable's feed, its push token, and running it.

A feed brings a measurable's values in without anyone typing them: a push feed answers
to an ingest token (only its sha256 is kept); a pull feed fetches CSV or JSON from a URL;
a SQL feed runs one read-only query against a PostgreSQL database. Pull and SQL feeds run
every ``interval_minutes`` on the worker (see ``feeds_claim``).

A run either writes the values it found (all or nothing, through ``values_set``) and
marks the feed ``ok``, or writes no value at all and marks it ``failing`` with a message
saying what went wrong, to be tried again after a growing pause. A failure is never
recorded as a zero. Configuration changes have history; a database URL and a token are
write-only and never appear in it in full.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import math
import re
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from leados.core.errors import Conflict
from leados.core.history import history_record, snapshot
from leados.core.models import HistoryAction
from leados.core.periods import organization_today
from leados.core.services._common import check_version, field_error, lock
from leados.core.tenancy import scopes_disabled
from leados.operate import measures
from leados.operate.models import Feed, FeedFormat, FeedKind, FeedStatus, Measurable, ValueSource
from leados.operate.services.measurables import BatchResult, ValueInput, values_set

TOKEN_PREFIX = "lfi_"  # noqa: S105 - a public prefix, not a secret
MIN_INTERVAL = 5  # minutes
MAX_INTERVAL = 7 * 24 * 60
MAX_ROWS = 1000  # periods one run may write
MAX_ERROR = 1000  # characters of a failure message kept
# A claimed feed whose run never reports back (a worker that died) is claimed again
# after this long.
CLAIM_LEASE = datetime.timedelta(minutes=15)
CLAIM_BATCH = 200
SELECT = re.compile(r"^\s*(select|with)\b", re.IGNORECASE)
SECRET_FIELDS = ("database_url", "token_hash", "token_hint")
CONFIG_FIELDS = (
    "kind", "url", "format", "json_path", "csv_column", "database_url", "query",
    "interval_minutes", "enabled",
)  # fmt: skip
YES_NO = ("yes", "no", "true", "false")
SOURCE_OF = {FeedKind.PUSH: ValueSource.PUSH, FeedKind.PULL: ValueSource.PULL,
             FeedKind.SQL: ValueSource.SQL}  # fmt: skip


class FeedError(Exception):
    """A run that found no value it could record; the message says why, for the feed page."""


# ---------------------------------------------------------------------------- secrets


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def database_label(url: str) -> str:
    """``host:port/database`` of a database URL, without user or password."""
    if not url:
        return ""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if _port(parts) else ""
    name = parts.path.lstrip("/")
    return f"{host}{port}/{name}"


def _port(parts) -> int | None:
    try:
        return parts.port
    except ValueError:
        return None


def _record(feed: Feed, action: str, before: dict | None = None) -> None:
    """History of a configuration change. The database URL is kept out of the snapshot
    (``Feed.HISTORY_EXCLUDE``); a change to it shows as host and database only."""
    changes = {}
    if before is not None:
        after = snapshot(feed)
        changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
        old_url = before.get("_database_url", "")
        if old_url != feed.database_url:
            old, new = database_label(old_url), database_label(feed.database_url)
            changes["database_url"] = [old, new if new != old else f"{new} (new credentials)"]
    history_record(feed, action=action, changes=changes)


def _before(feed: Feed) -> dict:
    return {**snapshot(feed), "_database_url": feed.database_url}


# ---------------------------------------------------------------------------- checks


def file_dir() -> Path:
    return Path(settings.LEADOS_FEED_FILE_DIR).expanduser().resolve()


def _file_path(url: str) -> Path:
    """The local file a ``file:`` URL names, refused unless inside LEADOS_FEED_FILE_DIR."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise FeedError("A file: URL names a file on this server: file:///path/to/file.")
    path = Path(unquote(parts.path)).resolve()
    root = file_dir()
    if not path.is_relative_to(root):
        raise FeedError(
            f"file: URLs may only name files inside {root} (the operator's LEADOS_FEED_FILE_DIR)."
        )
    return path


def _check_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise field_error("url", "Give the URL to fetch.")
    if len(url) > 2000:
        raise field_error("url", "Keep the URL to 2000 characters.")
    if any(c in url for c in "\x00\r\n\t "):
        raise field_error("url", "A URL cannot contain spaces or control characters.")
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("http", "https"):
        parts = urlsplit(url)
        if not parts.hostname:
            raise field_error("url", "The URL needs a host, e.g. https://example.com/kpi.json.")
        try:
            parts.port  # noqa: B018 - raises for a bad port
        except ValueError:
            raise field_error("url", "The URL's port is not a number from 1 to 65535.") from None
        return url
    if scheme == "file":
        try:
            _file_path(url)
        except FeedError as exc:
            raise field_error("url", str(exc)) from None
        return url
    raise field_error("url", "Use an http:// or https:// URL (or file: inside the feed folder).")


def _parse_json_path(path: str):
    from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError
    from jsonpath_ng.ext import parse

    try:
        return parse(path)
    except (JsonPathLexerError, JsonPathParserError, Exception) as exc:  # noqa: BLE001
        raise field_error("json_path", f"This is not a JSON path LeadOS can read: {exc}") from None


def _check_database_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise field_error(
            "database_url",
            "Give a PostgreSQL URL: postgres://user:password@host:5432/database.",
        )
    if not parts.path.strip("/"):
        raise field_error("database_url", "The URL must name the database after the host.")
    if len(url) > 2000:
        raise field_error("database_url", "Keep the URL to 2000 characters.")
    return url


def _check_query(query: str) -> str:
    query = (query or "").strip()
    while query.endswith(";"):
        query = query[:-1].rstrip()
    if not query:
        raise field_error("query", "Write the SELECT statement that returns the value.")
    if len(query) > 8000:
        raise field_error("query", "Keep the query to 8000 characters.")
    if not SELECT.match(query):
        raise field_error("query", "A SQL feed runs one SELECT statement (it may start WITH).")
    if ";" in query:
        raise field_error("query", "Write a single statement: no semicolons inside the query.")
    if "\x00" in query:
        raise field_error("query", "The query cannot contain NUL characters.")
    return query


def _clean(feed: Feed) -> None:
    errors: dict[str, list[str]] = {}

    def check(name, fn):
        try:
            setattr(feed, name, fn(getattr(feed, name)))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)

    if feed.kind not in FeedKind.values:
        raise field_error("kind", f"Choose one of: {', '.join(FeedKind.values)}.")
    interval = feed.interval_minutes
    if isinstance(interval, bool) or not isinstance(interval, int):
        errors["interval_minutes"] = ["Give the minutes between runs as a whole number."]
    elif not MIN_INTERVAL <= interval <= MAX_INTERVAL:
        errors["interval_minutes"] = [
            f"Run at most every {MIN_INTERVAL} minutes and at least once a week "
            f"({MAX_INTERVAL} minutes)."
        ]
    if not isinstance(feed.enabled, bool):
        errors["enabled"] = ["Answer yes or no."]
    for name in ("json_path", "csv_column"):
        value = getattr(feed, name)
        if value is not None and not isinstance(value, str):
            errors[name] = ["Enter text."]
            setattr(feed, name, "")
    if feed.kind == FeedKind.PULL:
        check("url", _check_url)
        if feed.format not in FeedFormat.values:
            errors["format"] = ["Choose json or csv."]
        feed.json_path = (feed.json_path or "").strip()
        feed.csv_column = (feed.csv_column or "").strip()
        if feed.format == FeedFormat.JSON:
            if not feed.json_path:
                errors["json_path"] = ["Give the JSON path to the value, e.g. $.data.total."]
            else:
                check("json_path", lambda p: (_parse_json_path(p), p)[1])
            feed.csv_column = ""
        elif feed.format == FeedFormat.CSV:
            feed.json_path = ""
        feed.database_url, feed.query = "", ""
    elif feed.kind == FeedKind.SQL:
        check("database_url", _check_database_url)
        check("query", _check_query)
        feed.url, feed.format, feed.json_path, feed.csv_column = "", "", "", ""
    else:
        feed.url, feed.format, feed.json_path, feed.csv_column = "", "", "", ""
        feed.database_url, feed.query = "", ""
    if len(feed.json_path or "") > 500:
        errors["json_path"] = ["Keep the path to 500 characters."]
    if len(feed.csv_column or "") > 200:
        errors["csv_column"] = ["Keep the column name to 200 characters."]
    if errors:
        raise ValidationError(errors)


def _check_measurable(measurable: Measurable) -> None:
    if measurable.formula:
        raise field_error("kind", "A formula measurable is computed; it takes no feed.")


# ---------------------------------------------------------------------------- configure


@transaction.atomic
def feed_configure(
    *,
    measurable: Measurable,
    expected_version: int | None,
    kind: str,
    url: str = "",
    format: str = "",  # noqa: A002 - the field's name
    json_path: str = "",
    csv_column: str = "",
    database_url: str | None = None,
    query: str = "",
    interval_minutes: int = 60,
    enabled: bool = True,
) -> Feed:
    """Create or change ``measurable``'s feed. ``expected_version`` 0 means "it had no feed
    yet". A database URL left out (``None``) keeps the one stored. A scheduled feed is due
    at once after a change; a push feed keeps its token while it stays a push feed."""
    _check_measurable(measurable)
    feed = Feed.objects.select_for_update().filter(measurable=measurable).first()
    if feed is None:
        if expected_version not in (None, 0):
            raise Conflict("This feed was removed since you read it.", current_version=0)
        feed = Feed(organization_id=measurable.organization_id, measurable=measurable)
        before = None
    else:
        check_version(feed, expected_version)
        before = _before(feed)
    if database_url is None:
        database_url = feed.database_url if kind == FeedKind.SQL else ""
    fields = {
        "kind": kind, "url": url, "format": format, "json_path": json_path,
        "csv_column": csv_column, "database_url": database_url, "query": query,
        "interval_minutes": interval_minutes, "enabled": enabled,
    }  # fmt: skip
    old = {name: getattr(feed, name) for name in CONFIG_FIELDS}
    for name, value in fields.items():
        setattr(feed, name, "" if value is None and name not in ("interval_minutes",) else value)
    _clean(feed)
    if feed.kind != FeedKind.PUSH:
        feed.token_hash, feed.token_hint = "", ""
    changed = {name for name in CONFIG_FIELDS if getattr(feed, name) != old[name]}
    if before is not None and not changed:
        return feed
    scheduled = feed.kind != FeedKind.PUSH and feed.enabled
    feed.next_run_at = timezone.now() if scheduled else None
    if changed - {"enabled", "interval_minutes"}:
        feed.status, feed.failures, feed.last_error = FeedStatus.NEW, 0, ""
    feed.full_clean(exclude=["organization", "measurable"])
    if before is None:
        feed.save()
        _record(feed, HistoryAction.CREATE)
    else:
        feed.version += 1
        feed.save()
        _record(feed, HistoryAction.UPDATE, before)
    return feed


@transaction.atomic
def feed_token_rotate(*, feed: Feed, expected_version: int | None) -> tuple[Feed, str]:
    """Give a push feed a new ingest token and return it; only its hash is kept, so this is
    the one time it can be shown. The previous token stops working at once."""
    feed = lock(feed)
    check_version(feed, expected_version)
    if feed.kind != FeedKind.PUSH:
        raise field_error("kind", "Only a push feed has an ingest token.")
    before = _before(feed)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    feed.token_hash = token_digest(raw)
    feed.token_hint = raw[: len(TOKEN_PREFIX) + 4]
    feed.version += 1
    feed.save()
    _record(feed, HistoryAction.UPDATE, before)
    return feed, raw


@transaction.atomic
def feed_delete(*, feed: Feed, expected_version: int | None) -> None:
    """Remove the feed; the values it brought stay, and so does its history."""
    feed = lock(feed)
    check_version(feed, expected_version)
    _record(feed, HistoryAction.DELETE)
    feed.delete()


def feed_for_token(raw: str) -> Feed | None:
    """The enabled push feed answering to the ingest token ``raw``, or None."""
    if not isinstance(raw, str) or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    with scopes_disabled():
        feed = (
            Feed.objects.select_related("measurable__organization")
            .filter(token_hash=token_digest(raw), kind=FeedKind.PUSH)
            .order_by()
            .first()
        )
    if feed is None or not secrets.compare_digest(feed.token_hash, token_digest(raw)):
        return None
    return feed


# ---------------------------------------------------------------------------- fetching


class _NoRedirectToOtherSchemes(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise FeedError(f"The server redirected to {newurl[:200]}, which is not http(s).")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener() -> urllib.request.OpenerDirector:
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        _NoRedirectToOtherSchemes(),
        urllib.request.HTTPErrorProcessor(),
        urllib.request.HTTPDefaultErrorHandler(),
    ):
        opener.add_handler(handler)
    return opener


def _read_capped(stream, limit: int) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise FeedError(f"The response is larger than {limit:,} bytes; serve a smaller file.")
    return data


def fetch(url: str) -> bytes:
    """The body at ``url`` (http, https, or a file inside the feed folder), within the
    timeout and size cap; ``FeedError`` with a clear message otherwise."""
    limit = settings.LEADOS_FEED_MAX_BYTES
    timeout = settings.LEADOS_FEED_TIMEOUT
    scheme = urlsplit(url).scheme.lower()
    if scheme == "file":
        path = _file_path(url)
        try:
            with path.open("rb") as handle:
                return _read_capped(handle, limit)
        except FileNotFoundError:
            raise FeedError(f"There is no file {path.name} in the feed folder.") from None
        except OSError as exc:
            raise FeedError(f"The file could not be read: {exc.strerror}.") from None
    if scheme not in ("http", "https"):
        raise FeedError("Only http, https and file: URLs are fetched.")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, headers={"User-Agent": "LeadOS feed", "Accept": "application/json, text/csv, */*"}
    )
    try:
        with _opener().open(request, timeout=timeout) as response:
            return _read_capped(response, limit)
    except urllib.error.HTTPError as exc:
        raise FeedError(f"The server answered HTTP {exc.code} {exc.reason}.") from None
    except TimeoutError:
        raise FeedError(f"No answer within {timeout:g} seconds (timeout).") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise FeedError(f"No answer within {timeout:g} seconds (timeout).") from None
        raise FeedError(f"Could not reach {urlsplit(url).netloc}: {reason}.") from None
    except (OSError, ValueError) as exc:
        raise FeedError(f"Could not fetch the URL: {exc}.") from None


# ---------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class Reading:
    """One value the source gave, for ``period_start`` (None: the current period)."""

    period_start: object
    value: object


def _is_number(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return math.isfinite(value)
    if isinstance(value, str):
        try:
            return math.isfinite(float(value.strip().replace(",", "").rstrip("%")))
        except ValueError:
            return False
    return False


def _scalar(value, where: str):
    if _is_number(value) or isinstance(value, bool):
        return value
    shown = json.dumps(value)[:80] if not isinstance(value, str) else repr(value[:80])
    raise FeedError(f"The value at {where} is not a number: {shown}.")


def parse_json(body: bytes, path: str) -> list[Reading]:
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FeedError(f"The response is not valid JSON ({str(exc)[:120]}).") from None
    try:
        matches = [m.value for m in _parse_json_path(path).find(document)]
    except ValidationError:
        raise FeedError(f"The JSON path {path} cannot be read.") from None
    if not matches:
        raise FeedError(f"The JSON path {path} found nothing in the response.")
    items = matches[0] if len(matches) == 1 and isinstance(matches[0], list) else matches
    if all(isinstance(item, dict) for item in items):
        readings = []
        for n, item in enumerate(items):
            if "value" not in item or "period_start" not in item:
                raise FeedError(
                    f"Item {n} at {path} needs both period_start and value (it has "
                    f"{', '.join(sorted(map(str, item))) or 'nothing'})."
                )
            readings.append(Reading(item["period_start"], _scalar(item["value"], path)))
        if not readings:
            raise FeedError(f"The JSON path {path} found an empty list.")
        return readings
    if len(items) != 1:
        raise FeedError(
            f"The JSON path {path} found {len(items)} values; point it at one number, or at "
            "a list of {period_start, value}."
        )
    return [Reading(None, _scalar(items[0], path))]


def _iso_date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        return None


def parse_csv(body: bytes, column: str, current: measures.Span) -> list[Reading]:
    """The value in ``column`` (by header name; the second column when empty) of the row
    whose first column is the current period's start, else of the last row."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FeedError("The CSV is not UTF-8 text.") from None
    try:
        rows = [row for row in csv.reader(io.StringIO(text)) if any(c.strip() for c in row)]
    except csv.Error as exc:
        raise FeedError(f"The CSV cannot be read: {exc}.") from None
    if len(rows) < 2:
        raise FeedError("The CSV needs a header row and at least one row of data.")
    header = [h.strip() for h in rows[0]]
    if column:
        if column not in header:
            raise FeedError(f"The CSV has no column {column!r} (it has {', '.join(header)[:200]}).")
        index = header.index(column)
    else:
        if len(header) < 2:
            raise FeedError("The CSV needs two columns: the period and the value.")
        index = 1
    data = rows[1:]
    chosen = next((row for row in data if row and _iso_date(row[0]) == current.start), data[-1])
    if index >= len(chosen):
        raise FeedError(f"The chosen row has no {header[index]!r} value.")
    day = _iso_date(chosen[0]) if chosen else None
    raw = chosen[index].strip()
    if not raw:
        raise FeedError(f"The {header[index]!r} cell of the chosen row is empty.")
    if not _is_number(raw) and raw.lower() not in YES_NO:
        raise FeedError(f"The {header[index]!r} cell of the chosen row is not a number: {raw!r}.")
    return [Reading(day, raw)]


def query_database(url: str, query: str) -> list[Reading]:
    """Run ``query`` in a read-only transaction with a statement timeout; one column gives
    one value (row 1), two or more give rows of (period start, value)."""
    import psycopg

    timeout = settings.LEADOS_FEED_TIMEOUT
    label = database_label(url)
    try:
        connection = psycopg.connect(url, connect_timeout=max(1, math.ceil(timeout)))
    except psycopg.Error as exc:
        raise FeedError(f"Could not connect to {label}: {_first_line(exc)}") from None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION READ ONLY")
            cursor.execute(
                "SELECT set_config('statement_timeout', %s, true)", [f"{int(timeout * 1000)}"]
            )
            # Prepared: the extended protocol refuses a second statement outright.
            cursor.execute(query, prepare=True)
            if cursor.description is None:
                raise FeedError("The query returned no rows (is it a SELECT?).")
            columns = len(cursor.description)
            rows = cursor.fetchmany(MAX_ROWS + 1)
    except psycopg.errors.ReadOnlySqlTransaction:
        raise FeedError("The query tried to write; SQL feeds only read.") from None
    except psycopg.errors.QueryCanceled:
        raise FeedError(f"The query ran longer than {timeout:g} seconds (timeout).") from None
    except psycopg.Error as exc:
        raise FeedError(f"The query failed: {_first_line(exc)}") from None
    finally:
        connection.close()  # without a commit: nothing the query did is kept
    if not rows:
        raise FeedError("The query returned no rows.")
    if len(rows) > MAX_ROWS:
        raise FeedError(f"The query returned more than {MAX_ROWS} rows.")
    if columns == 1:
        if len(rows) > 1:
            raise FeedError(
                f"The query returned {len(rows)} rows of one column; return one value, or "
                "rows of (period start, value)."
            )
        return [Reading(None, _sql_value(rows[0][0]))]
    return [Reading(_sql_day(row[0]), _sql_value(row[1])) for row in rows]


def _first_line(exc: Exception) -> str:
    diag = getattr(exc, "diag", None)
    message = getattr(diag, "message_primary", None) or str(exc)
    return message.strip().splitlines()[0][:300] if message.strip() else type(exc).__name__


def _sql_value(value):
    if value is None:
        raise FeedError("The query returned NULL, not a number.")
    if isinstance(value, str) and not _is_number(value) and value.strip().lower() not in YES_NO:
        raise FeedError(f"The query returned {value[:80]!r}, not a number.")
    if isinstance(value, str | int | float | bool):
        return value
    try:
        return float(value)  # Decimal and the like
    except (TypeError, ValueError):
        raise FeedError(f"The query returned {str(value)[:80]!r}, not a number.") from None


def _sql_day(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and _iso_date(value):
        return _iso_date(value)
    raise FeedError(f"The first column should hold the period's first day; got {value!r}.")


# ---------------------------------------------------------------------------- running


@dataclass(frozen=True)
class RunOutcome:
    ok: bool
    message: str
    written: BatchResult | None = None


def retry_delay(failures: int, interval_minutes: int) -> datetime.timedelta:
    """1, 2, 4, 8 … minutes after each failure in a row, never longer than the interval."""
    return datetime.timedelta(minutes=min(2 ** min(failures - 1, 20), interval_minutes))


def _readings(feed: Feed, current: measures.Span) -> list[Reading]:
    if feed.kind == FeedKind.PULL:
        body = fetch(feed.url)
        if feed.format == FeedFormat.CSV:
            return parse_csv(body, feed.csv_column, current)
        return parse_json(body, feed.json_path)
    if feed.kind == FeedKind.SQL:
        return query_database(feed.database_url, feed.query)
    raise FeedError("A push feed is not run; it waits for values sent with its token.")


def _items(measurable: Measurable, readings: list[Reading], current: measures.Span):
    fiscal = measurable.organization.fiscal_year_start_month
    items = []
    for reading in readings:
        start = reading.period_start
        if start is None:
            start = current.start
        elif isinstance(start, datetime.date) and reading is readings[0] and len(readings) == 1:
            # One value from a dated CSV row: it belongs to the period of that date.
            start = measures.period_of(measurable.frequency, start, fiscal).start
        items.append(ValueInput(start, reading.value))
    return items


def _messages(exc: ValidationError, readings: list[Reading]) -> str:
    parts = []
    for field, messages in exc.message_dict.items():
        match = re.match(r"items\.(\d+)\.(\w+)", field)
        if match:
            reading = readings[int(match.group(1))]
            what = "period" if match.group(2) == "period_start" else match.group(2)
            got = reading.period_start if what == "period" else reading.value
            parts.append(f"{' '.join(messages)} (the {what} given was {got!r})")
        else:
            parts.append(" ".join(messages))
    return "The source gave a value that cannot be recorded: " + "; ".join(parts[:3])


def feed_run(*, feed: Feed, now: datetime.datetime | None = None) -> RunOutcome:
    """Fetch, read and record the feed's values now; never raises for a bad source.

    Success: the values are written (source pull or sql, for the current period or the
    periods the source names), failures go back to 0 and the next run is an interval
    away. Failure: nothing is written, the message is kept, failures go up by one and the
    next try comes after ``retry_delay``.
    """
    now = now or timezone.now()
    measurable = feed.measurable
    organization = measurable.organization
    current = measures.period_of(
        measurable.frequency, organization_today(organization), organization.fiscal_year_start_month
    )
    readings: list[Reading] = []
    try:
        readings = _readings(feed, current)
        with transaction.atomic():
            written = values_set(
                measurable=Measurable.objects.get(pk=measurable.pk),
                items=_items(measurable, readings, current),
                author=None,
                source=SOURCE_OF[feed.kind],
            )
            _succeeded(feed, now)
        parts = [f"{n} {word}" for n, word in (
            (written.created, "new"), (written.updated, "changed"), (written.unchanged, "unchanged")
        ) if n]  # fmt: skip
        return RunOutcome(True, f"Recorded {len(readings)} value(s): {', '.join(parts)}.", written)
    except FeedError as exc:
        message = str(exc)
    except ValidationError as exc:
        message = _messages(exc, readings)
    except Conflict as exc:
        message = exc.message
    _failed(feed, now, message)
    return RunOutcome(False, message)


def _succeeded(feed: Feed, now: datetime.datetime) -> None:
    next_run = now + datetime.timedelta(minutes=feed.interval_minutes)
    fields = {
        "status": FeedStatus.OK, "last_run_at": now, "last_success_at": now, "last_error": "",
        "failures": 0, "next_run_at": next_run if feed.enabled else None,
    }  # fmt: skip
    Feed.objects.filter(pk=feed.pk).update(**fields)
    for name, value in fields.items():
        setattr(feed, name, value)


def _failed(feed: Feed, now: datetime.datetime, message: str) -> None:
    with transaction.atomic():
        failures = (
            Feed.objects.select_for_update().filter(pk=feed.pk).values_list("failures", flat=True)
        ).first()
        if failures is None:  # removed meanwhile
            return
        failures += 1
        fields = {
            "status": FeedStatus.FAILING, "last_run_at": now, "last_error": message[:MAX_ERROR],
            "failures": failures,
            "next_run_at": now + retry_delay(failures, feed.interval_minutes)
            if feed.enabled else None,
        }  # fmt: skip
        Feed.objects.filter(pk=feed.pk).update(**fields)
    for name, value in fields.items():
        setattr(feed, name, value)


def push_received(*, feed: Feed) -> None:
    """Note on a push feed that values came in (its last success)."""
    now = timezone.now()
    Feed.objects.filter(pk=feed.pk).update(
        status=FeedStatus.OK, last_run_at=now, last_success_at=now, last_error="", failures=0
    )


# ---------------------------------------------------------------------------- scheduling


def feeds_claim(*, now: datetime.datetime | None = None, limit: int = CLAIM_BATCH) -> list[int]:
    """Claim the scheduled feeds due now and return their ids; call inside a transaction.

    Claiming moves each feed's next run ``CLAIM_LEASE`` ahead in one UPDATE, so a feed is
    claimed by one caller only: on PostgreSQL concurrent claimers skip each other's locked
    rows, on SQLite the write transaction serializes them. The run then sets the real next
    run; a run that never reports back is claimed again when the lease ends.
    """
    now = now or timezone.now()
    with scopes_disabled():
        due = (
            Feed.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(enabled=True, next_run_at__lte=now, kind__in=[FeedKind.PULL, FeedKind.SQL])
            .filter(measurable__archived_at__isnull=True)
            .order_by("next_run_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        ids = list(due)
        if ids:
            Feed.objects.filter(pk__in=ids, next_run_at__lte=now).update(
                next_run_at=now + CLAIM_LEASE
            )
    return ids
