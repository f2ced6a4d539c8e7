"""axe-core in the browser tests: the accessibility rules run on a page as a person sees it.

axe-core comes from the npm registry, pinned in package.json / package-lock.json at the
repository's root (`npm ci --no-audit --no-fund`; scripts/test runs it when it is missing).
Its script is evaluated in the page through the DevTools protocol, so the pages keep their
Content-Security-Policy (no inline <script> is added)."""

from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# The impacts that fail a test (axe's scale: minor, moderate, serious, critical).
FAILING = ("serious", "critical")

RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' | ' + n.failureSummary),
  }));
}"""


@dataclass(frozen=True)
class Violation:
    id: str
    impact: str
    help: str
    nodes: list[str]

    def __str__(self) -> str:
        return f"{self.impact} {self.id} ({self.help}): " + "; ".join(self.nodes)


def source() -> str:
    if not AXE_JS.exists():
        raise FileNotFoundError(
            f"{AXE_JS} is missing: run `npm ci --no-audit --no-fund` at the repository's root "
            "(scripts/test does it)"
        )
    return AXE_JS.read_text(encoding="utf-8")


def violations(page: Page, script: str, impacts: tuple[str, ...] = FAILING) -> list[Violation]:
    """axe's violations on `page` as it is now, of the given impacts."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(script)
    found = [Violation(**v) for v in page.evaluate(RUN)]
    return [v for v in found if v.impact in impacts]
