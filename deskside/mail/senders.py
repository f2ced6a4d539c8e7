"""Sender verification: is an inbound message really from the domain of its From: address?

`check(raw, source=...)` gives a `Verdict`: `pass`, `fail` or `none`, with the reason in words.
It never raises (a bug or an unreadable header is a `none` with the reason, and is logged).

The evidence, in this order:

1. `Authentication-Results` headers (RFC 8601) written by a receiving MTA we trust: those whose
   authserv-id is listed in `DESKSIDE_MAIL_TRUSTED_AUTHSERV_IDS`. Any other such header is
   ignored, whatever it says: a sender can write one. Our own `deskside smtpd` writes one under
   `DESKSIDE_MAIL_AUTHSERV_ID` (the SPF result for the connecting address and HELO, which only
   it knew) as the first line of the message it stores; that one is believed only as the
   first line of a message that came in by SMTP/LMTP (anywhere else, or by IMAP or the API,
   it was written by someone else). A trusted `dmarc=pass` or `dmarc=fail` for the From
   domain is the verdict; trusted `dkim=` and `spf=` results are evidence for step 3.
2. Our own DKIM check of every DKIM-Signature (dkimpy; the keys looked up in DNS).
3. DMARC alignment (RFC 7489): a DKIM pass whose `d=`, or an SPF pass whose MAIL FROM (or
   HELO) domain, is aligned with the From domain (relaxed: the same organisational domain by
   the Public Suffix List; strict when the domain's DMARC record says `adkim=s`/`aspf=s`)
   passes. Otherwise a DMARC record (`_dmarc.<domain>`, or the organisational domain's) makes
   it a `fail` (its policy is named in the reason), and so does a failed DKIM signature or an
   SPF fail; with no record and no failure it is `none` (nothing says it is forged, nothing
   says it is genuine).

The pipeline treats `fail` and `none` alike: the message is not verified (the mailbox's
policy for unverified mail applies, and it never acts as an agent). A message without one
single From: address is `none`.

DNS goes through one resolver (`resolver()`, dnspython, 5 seconds a lookup, cached), which
tests replace with `use_resolver()`: no test asks the real network. pyspf's lookups are routed
through it too (`spf.DNSLookup` is pointed here on import).
"""

import contextlib
import email
import email.policy
import ipaddress
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import getaddresses
from functools import cache
from typing import Any, Protocol

import authres
import dkim
import dns.exception
import dns.resolver
import spf
from django.conf import settings
from publicsuffixlist import PublicSuffixList

log = logging.getLogger(__name__)

PASS, FAIL, NONE = "pass", "fail", "none"
SMTP_SOURCES = ("smtp", "lmtp")
MAX_SIGNATURES = 5  # a message with more DKIM signatures than this has the rest ignored


@dataclass(frozen=True)
class Verdict:
    result: str  # PASS, FAIL or NONE
    reason: str
    domain: str = ""  # the From domain it is about

    @property
    def verified(self) -> bool:
        return self.result == PASS


# -- DNS -------------------------------------------------------------------------------------


class DNSTemporaryError(Exception):
    """A lookup timed out or no server answered: the answer is unknown, not empty."""


class Resolver(Protocol):
    def query(self, name: str, rdtype: str) -> list[Any]:
        """The records of `name`: TXT as lists of bytes strings, A/AAAA as address strings,
        MX as (preference, host), PTR as host names. [] when there are none (NXDOMAIN, no
        answer); raises DNSTemporaryError when the answer is unknown."""
        ...


class DNSResolver:
    """The production resolver: dnspython with the system's name servers."""

    def __init__(self, lifetime: float = 5.0) -> None:
        self.lifetime = lifetime
        self._resolver: dns.resolver.Resolver | None = None

    def query(self, name: str, rdtype: str) -> list[Any]:
        if self._resolver is None:
            self._resolver = dns.resolver.Resolver()
            self._resolver.cache = dns.resolver.LRUCache()
        try:
            answer = self._resolver.resolve(name, rdtype, lifetime=self.lifetime)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except (dns.exception.Timeout, dns.resolver.NoNameservers) as exc:
            raise DNSTemporaryError(f"{name} {rdtype}: {exc}") from exc
        except dns.exception.DNSException as exc:  # a malformed name and the like: no records
            log.info("DNS lookup %s %s: %s", name, rdtype, exc)
            return []
        if rdtype in ("A", "AAAA"):
            return [r.address for r in answer]
        if rdtype == "MX":
            return [(r.preference, r.exchange.to_text(True)) for r in answer]
        if rdtype == "PTR":
            return [r.target.to_text(True) for r in answer]
        return [list(r.strings) for r in answer]  # TXT


_resolver: Resolver = DNSResolver()


def resolver() -> Resolver:
    return _resolver


@contextlib.contextmanager
def use_resolver(replacement: Resolver) -> Iterator[Resolver]:
    """Answer every lookup from `replacement` inside (all threads: smtpd checks SPF on its own
    thread)."""
    global _resolver
    previous, _resolver = _resolver, replacement
    try:
        yield replacement
    finally:
        _resolver = previous


def _txt(name: str) -> list[str]:
    return [b"".join(parts).decode("utf-8", "replace") for parts in resolver().query(name, "TXT")]


def _spf_lookup(name: str, qtype: str, *args: Any, **kwargs: Any) -> list[Any]:
    """pyspf's DNS hook (its DNSLookup signature and answer shape), through our resolver."""
    try:
        records = resolver().query(name, qtype if qtype != "SPF" else "TXT")
    except DNSTemporaryError as exc:
        raise spf.TempError(f"DNS {exc}") from exc
    return [((name, qtype), value) for value in records]


spf.DNSLookup = _spf_lookup


def _dkim_key(name: bytes | str, timeout: int = 5) -> bytes | None:
    """dkimpy's DNS hook: the TXT record of a selector, or None. A lookup that timed out
    raises DNSTemporaryError through dkimpy (an unknown key, not a bad signature)."""
    if isinstance(name, bytes):
        name = name.decode("ascii", "replace")
    records = _txt(name.rstrip("."))
    return records[0].encode() if records else None


# dkimpy logs each refused signature at ERROR; the verdict's reason says it instead.
_dkim_log = logging.getLogger(__name__ + ".dkimpy")
_dkim_log.setLevel(logging.CRITICAL)


# -- domains ---------------------------------------------------------------------------------


@cache
def _suffixes() -> PublicSuffixList:
    return PublicSuffixList()  # the list bundled with the package: no download


def organizational_domain(domain: str) -> str:
    domain = domain.lower().rstrip(".")
    return _suffixes().privatesuffix(domain) or domain


def aligned(a: str, b: str, *, strict: bool = False) -> bool:
    a, b = a.lower().rstrip("."), b.lower().rstrip(".")
    if not a or not b:
        return False
    return a == b if strict else organizational_domain(a) == organizational_domain(b)


def _domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().strip("<>").lower().rstrip(".")


@dataclass(frozen=True)
class DMARCRecord:
    domain: str  # where it was found
    tags: dict[str, str]

    def policy(self, from_domain: str) -> str:
        if from_domain != self.domain and "sp" in self.tags:
            return self.tags["sp"]
        return self.tags.get("p", "none")

    @property
    def strict_dkim(self) -> bool:
        return self.tags.get("adkim", "r") == "s"

    @property
    def strict_spf(self) -> bool:
        return self.tags.get("aspf", "r") == "s"


def dmarc_record(from_domain: str) -> DMARCRecord | None:
    """The DMARC record that governs `from_domain` (its own, else its organisational
    domain's); None when there is none (or more than one, which RFC 7489 counts as none)."""
    for domain in dict.fromkeys([from_domain, organizational_domain(from_domain)]):
        found = [t for t in _txt(f"_dmarc.{domain}") if t.strip().lower().startswith("v=dmarc1")]
        if len(found) == 1:
            tags = {}
            for part in found[0].split(";"):
                key, _, value = part.partition("=")
                if key.strip():
                    tags[key.strip().lower()] = value.strip().lower()
            return DMARCRecord(domain, tags)
    return None


# -- evidence --------------------------------------------------------------------------------


@dataclass
class Evidence:
    from_domain: str
    dmarc: Verdict | None = None  # a trusted MTA's DMARC verdict
    dkim_pass: list[tuple[str, str]] = field(default_factory=list)  # (domain, by whom)
    spf_pass: list[tuple[str, str]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _trusted_headers(msg: email.message.Message, source: str) -> list[tuple[Any, bool]]:
    """The Authentication-Results headers to believe, each with whether it is smtpd's own
    line (of which only the first SPF result counts: see `_from_headers`)."""
    trusted = set(settings.DESKSIDE_MAIL_TRUSTED_AUTHSERV_IDS)
    own = settings.DESKSIDE_MAIL_AUTHSERV_ID
    found = []
    for index, (name, value) in enumerate(msg.items()):
        if name.lower() != "authentication-results":
            continue
        text = " ".join(str(value).split())
        try:
            header = authres.AuthenticationResultsHeader.parse(f"Authentication-Results: {text}")
        except Exception:  # noqa: S112 - authres raises several types: an unreadable one is ignored
            continue
        authserv_id = (header.authserv_id or "").lower()
        ours = authserv_id == own and source in SMTP_SOURCES and index == 0
        if authserv_id in trusted or ours:
            found.append((header, ours and authserv_id not in trusted))
    return found


def _property(result: Any, ptype: str, name: str) -> str:
    for prop in result.properties:
        if prop.type == ptype and prop.name == name:
            return str(prop.value or "")
    return ""


def _from_headers(evidence: Evidence, headers: list[tuple[Any, bool]]) -> None:
    for header, own_smtpd in headers:
        by = header.authserv_id
        # smtpd's own line records one SPF check and nothing else: a DMARC or DKIM result or a
        # second SPF result in it can only have been smuggled in (a HELO name, say).
        results = (
            [r for r in header.results[:1] if r.method.lower() == "spf"]
            if own_smtpd
            else header.results
        )
        for result in results:
            method, value = result.method.lower(), (result.result or "").lower()
            if method == "dmarc" and evidence.dmarc is None:
                header_from = _property(result, "header", "from").lower()
                if header_from and header_from != evidence.from_domain:
                    continue  # about another message's From (or a different one)
                if value == "pass":
                    evidence.dmarc = Verdict(PASS, f"dmarc=pass by {by}")
                elif value == "fail":
                    evidence.dmarc = Verdict(FAIL, f"dmarc=fail by {by}")
            elif method == "dkim":
                domain = _property(result, "header", "d") or _domain_of(
                    _property(result, "header", "i")
                )
                if value == "pass" and domain:
                    evidence.dkim_pass.append((domain.lower(), by))
                elif value in ("fail", "neutral", "permerror", "policy"):
                    evidence.failures.append(f"dkim={value} for {domain or '?'} by {by}")
            elif method == "spf":
                domain = (
                    _domain_of(_property(result, "smtp", "mailfrom"))
                    or _property(result, "smtp", "helo").lower()
                )
                if value == "pass" and domain:
                    evidence.spf_pass.append((domain, by))
                elif value in ("fail", "softfail"):
                    evidence.failures.append(f"spf={value} for {domain or '?'} by {by}")


# The headers a passing DKIM signature must cover, when the message has them: what the desk
# reads to decide who wrote and which ticket it is about. An old signed mail with a new Subject
# or References on top must not pass as a reply to another ticket.
MUST_SIGN = ("from", "subject", "in-reply-to", "references", "to", "cc")


def _signature_gap(signature: bytes, msg: email.message.Message) -> str:
    """Why a signature that verified still proves too little ('' when it proves enough): a
    body length limit (`l=`: text may follow the signed part), or a header the desk reads
    that the signature does not cover."""
    try:
        tags = dkim.util.parse_tag_value(signature)
    except Exception:  # dkimpy verified it: unreadable here means not enough
        return "its tags could not be read"
    if b"l" in tags:
        return "it signs only part of the body (l=)"
    signed = {h.strip().lower() for h in tags.get(b"h", b"").decode("ascii", "replace").split(":")}
    missing = [h for h in MUST_SIGN if msg.get(h) is not None and h not in signed]
    return f"it does not cover {', '.join(missing)}" if missing else ""


def _own_dkim(raw: bytes, evidence: Evidence, msg: email.message.Message) -> None:
    signer = dkim.DKIM(raw, logger=_dkim_log)
    signatures = [v for k, v in signer.headers if k.lower() == b"dkim-signature"]
    for index in range(min(len(signatures), MAX_SIGNATURES)):
        signer.domain, signer.pk = None, None
        try:
            ok, why = signer.verify(idx=index, dnsfunc=_dkim_key), ""
        except DNSTemporaryError as exc:
            domain = (signer.domain or b"").decode("ascii", "replace").lower()
            evidence.notes.append(f"the DKIM key of {domain} could not be looked up ({exc})")
            continue
        except dkim.DKIMException as exc:
            ok, why = False, str(exc).split(" (got ")[0]  # (without the hashes)
        domain = (signer.domain or b"").decode("ascii", "replace").lower()
        if ok and (gap := _signature_gap(signatures[index], msg)):
            evidence.failures.append(f"DKIM signature of {domain} does not count: {gap}")
            continue
        if ok:
            evidence.dkim_pass.append((domain, "DKIM check"))
            continue
        if not why:
            why = (
                "no usable key is published for it"
                if signer.pk is None
                else "it does not match the message (altered after signing?)"
            )
        evidence.failures.append(f"DKIM signature of {domain or '?'} failed: {why}")


def _single_from(msg: email.message.Message) -> str:
    values = msg.get_all("From") or []
    if len(values) != 1:
        return ""
    addresses = [a for _, a in getaddresses([str(values[0])]) if "@" in a]
    return addresses[0] if len(addresses) == 1 else ""


def check(raw: bytes, *, source: str) -> Verdict:
    """The verdict on a raw message (see the module docstring), with the From domain it is
    about. Never raises."""
    try:
        verdict = _check(raw, source)
        msg_domain = _domain_of(_single_from(email.message_from_bytes(raw)))
        return Verdict(verdict.result, verdict.reason, msg_domain)
    except Exception as exc:
        log.exception("sender verification failed")
        return Verdict(NONE, f"the check itself failed ({type(exc).__name__}: {exc})"[:500])


# Headers a message has at most once (RFC 5322 3.6): a second copy is how a signed message is
# given a new subject or thread while its signature still verifies.
SINGLE_HEADERS = (
    "From",
    "Sender",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
)


def _check(raw: bytes, source: str) -> Verdict:
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    address = _single_from(msg)
    if not address:
        return Verdict(NONE, "the message has no single From: address to verify")
    if twice := [h for h in SINGLE_HEADERS if len(msg.get_all(h) or []) > 1]:
        # A signature verifies one copy and the desk might read the other (RFC 6376 8.15).
        return Verdict(NONE, f"the message has more than one {', '.join(twice)} header")
    evidence = Evidence(from_domain=_domain_of(address))
    _from_headers(evidence, _trusted_headers(msg, source))
    if evidence.dmarc is not None:
        return evidence.dmarc
    _own_dkim(raw, evidence, msg)
    domain = evidence.from_domain
    try:
        record = dmarc_record(domain)
    except DNSTemporaryError as exc:
        record = None
        evidence.notes.append(f"the DMARC record could not be looked up ({exc})")
    strict_dkim = record.strict_dkim if record else False
    strict_spf = record.strict_spf if record else False
    for signer, by in evidence.dkim_pass:
        if aligned(signer, domain, strict=strict_dkim):
            return Verdict(PASS, f"DKIM signature of {signer} verified ({by})")
    for spf_domain, by in evidence.spf_pass:
        if aligned(spf_domain, domain, strict=strict_spf):
            return Verdict(PASS, f"SPF pass for {spf_domain} ({by})")
    seen = evidence.failures + [
        f"DKIM signature of {d} is not {domain}'s" for d, _ in evidence.dkim_pass
    ]
    seen += [f"SPF passed for {d}, not {domain}" for d, _ in evidence.spf_pass]
    seen += evidence.notes
    detail = "; ".join(seen)
    if record is not None:
        policy = record.policy(domain)
        return Verdict(
            FAIL,
            f"no DKIM signature or SPF result aligned with {domain}, whose DMARC policy is "
            f"p={policy}" + (f" ({detail})" if detail else ""),
        )
    if evidence.failures:
        return Verdict(FAIL, detail)
    if detail:
        return Verdict(NONE, f"nothing verifies {domain}: {detail}")
    return Verdict(
        NONE,
        f"no DKIM signature, SPF result or trusted Authentication-Results for {domain}",
    )


# -- deskside smtpd's own record -------------------------------------------------------------


def _relayed(ip: str) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(n, strict=False) for n in settings.DESKSIDE_SMTPD_RELAYS
    )


_HELO = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\]|\[IPv6:[0-9A-Fa-f:.]{2,45}\]"
)
_MAIL_FROM = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})"
)


def smtp_header(*, ip: str, helo: str, mail_from: str) -> bytes:
    """The Authentication-Results line `deskside smtpd` puts on top of a message it receives:
    the SPF result for the connecting address, HELO name and MAIL FROM, which only the SMTP
    session knew (kept with the original, so a reprocess later sees the same). A connection
    from one of `DESKSIDE_SMTPD_RELAYS` (the site's own MTA) gets no SPF check: that address is
    the relay's, not the sender's."""
    authserv_id = settings.DESKSIDE_MAIL_AUTHSERV_ID
    if not ip or _relayed(ip):
        comment = f"relayed by {ip or 'an unknown address'}: SPF not checked here"
        header = authres.AuthenticationResultsHeader(authserv_id=authserv_id, results=[])
        return f"{header} ({comment})\r\n".encode("ascii", "replace")
    if not _HELO.fullmatch(helo or "") or (mail_from and not _MAIL_FROM.fullmatch(mail_from)):
        # A HELO name or envelope sender that is not a plain host name or address could carry
        # text into the header (`x; dmarc=pass header.from=...`): no SPF claim for it.
        header = authres.AuthenticationResultsHeader(authserv_id=authserv_id, results=[])
        return f"{header} (unusual HELO name or envelope sender: SPF not checked)\r\n".encode()
    try:
        result, explanation = spf.check2(i=ip, s=mail_from, h=helo, timeout=10)
    except Exception as exc:  # pyspf raises its own and socket errors: a temperror
        result, explanation = "temperror", str(exc)
    properties: dict[str, str] = {"smtp_helo": helo or "unknown"}
    if mail_from:
        properties["smtp_mailfrom"] = mail_from
    comment = f"{ip}: {explanation}".replace("(", "[").replace(")", "]")[:200]
    spf_result = authres.SPFAuthenticationResult(
        result=result, result_comment=comment, **properties
    )
    header = authres.AuthenticationResultsHeader(authserv_id=authserv_id, results=[spf_result])
    return f"{header}\r\n".encode("ascii", "replace")
