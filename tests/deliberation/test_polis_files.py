"""Strict reading of Pol.is exports (insieme.deliberation.polis_files): the three real exports,
one error class naming file and line for every malformed input, and property tests (nothing
raises anything else; generated exports round-trip)."""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insieme.deliberation.polis_files import (
    PolisComment,
    PolisExport,
    PolisFormatError,
    PolisVote,
    read_export,
)

EXPORTS = Path(__file__).resolve().parents[1] / "conformance" / "polis"
COMMENTS_HEADER = "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body"
VOTES_HEADER = "timestamp,datetime,comment-id,voter-id,vote"


@pytest.mark.parametrize(
    ("folder", "comments", "votes", "latest", "grouped", "moderated"),
    [
        ("15-per-hour-seattle", 54, 2995, 2872, 138, 23),
        ("brexit-consensus", 50, 5312, 5303, 197, 0),
        ("scoop-hivemind.ubi", 71, 7174, 7153, 234, 1),
    ],
)
def test_real_exports(folder, comments, votes, latest, grouped, moderated):
    export = read_export(EXPORTS / folder)
    assert (len(export.comments), len(export.votes)) == (comments, votes)
    assert len(export.latest_votes()) == latest
    assert len(export.groups) == grouped and len(export.moderated_out) == moderated
    assert export.votes_source == "votes.csv" and not export.sign_flipped
    assert all(v.vote in (-1, 0, 1) and v.timestamp for v in export.votes)
    earliest = min(v.timestamp for v in export.votes)
    assert export.latest_votes(until=earliest) == [
        v for v in export.votes if v.timestamp == earliest
    ]
    assert export.last_vote_at == max(v.timestamp for v in export.votes)


def test_participants_votes_alone_gives_the_same_latest_votes(tmp_path):
    source = EXPORTS / "brexit-consensus"
    for name in ("comments.csv", "participants-votes.csv"):
        shutil.copy(source / name, tmp_path / name)
    alone = read_export(tmp_path)
    full = read_export(source)
    assert alone.votes_source == "participants-votes.csv"
    assert {v[:3] for v in alone.latest_votes()} == {v[:3] for v in full.latest_votes()}
    assert alone.groups == full.groups and alone.last_vote_at is None


# --- malformed input --------------------------------------------------------------------------


def _export(tmp_path, comments=None, votes=None, matrix=None) -> Path:
    comments = (
        comments
        if comments is not None
        else f"{COMMENTS_HEADER}\n1,x,0,5,1,0,1,First\n2,x,1,6,0,1,-1,Second\n"
    )
    (tmp_path / "comments.csv").write_bytes(
        comments.encode() if isinstance(comments, str) else comments
    )
    if votes is not None:
        data = votes.encode() if isinstance(votes, str) else votes
        (tmp_path / "votes.csv").write_bytes(data)
    if matrix is not None:
        (tmp_path / "participants-votes.csv").write_text(matrix)
    return tmp_path


GOOD_VOTES = f"{VOTES_HEADER}\n10,x,0,7,1\n11,x,1,7,-1\n12,x,0,8,0\n"
MATRIX_HEADER = "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1"

BAD = [
    # (what, comments.csv, votes.csv, participants-votes.csv, file, line)
    ("empty comments", "", GOOD_VOTES, None, "comments.csv", 1),
    ("blank comments", "\n\n  \n", GOOD_VOTES, None, "comments.csv", 1),
    (
        "binary",
        f"{COMMENTS_HEADER}\n1,x,0,5,1,0,1,A\n2,x,1,\x00,0,1,1,B\n",
        GOOD_VOTES,
        None,
        "comments.csv",
        3,
    ),
    (
        "not utf-8",
        None,
        f"{VOTES_HEADER}\n10,x,0,7,1\n11,\xff\xfe,1,7,1\n".encode("latin-1"),
        None,
        "votes.csv",
        3,
    ),
    (
        "header lacks a column",
        "comment-id,moderated,comment-body\n0,1,A\n",
        GOOD_VOTES,
        None,
        "comments.csv",
        1,
    ),
    ("column twice", f"{COMMENTS_HEADER},moderated\n", GOOD_VOTES, None, "comments.csv", 1),
    (
        "id not an integer",
        f"{COMMENTS_HEADER}\n1,x,0,5,1,0,1,A\n2,x,1.5,6,0,1,1,B\n",
        GOOD_VOTES,
        None,
        "comments.csv",
        3,
    ),
    (
        "unicode digits",
        f"{COMMENTS_HEADER}\n1,x,\u0661,5,1,0,1,A\n",
        GOOD_VOTES,
        None,
        "comments.csv",
        2,
    ),
    ("negative id", f"{COMMENTS_HEADER}\n1,x,-3,5,1,0,1,A\n", GOOD_VOTES, None, "comments.csv", 2),
    (
        "moderated out of range",
        f"{COMMENTS_HEADER}\n1,x,0,5,1,0,2,A\n",
        GOOD_VOTES,
        None,
        "comments.csv",
        2,
    ),
    (
        "comment twice",
        f"{COMMENTS_HEADER}\n1,x,0,5,1,0,1,A\n2,x,0,6,0,1,1,B\n",
        GOOD_VOTES,
        None,
        "comments.csv",
        3,
    ),
    ("field count", f"{COMMENTS_HEADER}\n1,x,0,5,1,0,1\n", GOOD_VOTES, None, "comments.csv", 2),
    ("open quote", f'{COMMENTS_HEADER}\n1,x,0,5,1,0,1,"A\n', GOOD_VOTES, None, "comments.csv", 2),
    ("vote out of range", None, f"{VOTES_HEADER}\n10,x,0,7,1\n11,x,1,7,2\n", None, "votes.csv", 3),
    ("vote not a number", None, f"{VOTES_HEADER}\n10,x,0,7,yes\n", None, "votes.csv", 2),
    ("vote empty", None, f"{VOTES_HEADER}\n10,x,0,7,\n", None, "votes.csv", 2),
    ("unknown comment", None, f"{VOTES_HEADER}\n10,x,0,7,1\n11,x,9,7,1\n", None, "votes.csv", 3),
    (
        "vote twice at once",
        None,
        f"{VOTES_HEADER}\n10,x,0,7,1\n10,x,0,7,-1\n",
        None,
        "votes.csv",
        3,
    ),
    ("timestamp missing", None, "comment-id,voter-id,vote\n0,7,1\n", None, "votes.csv", 1),
    (
        "matrix unknown comment",
        None,
        None,
        f"{MATRIX_HEADER},4\n7,0,0,1,1,0,1,,\n",
        "participants-votes.csv",
        1,
    ),
    (
        "matrix comment twice",
        None,
        None,
        f"{MATRIX_HEADER},-0\n7,0,0,1,1,0,1,,\n",
        "participants-votes.csv",
        1,
    ),
    (
        "matrix odd column",
        None,
        None,
        "participant,group-id,zz\n7,0,1\n",
        "participants-votes.csv",
        1,
    ),
    (
        "matrix first column",
        None,
        None,
        "group-id,participant,0\n0,7,1\n",
        "participants-votes.csv",
        1,
    ),
    (
        "matrix participant twice",
        None,
        None,
        f"{MATRIX_HEADER}\n7,0,0,1,1,0,1,\n7,1,0,1,0,1,-1,\n",
        "participants-votes.csv",
        3,
    ),
    ("matrix vote", None, None, f"{MATRIX_HEADER}\n7,0,0,1,1,0,3,\n", "participants-votes.csv", 2),
    (
        "matrix counts",
        None,
        None,
        f"{MATRIX_HEADER}\n7,0,0,2,1,0,1,\n",
        "participants-votes.csv",
        2,
    ),
    (
        "matrix group",
        None,
        None,
        f"{MATRIX_HEADER}\n7,-1,0,1,1,0,1,\n",
        "participants-votes.csv",
        2,
    ),
    (
        "files disagree",
        None,
        GOOD_VOTES,
        f"{MATRIX_HEADER}\n7,0,0,2,2,0,1,1\n8,1,0,1,0,0,0,\n",
        "votes.csv",
        3,
    ),
    (
        "vote missing from matrix",
        None,
        GOOD_VOTES,
        f"{MATRIX_HEADER}\n7,0,0,2,1,1,1,-1\n",
        "votes.csv",
        4,
    ),
    (
        "vote missing from votes",
        None,
        GOOD_VOTES,
        f"{MATRIX_HEADER}\n7,0,0,2,1,1,1,-1\n8,1,0,2,0,0,0,0\n",
        "participants-votes.csv",
        3,
    ),
    (
        "files disagree on a pass",
        None,
        GOOD_VOTES,
        f"{MATRIX_HEADER}\n7,0,0,2,0,1,0,-1\n8,1,0,1,0,0,0,\n",
        "votes.csv",
        2,
    ),
    (
        "signs mixed",
        None,
        f"{VOTES_HEADER}\n10,x,0,7,1\n11,x,1,7,1\n",
        f"{MATRIX_HEADER}\n7,0,0,2,1,1,1,-1\n",
        "votes.csv",
        3,
    ),
]


@pytest.mark.parametrize(
    ("what", "comments", "votes", "matrix", "file", "line"), BAD, ids=[b[0] for b in BAD]
)
def test_malformed_exports_name_file_and_line(tmp_path, what, comments, votes, matrix, file, line):
    folder = _export(tmp_path, comments, votes, matrix)
    with pytest.raises(PolisFormatError) as caught:
        read_export(folder)
    assert (caught.value.file, caught.value.line) == (file, line), str(caught.value)
    assert str(caught.value).startswith(f"{file}, line {line}: ")


def test_missing_files(tmp_path):
    with pytest.raises(PolisFormatError, match="not a folder"):
        read_export(tmp_path / "nowhere")
    with pytest.raises(PolisFormatError, match=r"^comments\.csv: missing"):
        read_export(tmp_path)
    _export(tmp_path)
    with pytest.raises(PolisFormatError, match=r"^votes\.csv: missing"):
        read_export(tmp_path)


def test_inverted_votes_are_turned_back(tmp_path):
    inverted = f"{VOTES_HEADER}\n10,x,0,7,-1\n11,x,1,7,1\n12,x,0,8,0\n"
    matrix = f"{MATRIX_HEADER}\n7,0,0,2,1,1,1,-1\n8,1,0,1,0,0,0,\n"
    export = read_export(_export(tmp_path, votes=inverted, matrix=matrix))
    assert export.sign_flipped
    assert [v.vote for v in export.votes] == [1, -1, 0]
    assert export.groups == {7: 0, 8: 1}


def test_latest_vote_wins_and_blank_lines_are_no_rows(tmp_path):
    votes = f"\ufeff{VOTES_HEADER}\n\n12,x,0,7,1\n10,x,0,7,-1\n12,x,0,8,0\n11,x,0,8,1\n"
    export = read_export(_export(tmp_path, votes=votes))
    assert sorted(v[:3] for v in export.latest_votes()) == [(7, 0, 1), (8, 0, 0)]
    assert export.comments[0] == PolisComment(0, "First", 5, 1, 1)
    assert export.moderated_out == (1,)


# --- properties -------------------------------------------------------------------------------

_cells = st.sampled_from(["0", "1", "-1", "2", "7", "", "x", "1.0", "-", '"', "\u0661", "99"])
_row = st.lists(_cells, min_size=0, max_size=9).map(",".join)
_headers = st.sampled_from(
    [COMMENTS_HEADER, VOTES_HEADER, MATRIX_HEADER, "participant,group-id,0,1,2", "a,b", ""]
)
_csvish = st.builds(lambda h, rows: "\n".join([h, *rows]), _headers, st.lists(_row, max_size=6))
_content = st.one_of(st.none(), st.binary(max_size=200), _csvish, _csvish.map(str.encode))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(comments=_content, votes=_content, matrix=_content)
def test_any_input_raises_only_polis_format_error(comments, votes, matrix):
    with tempfile.TemporaryDirectory() as folder:
        for name, content in (
            ("comments.csv", comments),
            ("votes.csv", votes),
            ("participants-votes.csv", matrix),
        ):
            if content is not None:
                data = content if isinstance(content, bytes) else content.encode()
                (Path(folder) / name).write_bytes(data)
        try:
            export = read_export(folder)
        except PolisFormatError as exc:
            assert exc.file and str(exc)
        else:
            assert isinstance(export, PolisExport)


_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30
)


@st.composite
def _exports(draw):
    ids = draw(st.lists(st.integers(0, 10_000), min_size=1, max_size=8, unique=True))
    comments = [
        PolisComment(
            cid,
            draw(_text),
            draw(st.integers(-5, 10**6)),
            draw(st.sampled_from([-1, 0, 1])),
            draw(st.integers(0, 2 * 10**12)),
        )
        for cid in ids
    ]
    votes = draw(
        st.lists(
            st.builds(
                PolisVote,
                st.integers(0, 500),
                st.sampled_from(ids),
                st.sampled_from([-1, 0, 1]),
                st.integers(0, 2 * 10**12),
            ),
            max_size=30,
            unique_by=lambda v: (v.participant_id, v.comment_id, v.timestamp),
        )
    )
    groups = {v.participant_id: draw(st.integers(0, 4)) for v in votes if draw(st.booleans())}
    return comments, votes, groups


def _csv(header, rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)  # "\r\n": quotes any field holding \r or \n
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


@settings(max_examples=100, deadline=None)
@given(_exports(), st.booleans())
def test_generated_exports_round_trip(generated, with_matrix):
    comments, votes, groups = generated
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "comments.csv").write_text(
            _csv(
                COMMENTS_HEADER.split(","),
                [(c.created, "", c.id, c.author_id, 0, 0, c.moderated, c.text) for c in comments],
            ),
            encoding="utf-8",
        )
        (folder / "votes.csv").write_text(
            _csv(
                VOTES_HEADER.split(","),
                [(v.timestamp, "", v.comment_id, v.participant_id, v.vote) for v in votes],
            )
        )
        expected_latest = PolisExport((), tuple(votes)).latest_votes()
        if with_matrix:
            cids = [c.id for c in comments]
            cells = {(v.participant_id, v.comment_id): v.vote for v in expected_latest}
            people = sorted({v.participant_id for v in votes} | set(groups))
            rows = []
            for p in people:
                row = [cells.get((p, c), "") for c in cids]
                rows.append(
                    [
                        p,
                        groups.get(p, ""),
                        0,
                        sum(r != "" for r in row),
                        sum(r == 1 for r in row),
                        sum(r == -1 for r in row),
                        *row,
                    ]
                )
            header = [
                "participant",
                "group-id",
                "n-comments",
                "n-votes",
                "n-agree",
                "n-disagree",
                *cids,
            ]
            (folder / "participants-votes.csv").write_text(_csv(header, rows))
        export = read_export(folder)
    assert export.comments == tuple(comments)
    assert export.votes == tuple(votes)
    assert export.latest_votes() == expected_latest
    assert export.groups == (groups if with_matrix else {})
    assert not export.sign_flipped
