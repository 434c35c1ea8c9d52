"""Finds user-visible text that does not go through translation, and translated text that has no
Italian translation (issue 12, item 9). Used by tests/test_i18n_coverage.py.

Templates are read with Django's own lexer and parser: text outside `{% translate %}`,
`{% blocktranslate %}`, variables and tags is parsed as HTML, and each text node and each
attribute a person reads or hears (title, aria-label, placeholder, alt, the value of a button) must
hold no word. Python modules are read with `ast`: the messages, validation errors, form labels and
help texts, verbose names, choice labels and HTTP bodies they pass must be wrapped in gettext.
Every msgid found (in a template tag or a gettext call under whatever name it was imported) must
have an Italian translation, and gettext must be imported under a name `makemessages` extracts.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from django.template import engines
from django.template.base import Lexer, Node, TokenType
from django.templatetags.i18n import BlockTranslateNode, TranslateNode

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "insieme"
PO = PACKAGE / "locale" / "it" / "LC_MESSAGES" / "django.po"


def italian_catalogues(base: Path = PACKAGE) -> list[Path]:
    """Every Italian catalogue of the project: the central one and each app's own
    (insieme/<app>/locale/it/LC_MESSAGES/django.po), which Django merges at run time."""
    return sorted(base.glob("**/locale/it/LC_MESSAGES/django.po"))


# Text that is the same in every language: the product's and other products' names, standards
# and formats, units and language names written in their own language (endonyms).
NOT_TRANSLATED = {
    "Insieme",
    "Open311",
    "GeoReport",
    "OpenAPI",
    "REST",
    "API",
    "JSON",
    "XML",
    "CSV",
    "DCAT-AP",
    "Turtle",  # RDF serialisations' names
    "JSON-LD",
    "GeoJSON",
    "Parquet",
    "CKAN",
    "Pol.is",
    "Leaflet",
    "OpenStreetMap",
    "Swagger",
    "TOTP",
    "EUR",
    "IPA",
    "SLA",
    "ANNCSU",
    "HTTP",
    "English",
    "Italiano",
}
# Attributes a person reads or a screen reader speaks.
SPOKEN_ATTRIBUTES = {"title", "aria-label", "aria-description", "placeholder", "alt", "label"}
# Text of these elements is code or data, not prose.
CODE_ELEMENTS = {"script", "style", "code", "kbd", "samp", "pre"}
TRANSLATED = "\ue000"  # stands for translated output while a template is parsed as HTML
DYNAMIC = "\ue001"  # stands for a variable or a tag's output
WORD = re.compile(r"[^\W\d_]{2,}(?:[-'.][^\W\d_]+)*")
# Names `makemessages` passes to xgettext as keywords, plus xgettext's own Python keywords.
EXTRACTED = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    text: str
    why: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.why}: {self.text!r}"


def words(text: str) -> list[str]:
    """The words of `text` that would need translating."""
    found = []
    for word in WORD.findall(text.replace(TRANSLATED, " ").replace(DYNAMIC, " ")):
        if word not in NOT_TRANSLATED:
            found.append(word)
    return found


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


# --- templates -----------------------------------------------------------------------------------


OUTPUT_TAGS = {"url", "static", "now", "firstof", "cycle", "include", "widthratio", "csrf_token"}


def template_skeleton(source: str) -> str:
    """The template with translated output and variables replaced by markers, other tags and
    comments removed, on the same lines as in the template."""
    out: list[str] = []
    depth = {"blocktranslate": 0, "comment": 0}
    for token in Lexer(source).tokenize():
        contents = token.contents.strip()
        name = contents.split(" ", 1)[0] if token.token_type == TokenType.BLOCK else ""
        keep_lines = "\n" * token.contents.count("\n")
        if name in ("blocktranslate", "blocktrans"):
            depth["blocktranslate"] += 1
            out.append(TRANSLATED + keep_lines)
        elif name in ("endblocktranslate", "endblocktrans"):
            depth["blocktranslate"] -= 1
        elif name in ("comment", "endcomment"):
            depth["comment"] += 1 if name == "comment" else -1
        elif depth["blocktranslate"] or depth["comment"] or token.token_type == TokenType.COMMENT:
            out.append(keep_lines)
        elif token.token_type == TokenType.TEXT:
            out.append(token.contents)
        elif token.token_type == TokenType.VAR:
            out.append(DYNAMIC + keep_lines)
        elif name in ("translate", "trans") and " as " not in contents:
            out.append(TRANSLATED + keep_lines)
        elif name in OUTPUT_TAGS:
            out.append(DYNAMIC + keep_lines)
        else:
            out.append(keep_lines)
    return "".join(out)


class _TextScanner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.code_depth = 0
        self.found: list[tuple[int, str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag in CODE_ELEMENTS:
            self.code_depth += 1
        attributes = dict(attrs)
        for name, value in attrs:
            # An input button shows its value; a <button> shows its content, not its value.
            spoken = name in SPOKEN_ATTRIBUTES or (
                name == "value"
                and tag == "input"
                and attributes.get("type") in ("submit", "button", "reset")
            )
            if spoken and value and words(value):
                self.found.append((self.getpos()[0], f"{tag}[{name}]", value))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in CODE_ELEMENTS:
            self.code_depth -= 1

    def handle_endtag(self, tag):
        if tag in CODE_ELEMENTS and self.code_depth:
            self.code_depth -= 1

    def handle_data(self, data):
        if not self.code_depth and words(data):
            line = self.getpos()[0] + len(data) - len(data.lstrip("\n"))
            self.found.append((line, "text", " ".join(data.split())))


def scan_template_source(source: str, path: str, html: bool = True) -> list[Finding]:
    text = template_skeleton(source)
    if not html:
        return [
            Finding(path, number, " ".join(row.split()), "text")
            for number, row in enumerate(text.split("\n"), start=1)
            if words(row)
        ]
    scanner = _TextScanner()
    scanner.feed(text)
    scanner.close()
    return [Finding(path, line, value, where) for line, where, value in scanner.found]


def template_files(base: Path = PACKAGE) -> list[Path]:
    return sorted(
        p
        for p in base.rglob("*")
        if p.suffix in (".html", ".txt") and "templates" in p.parts and p.is_file()
    )


def scan_templates(files: Iterable[Path]) -> list[Finding]:
    found: list[Finding] = []
    for path in files:
        found += scan_template_source(path.read_text(), _relative(path), path.suffix == ".html")
    return found


def _walk(nodelist) -> Iterator[Node]:
    for node in nodelist:
        yield node
        for attr in getattr(node, "child_nodelists", ()):
            yield from _walk(getattr(node, attr, None) or [])


def template_msgids(path: Path) -> list[tuple[str, str, int]]:
    """(context, msgid, line) of each translation tag in the template, as makemessages reads them."""
    template = engines["django"].from_string(path.read_text()).template
    found = []
    for node in _walk(template.nodelist):
        line = node.token.lineno if getattr(node, "token", None) else 0
        if isinstance(node, TranslateNode):
            var = node.filter_expression.var
            literal = getattr(var, "literal", None)
            if isinstance(literal, str):
                # Django looks a literal up with its % doubled (Variable.resolve), as
                # makemessages writes it.
                found.append((_context(node.message_context), literal.replace("%", "%%"), line))
        elif isinstance(node, BlockTranslateNode):
            singular, _vars = node.render_token_list(node.singular)
            if node.trimmed:
                from django.utils.translation import trim_whitespace

                singular = trim_whitespace(singular)
            found.append((_context(node.message_context), singular, line))
    return found


def _context(expression) -> str:
    if expression is None:
        return ""
    literal = getattr(getattr(expression, "var", None), "literal", None)
    return literal if isinstance(literal, str) else ""


# --- Python ------------------------------------------------------------------------------------

# Calls whose string arguments a person reads: Django's messages, validation errors and the API's
# exceptions (their message is the error's `message`), HTTP bodies.
MESSAGE_CALLS = {"success", "info", "warning", "error", "debug", "add_message"}
SHOWN_CALLS = {
    "ValidationError",
    "PermissionDenied",
    "NotFound",
    "ParseError",
    "AuthenticationFailed",
    "NotAuthenticated",
    "Throttled",
    "Conflict",
    "RequestTooLarge",
    "HttpResponse",
    "HttpResponseBadRequest",
    "HttpResponseForbidden",
    "HttpResponseNotFound",
    "HttpResponseNotAllowed",
}
# Keyword arguments a person reads.
SHOWN_KEYWORDS = {
    "label",
    "help_text",
    "verbose_name",
    "verbose_name_plural",
    "empty_label",
    "error_messages",
    "choices",
    "title",
    "method",
    "message",
    "detail",
    "subject",
    "display",
    "note",
    "columns",
}
# Keywords that also name code elsewhere (a filter's `method`): only sentences are prose there.
PROSE_KEYWORDS = {"method", "note", "display", "detail", "message"}
CHOICES_BASES = {"TextChoices", "IntegerChoices", "Choices"}


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


# The REST API's reference (OpenAPI) is written in English, as its field names and its operations'
# descriptions (docstrings) are: the `help_text` of these modules documents the schema only.
SCHEMA_MODULES = {"insieme/api/filters.py", "insieme/api/schema.py", "insieme/api/serializers.py"}


class _PythonScanner(ast.NodeVisitor):
    def __init__(self, path: str):
        self.path = path
        self.translators: dict[str, str] = {}  # local name -> django.utils.translation function
        self.found: list[Finding] = []
        self.msgids: list[tuple[str, str, int, str]] = []  # (context, msgid, line, local name)

    # gettext under any name it was imported as
    def visit_ImportFrom(self, node: ast.ImportFrom):
        if node.module == "django.utils.translation":
            for alias in node.names:
                if "gettext" in alias.name:
                    self.translators[alias.asname or alias.name] = alias.name
        self.generic_visit(node)

    def _is_translation(self, node: ast.AST) -> bool:
        return isinstance(node, ast.Call) and _name(node.func) in self.translators

    def visit_Call(self, node: ast.Call):
        func = _name(node.func)
        if func in self.translators:
            self._msgid(node, func)
        elif func in SHOWN_CALLS or (
            func in MESSAGE_CALLS
            and isinstance(node.func, ast.Attribute)
            and _name(node.func.value) == "messages"
        ):
            for arg in node.args:
                self._check(arg, f"{func}()")
            for kw in node.keywords:
                if kw.arg in ("message", "detail", "content", None):
                    self._check(kw.value, f"{func}({kw.arg or '**'})")
        elif func.endswith("Field") and node.args and func[:1].isupper():
            # A model or form field's first positional argument is its verbose name or label.
            self._check(node.args[0], f"{func}() name")
        for kw in node.keywords:
            if func in self.translators or kw.arg not in SHOWN_KEYWORDS:
                continue
            if kw.arg == "help_text" and self.path in SCHEMA_MODULES:
                continue
            if kw.arg == "choices":
                self._check_choices(kw.value)
            elif kw.arg in PROSE_KEYWORDS:
                self._check(kw.value, f"{kw.arg}=", prose=True)
            else:
                self._check(kw.value, f"{kw.arg}=")
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef):
        if any(_name(base) in CHOICES_BASES for base in node.bases):
            for stmt in node.body:
                if (
                    isinstance(stmt, ast.Assign)
                    and isinstance(stmt.value, ast.Tuple)
                    and len(stmt.value.elts) >= 2
                ):
                    self._check(stmt.value.elts[-1], "choice label")
        for stmt in node.body:
            if isinstance(stmt, ast.Assign) and any(
                _name(t) in ("verbose_name", "verbose_name_plural") for t in stmt.targets
            ):
                self._check(stmt.value, "verbose_name")
        self.generic_visit(node)

    def _msgid(self, node: ast.Call, local: str):
        function = self.translators[local]
        args = node.args
        context = ""
        if function.startswith(("pgettext", "npgettext")) and len(args) >= 2:
            context = args[0].value if isinstance(args[0], ast.Constant) else ""
            args = args[1:]
        if args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
            self.msgids.append((context, args[0].value, node.lineno, local))

    def _check_choices(self, node: ast.AST):
        """(value, label) pairs: the labels are shown; bare values (an API's enum) are not."""
        if not isinstance(node, ast.List | ast.Tuple):
            return
        for elt in node.elts:
            if isinstance(elt, ast.Tuple) and len(elt.elts) == 2:
                label = elt.elts[1]
                if isinstance(label, ast.List | ast.Tuple):
                    self._check_choices(label)  # a named group of choices
                else:
                    self._check(label, "choice label")

    def _check(self, node: ast.AST, where: str, prose: bool = False):
        """Flag literal text in `node` (a string, or strings inside containers and f-strings);
        with `prose`, only text of several words (the keyword also names code elsewhere)."""
        if self._is_translation(node):
            return
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if prose and " " not in node.value.strip():
                return
            if words(node.value) and not _looks_like_code(node.value):
                self.found.append(Finding(self.path, node.lineno, node.value, where))
        elif isinstance(node, ast.JoinedStr):
            literal = "".join(
                v.value for v in node.values if isinstance(v, ast.Constant) and v.value
            )
            if words(literal):
                self.found.append(Finding(self.path, node.lineno, literal, f"{where} f-string"))
        elif isinstance(node, ast.Dict):
            for value in node.values:
                self._check(value, where, prose)
        elif isinstance(node, ast.List | ast.Tuple | ast.Set):
            for elt in node.elts:
                self._check(elt, where, prose)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            self._check(node.left, where, prose)  # "text %s" % value
        elif isinstance(node, ast.IfExp):
            self._check(node.body, where, prose)
            self._check(node.orelse, where, prose)


def _looks_like_code(text: str) -> bool:
    """A single token that is an identifier, a path, a URL, a MIME type, a format or an
    abbreviation in capitals (a method, a header) is not prose."""
    return " " not in text and bool(text.isupper() or re.search(r"[_/{}<>=@\\]|%\(|[.:]\w", text))


def python_files(base: Path = PACKAGE) -> list[Path]:
    return sorted(
        p
        for p in base.rglob("*.py")
        if "migrations" not in p.parts and p.name not in DATA_MODULES and p.is_file()
    )


# Modules of demo content: plain data in the demo's languages, not interface text. The demo's
# catalogue content is stored per language (insieme.catalog.demo_data holds both languages).
DATA_MODULES = {"demo_data.py", "demo_english.py", "demo_text.py", "bench.py", "bench_queue.py"}


def scan_python_source(source: str, path: str) -> _PythonScanner:
    scanner = _PythonScanner(path)
    scanner.visit(ast.parse(source))
    return scanner


def scan_python(files: Iterable[Path]) -> tuple[list[Finding], list[tuple[str, str, int, str]]]:
    found: list[Finding] = []
    msgids: list[tuple[str, str, int, str]] = []
    for path in files:
        scanner = scan_python_source(path.read_text(), _relative(path))
        found += scanner.found
        msgids += [(c, m, line, f"{_relative(path)}:{name}") for c, m, line, name in scanner.msgids]
    return found, msgids


# --- the catalogue -----------------------------------------------------------------------------


def _unescape(text: str) -> str:
    return re.sub(
        r"\\(.)", lambda m: {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}[m.group(1)], text
    )


def _joined(block: str, key: str) -> str | None:
    match = re.search(rf'^{re.escape(key)} "(.*)"\n((?:".*"\n?)*)', block + "\n", re.M)
    if not match:
        return None
    return _unescape(match.group(1) + "".join(re.findall(r'^"(.*)"$', match.group(2), re.M)))


def catalogue(path: Path | None = None) -> dict[tuple[str, str], bool]:
    """{(context, msgid): translated} of the live (not obsolete) entries of `path`, or of every
    Italian catalogue merged (an entry is translated when any catalogue translates it)."""
    if path is None:
        merged: dict[tuple[str, str], bool] = {}
        for one in italian_catalogues():
            for key, translated in catalogue(one).items():
                merged[key] = merged.get(key, False) or translated
        return merged
    entries: dict[tuple[str, str], bool] = {}
    for block in path.read_text().strip().split("\n\n")[1:]:
        if block.lstrip().startswith("#~"):
            continue
        msgid = _joined(block, "msgid")
        if msgid is None:
            continue
        fuzzy = any(ln.startswith("#,") and "fuzzy" in ln for ln in block.splitlines())
        msgstrs = [_joined(block, k) for k in ("msgstr", "msgstr[0]", "msgstr[1]")]
        msgstrs = [m for m in msgstrs if m is not None]
        entries[(_joined(block, "msgctxt") or "", msgid)] = (
            bool(msgstrs) and all(msgstrs) and not fuzzy
        )
    return entries
