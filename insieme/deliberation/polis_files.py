"""Strict reading of a Pol.is export folder (pure Python, no Django).

An export holds `comments.csv` (one row per statement: comment-id, author-id, moderated,
comment-body, and usually timestamp, agrees, disagrees) and the votes, as `votes.csv` (one row
per vote cast, with its timestamp; a later vote on the same statement replaces the earlier one)
and/or `participants-votes.csv` (one row per participant: the opinion group Pol.is published,
`group-id`, then one column per comment id holding the participant's last vote). Both files use
+1 for agree, -1 for disagree and 0 for pass. Pol.is's internal store has the opposite sign, and
an export that leaked it would show votes.csv as the exact negation of participants-votes.csv:
such a votes.csv is read with its sign turned back (and any other disagreement between the two
files is an error).

Anything else is refused with one exception class, `PolisFormatError`, naming the file and the
line: a missing file or header column, an empty, binary or non-UTF-8 file, a malformed row, an
id that is not an integer, a vote outside {-1, 0, 1}, a vote on an unknown comment, a comment
or participant listed twice, the same vote recorded twice at the same time.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

COMMENTS = "comments.csv"
VOTES = "votes.csv"
PARTICIPANTS_VOTES = "participants-votes.csv"
MAX_BYTES = 512 * 1024 * 1024  # far above any real conversation; refuses a runaway file

_INTEGER = re.compile(r"-?[0-9]{1,18}")
_PV_FIXED = ("participant", "xid", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree")


class PolisFormatError(ValueError):
    """A Pol.is export that cannot be read as one; `file` and `line` say where (line 1 is the
    header; None when the problem is the file as a whole)."""

    def __init__(self, file: str, line: int | None, problem: str) -> None:
        self.file = file
        self.line = line
        self.problem = problem
        where = f"{file}, line {line}" if line is not None else file
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class PolisComment:
    id: int
    text: str
    author_id: int
    moderated: int  # -1 moderated out, 0 not moderated yet, 1 accepted
    created: int | None = None  # milliseconds since the epoch


class PolisVote(NamedTuple):
    participant_id: int
    comment_id: int
    vote: int  # +1 agree, -1 disagree, 0 pass
    timestamp: int | None  # milliseconds since the epoch; None when read from participants-votes


@dataclass(frozen=True)
class PolisExport:
    comments: tuple[PolisComment, ...]
    votes: tuple[PolisVote, ...]  # as listed in the file
    groups: dict[int, int] = field(default_factory=dict)  # published group-id, where present
    votes_source: str = VOTES
    sign_flipped: bool = False  # votes.csv carried Pol.is's internal (inverted) sign

    @property
    def moderated_out(self) -> tuple[int, ...]:
        return tuple(c.id for c in self.comments if c.moderated == -1)

    @property
    def last_vote_at(self) -> int | None:
        stamps = [v.timestamp for v in self.votes if v.timestamp is not None]
        return max(stamps) if stamps else None

    def latest_votes(self, until: int | None = None) -> list[PolisVote]:
        """One vote per (participant, comment): the latest (ties: the later row), optionally
        only among votes cast at or before `until`; in the order they were cast."""
        indexed = [
            (v.timestamp if v.timestamp is not None else 0, i, v)
            for i, v in enumerate(self.votes)
            if until is None or v.timestamp is None or v.timestamp <= until
        ]
        indexed.sort(key=lambda t: (t[0], t[1]))
        latest: dict[tuple[int, int], PolisVote] = {}
        for _, _, vote in indexed:
            key = (vote.participant_id, vote.comment_id)
            latest.pop(key, None)  # re-insert so the order is that of the latest vote
            latest[key] = vote
        return list(latest.values())


# --- reading ------------------------------------------------------------------------------


@dataclass
class _Table:
    name: str
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number, fields)

    def column(self, name: str) -> int | None:
        return self.header.index(name) if name in self.header else None


def _read_table(path: Path, required: tuple[str, ...]) -> _Table:
    name = path.name
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise PolisFormatError(name, None, f"cannot be read ({exc.strerror})") from None
    if len(data) > MAX_BYTES:
        raise PolisFormatError(name, None, "too large")
    if not data.strip():
        raise PolisFormatError(name, 1, "empty file (a header line is required)")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise PolisFormatError(name, data.count(b"\n", 0, nul) + 1, "binary data (NUL byte)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise PolisFormatError(name, line, "not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for record in reader:
            if record:  # a blank line is no record
                records.append((start, record))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise PolisFormatError(name, reader.line_num or 1, f"malformed CSV ({exc})") from None
    if not records:
        raise PolisFormatError(name, 1, "empty file (a header line is required)")
    header_line, header = records[0]
    header = [h.strip() for h in header]
    seen: set[str] = set()
    for column in header:
        if column in seen:
            raise PolisFormatError(name, header_line, f"column {column!r} appears twice")
        seen.add(column)
    missing = [c for c in required if c not in seen]
    if missing:
        raise PolisFormatError(
            name, header_line, f"header lacks the column(s) {', '.join(missing)}"
        )
    rows = records[1:]
    for line, fields in rows:
        if len(fields) != len(header):
            raise PolisFormatError(
                name, line, f"{len(fields)} fields where the header has {len(header)}"
            )
    return _Table(name, header, rows)


def _integer(table: _Table, line: int, column: str, value: str, *, allow_empty=False) -> int | None:
    value = value.strip()
    if allow_empty and value == "":
        return None
    if not _INTEGER.fullmatch(value):
        raise PolisFormatError(table.name, line, f"{column} {value[:40]!r} is not an integer")
    return int(value)


def _vote(table: _Table, line: int, column: str, value: str) -> int | None:
    number = _integer(table, line, column, value, allow_empty=True)
    if number is not None and number not in (-1, 0, 1):
        raise PolisFormatError(table.name, line, f"vote {number} is not -1, 0 or 1")
    return number


def _comments(path: Path) -> tuple[PolisComment, ...]:
    table = _read_table(path, ("comment-id", "author-id", "moderated", "comment-body"))
    at = {c: table.column(c) for c in table.header}
    comments: dict[int, PolisComment] = {}
    for line, f in table.rows:
        cid = _integer(table, line, "comment-id", f[at["comment-id"]])
        if cid < 0:
            raise PolisFormatError(table.name, line, f"comment-id {cid} is negative")
        if cid in comments:
            raise PolisFormatError(table.name, line, f"comment {cid} is listed twice")
        moderated = _integer(table, line, "moderated", f[at["moderated"]])
        if moderated not in (-1, 0, 1):
            raise PolisFormatError(table.name, line, f"moderated {moderated} is not -1, 0 or 1")
        for optional in ("agrees", "disagrees"):
            if optional in at:
                _integer(table, line, optional, f[at[optional]], allow_empty=True)
        created = None
        if "timestamp" in at:
            created = _integer(table, line, "timestamp", f[at["timestamp"]], allow_empty=True)
        comments[cid] = PolisComment(
            id=cid,
            text=f[at["comment-body"]],
            author_id=_integer(table, line, "author-id", f[at["author-id"]]),
            moderated=moderated,
            created=created,
        )
    return tuple(comments.values())


def _votes(path: Path, known: set[int]) -> tuple[list[PolisVote], list[int]]:
    table = _read_table(path, ("timestamp", "comment-id", "voter-id", "vote"))
    at = {c: table.column(c) for c in ("timestamp", "comment-id", "voter-id", "vote")}
    votes: list[PolisVote] = []
    lines: list[int] = []
    seen: set[tuple[int, int, int]] = set()
    for line, f in table.rows:
        stamp = _integer(table, line, "timestamp", f[at["timestamp"]])
        cid = _integer(table, line, "comment-id", f[at["comment-id"]])
        pid = _integer(table, line, "voter-id", f[at["voter-id"]])
        vote = _vote(table, line, "vote", f[at["vote"]])
        if vote is None:
            raise PolisFormatError(table.name, line, "vote is empty")
        if cid not in known:
            raise PolisFormatError(table.name, line, f"vote on unknown comment {cid}")
        if (pid, cid, stamp) in seen:
            raise PolisFormatError(
                table.name, line, f"participant {pid}'s vote on {cid} at {stamp} is listed twice"
            )
        seen.add((pid, cid, stamp))
        votes.append(PolisVote(pid, cid, vote, stamp))
        lines.append(line)
    return votes, lines


def _participants_votes(
    path: Path, known: set[int]
) -> tuple[dict[int, int], list[PolisVote], dict[tuple[int, int], int]]:
    table = _read_table(path, ("participant", "group-id"))
    fixed = {c: table.column(c) for c in _PV_FIXED if c in table.header}
    if table.header[0] != "participant":
        raise PolisFormatError(table.name, 1, "the first column must be 'participant'")
    comment_columns: list[tuple[int, int]] = []
    for index, column in enumerate(table.header):
        if column in fixed:
            continue
        if not _INTEGER.fullmatch(column):
            raise PolisFormatError(table.name, 1, f"column {column[:40]!r} is not a comment id")
        cid = int(column)
        if cid not in known:
            raise PolisFormatError(table.name, 1, f"column for unknown comment {cid}")
        if any(cid == other for _, other in comment_columns):
            raise PolisFormatError(table.name, 1, f"two columns for comment {cid}")
        comment_columns.append((index, cid))
    groups: dict[int, int] = {}
    votes: list[PolisVote] = []
    lines: dict[tuple[int, int], int] = {}
    participants: set[int] = set()
    for line, f in table.rows:
        pid = _integer(table, line, "participant", f[fixed["participant"]])
        if pid in participants:
            raise PolisFormatError(table.name, line, f"participant {pid} is listed twice")
        participants.add(pid)
        group = _integer(table, line, "group-id", f[fixed["group-id"]], allow_empty=True)
        if group is not None:
            if group < 0:
                raise PolisFormatError(table.name, line, f"group-id {group} is negative")
            groups[pid] = group
        row_votes = []
        for index, cid in comment_columns:
            vote = _vote(table, line, f"vote on {cid}", f[index])
            if vote is not None:
                row_votes.append(PolisVote(pid, cid, vote, None))
                lines[(pid, cid)] = line
        for column, expected in (
            ("n-votes", len(row_votes)),
            ("n-agree", sum(v.vote == 1 for v in row_votes)),
            ("n-disagree", sum(v.vote == -1 for v in row_votes)),
        ):
            if column in fixed:
                stated = _integer(table, line, column, f[fixed[column]], allow_empty=True)
                if stated is not None and stated != expected:
                    raise PolisFormatError(
                        table.name, line, f"{column} is {stated} but the row holds {expected}"
                    )
        if "n-comments" in fixed:
            _integer(table, line, "n-comments", f[fixed["n-comments"]], allow_empty=True)
        votes.extend(row_votes)
    return groups, votes, lines


def _reconcile(
    votes: list[PolisVote],
    vote_lines: list[int],
    published: dict[tuple[int, int], int],
    published_lines: dict[tuple[int, int], int],
) -> bool:
    """Check each participant's latest vote in votes.csv against participants-votes.csv. True
    when votes.csv has the inverted sign throughout (to be turned back); any other difference
    is an error."""
    latest: dict[tuple[int, int], int] = {}  # pair -> index of its latest vote
    for index, vote in enumerate(votes):
        key = (vote.participant_id, vote.comment_id)
        before = latest.get(key)
        if before is None or (vote.timestamp or 0) >= (votes[before].timestamp or 0):
            latest[key] = index
    same = inverted = 0
    first_inverted = first_same = None
    for key, index in sorted(latest.items(), key=lambda kv: vote_lines[kv[1]]):
        value, line = votes[index].vote, vote_lines[index]
        if key not in published:
            raise PolisFormatError(VOTES, line, f"{PARTICIPANTS_VOTES} lacks this vote")
        if value == 0 and published[key] == 0:
            continue
        if published[key] == value:
            same += 1
            first_same = first_same or line
        elif published[key] == -value:
            inverted += 1
            first_inverted = first_inverted or line
        else:
            raise PolisFormatError(VOTES, line, f"{PARTICIPANTS_VOTES} holds another vote")
    for key, line in sorted(published_lines.items(), key=lambda kv: kv[1]):
        if key not in latest:
            raise PolisFormatError(PARTICIPANTS_VOTES, line, f"vote on {key[1]} that {VOTES} lacks")
    if same and inverted:
        line = max(first_same, first_inverted)
        raise PolisFormatError(VOTES, line, f"sign differs from {PARTICIPANTS_VOTES}")
    return inverted > 0


def read_export(folder: Path | str) -> PolisExport:
    """Read a Pol.is export folder (see the module's docstring); raises PolisFormatError."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PolisFormatError(str(folder), None, "not a folder")
    comments_path = folder / COMMENTS
    if not comments_path.is_file():
        raise PolisFormatError(COMMENTS, None, "missing from the export")
    comments = _comments(comments_path)
    known = {c.id for c in comments}
    votes_path, matrix_path = folder / VOTES, folder / PARTICIPANTS_VOTES
    if not votes_path.is_file() and not matrix_path.is_file():
        raise PolisFormatError(
            VOTES, None, f"missing from the export (and so is {PARTICIPANTS_VOTES})"
        )
    groups: dict[int, int] = {}
    matrix_votes: list[PolisVote] = []
    matrix_lines: dict[tuple[int, int], int] = {}
    if matrix_path.is_file():
        groups, matrix_votes, matrix_lines = _participants_votes(matrix_path, known)
    if not votes_path.is_file():
        return PolisExport(comments, tuple(matrix_votes), groups, PARTICIPANTS_VOTES)
    votes, lines = _votes(votes_path, known)
    flipped = False
    if matrix_path.is_file():
        published = {(v.participant_id, v.comment_id): v.vote for v in matrix_votes}
        flipped = _reconcile(votes, lines, published, matrix_lines)
        if flipped:
            votes = [v._replace(vote=-v.vote) for v in votes]
    return PolisExport(comments, tuple(votes), groups, VOTES, flipped)
