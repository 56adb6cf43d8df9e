"""The offline plan pack (issue 11 item 7): a published or approved plan version as a signed
zip its holders keep on a laptop or a USB key, readable with no server and no network.

The zip holds static HTML pages (index.html and one page per part of the plan, linked by
relative links, CSS inline, no URL to the outside), the plan's PDF and DOCX (document.py),
contacts.csv and contacts.vcf, a wallet card per team, verify.html (checks the files in the
browser with WebCrypto), manifest.json (every file with its SHA-256 and size) and
manifest.sig (the Ed25519 signature of manifest.json's bytes by the installation's key,
signing.py). `verify_pack` checks a pack on the server or on the command line.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from resilia.core import reports as r
from resilia.org.models import Team
from resilia.plans import content as c
from resilia.plans import selectors, signing
from resilia.plans.document import plan_document
from resilia.plans.models import PlanVersion, Status

FORMAT = "resilia-plan-pack/1"
MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
# Versions whose pack may be made: approved (signed off, about to be published) and in force.
PACKABLE = (Status.APPROVED, Status.PUBLISHED)
FIRST_STEPS = 5  # steps on a wallet card


def _pages():
    """The plan's pages in reading order: file name and title."""
    return [
        ("index.html", _("Contents")),
        ("scope.html", _("Purpose and scope")),
        ("activation.html", _("Activation")),
        ("roles.html", _("Roles and teams")),
        ("call-tree.html", _("Call tree")),
        ("procedures.html", _("Procedures")),
        ("communications.html", _("Communication templates")),
    ]


@dataclass
class Built:
    """A pack as built: the zip's bytes and the SHA-256 of its manifest (kept per issue)."""

    content: bytes
    manifest_sha256: str
    filename: str


def _steps_first(version) -> list[dict]:
    """The steps a team starts with: the first of the timed phases (from the disruption to
    the activity running again), in starting order."""
    timed = [s for code, _label, steps in selectors.steps_by_phase(version)
             if code in c.TIMED_PHASES for s in steps]  # fmt: skip
    return sorted(timed, key=lambda s: (s.get("start") or 0, s["key"]))[:FIRST_STEPS]


def _teams(version, user) -> list[dict]:
    """Per team named in the plan's roles: its code, name and the contacts of its roles."""
    roles = c.normalised(version.content)["roles"]
    tree = selectors.call_tree(user=user, plan_version=version)
    teams = Team.objects.in_bulk({x["team"] for x in roles if x.get("team")})
    out: dict[int, dict] = {}
    for role, entry in zip(roles, tree, strict=True):
        team = teams.get(role.get("team"))
        if team is None:
            continue
        card = out.setdefault(
            team.pk, {"code": team.code, "name": team.display_name, "roles": [], "seen": set()}
        )
        contacts = [x for x in entry["contacts"] if x.person_id not in card["seen"]]
        card["seen"].update(x.person_id for x in contacts)
        card["roles"].append({"role": entry["role"], "contacts": contacts})
    for card in out.values():
        card["file"] = f"wallet-{card['code']}.html"
        del card["seen"]
    return sorted(out.values(), key=lambda t: t["code"])


def _vcard_text(value: str) -> str:
    # RFC 2426 §4: backslash, comma, semicolon and newline are escaped in text values.
    return (
        value.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def contacts_vcf(contacts, organisation: str) -> bytes:
    """One vCard 3.0 per person: name, position, phones, e-mail, their role as a note."""
    lines = []
    for x in contacts:
        name = _vcard_text(x.name)
        lines += ["BEGIN:VCARD", "VERSION:3.0", f"FN:{name}", f"N:{name};;;;"]
        if organisation:
            lines.append(f"ORG:{_vcard_text(organisation)}")
        if x.title:
            lines.append(f"TITLE:{_vcard_text(x.title)}")
        if x.mobile:
            lines.append(f"TEL;TYPE=CELL:{_vcard_text(x.mobile)}")
        if x.office_phone:
            lines.append(f"TEL;TYPE=WORK,VOICE:{_vcard_text(x.office_phone)}")
        if x.email:
            lines.append(f"EMAIL;TYPE=INTERNET:{_vcard_text(x.email)}")
        note = " · ".join(p for p in (x.role, x.team, x.position_label) if p)
        lines += [f"NOTE:{_vcard_text(note)}", "END:VCARD"]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8") if lines else b""


def contacts_csv(contacts) -> bytes:
    """The contacts as CSV in UTF-8 with a byte-order mark, so that Excel shows Chinese."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [_("Name"), _("Role"), _("Team"), _("Position"), _("Title"), _("Mobile"),
         _("Office phone"), _("E-mail")]
    )  # fmt: skip
    for x in contacts:
        writer.writerow(
            [x.name, x.role, x.team, x.position_label, x.title, x.mobile, x.office_phone, x.email]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _context(version, user) -> dict:
    body = c.normalised(version.content)
    body["levels"] = c.level_rows(body["levels"])
    labels = dict(c.AUDIENCES)
    for m in body["communications"]:
        m["audience_label"] = labels.get(m.get("audience"), m.get("audience"))
    return {
        "plan": version.plan,
        "v": version,
        "body": body,
        "paths": selectors.activity_paths(version),
        "phases": selectors.steps_by_phase(version),
        "call_tree": selectors.call_tree(user=user, plan_version=version),
        "signatures": list(version.signatures.order_by("signed_at")),
        "resources": list(version.resources.order_by("code")),
        "sites": list(version.sites.order_by("code")),
    }


def _html_files(version, user, generated, files: dict[str, bytes], public_b64: str) -> None:
    ctx = _context(version, user)
    teams = _teams(version, user)
    first_steps = _steps_first(version)
    base = {
        **ctx,
        "pages": _pages(),
        "teams": teams,
        "generated_at": generated,
        "language": translation.get_language(),
        "fingerprint": signing.fingerprint(public_b64),
        "plan_files": list(files),
    }
    for name, title in _pages():
        template = "plans/pack/" + name.replace("-", "_")
        files[name] = render_to_string(template, {**base, "page": name, "title": title}).encode()
    for team in teams:
        files[team["file"]] = render_to_string(
            "plans/pack/wallet.html",
            {**base, "page": team["file"], "team": team, "first_steps": first_steps,
             "title": _("Wallet card")},
        ).encode()  # fmt: skip
    files["verify.html"] = render_to_string(
        "plans/pack/verify.html",
        {
            **base,
            "page": "verify.html",
            "title": _("Verify this pack"),
            "public_key": public_b64,
            "texts": _bilingual_texts(),
        },
    ).encode()


def build_pack(version: PlanVersion, *, user=None, language: str | None = None) -> Built:
    """The pack of an approved or published version, in `language` (else the active one), with
    what `user` may read (None: the command line's full rights). Raises ValueError for a
    version that is neither approved nor published."""
    if version.status not in PACKABLE:
        raise ValueError(_("Only an approved or published version has an offline pack."))
    with translation.override(language or translation.get_language()):
        return _build(version, user)


def _build(version, user) -> Built:
    generated = timezone.now().replace(microsecond=0)
    public_b64 = signing.public_key_b64()
    files: dict[str, bytes] = {}
    doc = plan_document(user=user, plan_version=version)
    stem = f"{version.plan.code}-v{version.number}"
    files[f"{stem}.pdf"] = r.render(doc, "pdf")
    files[f"{stem}.docx"] = r.render(doc, "docx", template=r.TEMPLATE)
    named = [x for x in selectors.plan_contacts(user=user, plan_version=version) if x.name]
    files["contacts.csv"] = contacts_csv(named)
    files["contacts.vcf"] = contacts_vcf(named, doc.organisation)
    _html_files(version, user, generated, files, public_b64)
    manifest = {
        "format": FORMAT,
        "plan": {
            "code": version.plan.code,
            "name": version.plan.display_name,
            "kind": version.plan.kind,
        },
        "version": version.number,
        "status": version.status,
        "content_sha256": version.content_sha256,
        "published_at": version.published_at.isoformat() if version.published_at else None,
        "generated_at": generated.isoformat(),
        "language": translation.get_language(),
        "public_key": public_b64,
        "files": [
            {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in sorted(files.items())
        ],
    }
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
    files[MANIFEST] = manifest_bytes
    files[SIGNATURE] = signing.sign(manifest_bytes)
    out = io.BytesIO()
    stamp = timezone.localtime(generated).timetuple()[:6]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in [MANIFEST, SIGNATURE, *sorted(set(files) - {MANIFEST, SIGNATURE})]:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    when = timezone.localtime(generated).strftime("%Y%m%d-%H%M")
    return Built(
        content=out.getvalue(),
        manifest_sha256=hashlib.sha256(manifest_bytes).hexdigest(),
        filename=f"{stem}-offline-pack-{when}.zip",
    )


def texts_of_verdict() -> dict[str, str]:
    """The verdict's sentences in the active language (verify_pack, the CLI, verify.html)."""
    return {
        "intact": _("Intact: the %(count)s files match the manifest and its signature holds."),
        "broken": _("Not intact: do not rely on this pack."),
        "not_a_zip": _("This is not a zip file."),
        "unreadable": _("The file cannot be read: %(name)s"),
        "no_manifest": _("The pack has no manifest.json."),
        "bad_manifest": _("manifest.json cannot be read."),
        "no_signature": _("The pack has no manifest.sig."),
        "bad_signature": _("The signature of manifest.json does not hold."),
        "other_key": _("The manifest is signed by another key than this installation's."),
        "missing": _("Missing file: %(name)s"),
        "extra": _("File not in the manifest: %(name)s"),
        "changed": _("Changed file (SHA-256 differs): %(name)s"),
    }


def _bilingual_texts() -> dict[str, dict[str, str]]:
    out = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            out[language] = texts_of_verdict()
    return out


@dataclass
class Problem:
    """One thing wrong with a pack: `kind` (not_a_zip, unreadable, no_manifest, bad_manifest,
    no_signature, bad_signature, other_key, missing, extra, changed) and the file concerned."""

    kind: str
    name: str = ""

    @property
    def message(self) -> str:
        texts = texts_of_verdict()
        return texts[self.kind] % {"name": self.name} if self.name else texts[self.kind]


@dataclass
class Check:
    """What verify_pack found: the problems (none: the pack is intact) and the manifest."""

    problems: list[Problem] = field(default_factory=list)
    manifest: dict = field(default_factory=dict)
    checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _read(archive: zipfile.ZipFile, name: str) -> bytes | None:
    """A member's bytes, or None when they are damaged (a changed byte of the compressed data
    fails the zip's own CRC check before ours)."""
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, zlib.error, EOFError):
        return None


def verify_pack(source: str | Path | bytes, *, public_key: str | None = None) -> Check:
    """Check a pack (a path or the zip's bytes): the signature of its manifest, by whom, and
    every file against its SHA-256. `public_key` is the expected key (base64), by default this
    installation's own when it has one."""
    check = Check()
    try:
        archive = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except zipfile.BadZipFile:
        check.problems.append(Problem("not_a_zip"))
        return check
    except OSError:
        check.problems.append(Problem("unreadable", str(source)))
        return check
    with archive:
        entries = {i.filename: i for i in archive.infolist() if not i.is_dir()}
        if MANIFEST not in entries:
            check.problems.append(Problem("no_manifest"))
            return check
        manifest_bytes = _read(archive, MANIFEST) or b""
        try:
            manifest = json.loads(manifest_bytes)
            listed = {f["name"]: f for f in manifest["files"]}
            key = manifest["public_key"]
        except (ValueError, KeyError, TypeError):
            check.problems.append(Problem("bad_manifest"))
            return check
        check.manifest = manifest
        if SIGNATURE not in entries:
            check.problems.append(Problem("no_signature"))
        elif not signing.signature_holds(key, _read(archive, SIGNATURE) or b"", manifest_bytes):
            check.problems.append(Problem("bad_signature"))
        expected = public_key or signing.public_key_b64(create=False)
        if expected is not None and key != expected:
            check.problems.append(Problem("other_key"))
        for name, item in sorted(listed.items()):
            if name not in entries:
                check.problems.append(Problem("missing", name))
                continue
            check.checked += 1
            data = _read(archive, name)
            if data is None or hashlib.sha256(data).hexdigest() != item.get("sha256"):
                check.problems.append(Problem("changed", name))
        for name in sorted(set(entries) - set(listed) - {MANIFEST, SIGNATURE}):
            check.problems.append(Problem("extra", name))
    return check
