"""The web page in a real browser: Debian's chromium, headless, driven by Selenium through chromedriver,
against the real server (waitress, on a free port of 127.0.0.1), in a phone-sized 390x844 window.

Without chromium and chromedriver these tests skip, printing the install line.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from pathlib import Path

import pytest

from coldchain import read_scenario
from coldchain.apps.orders import Book

REPO = Path(__file__).parent.parent
DEMO = REPO / "inputs" / "orders-demo"
LIXIANG, DALU = "新圩荔香合作社", "大芦村荔枝合作社"
INSTALL = "apt-get install chromium chromium-driver"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:  # pragma: no cover - the test extra installs it
    webdriver = None

pytestmark = pytest.mark.skipif(
    webdriver is None or CHROMIUM is None or CHROMEDRIVER is None,
    reason=f"the browser tests need Debian's chromium and chromedriver: {INSTALL} (and selenium: the test extra)",
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The real web server on the sample scenario, a fresh book with three tokens; (base URL, tokens, app)."""
    import waitress

    from coldchain.apps.web.app import create_app
    from coldchain.apps.web.planning import PlanSettings

    path = tmp_path_factory.mktemp("web") / "orders.db"
    with Book(path) as b:
        tokens = {who: b.add_token(who)[1] for who in (LIXIANG, DALU)}
        tokens["admin"] = b.add_token("调度员", role="admin")[1]
    sample = read_scenario(REPO / "inputs")
    app = create_app(sample, path, settings=PlanSettings(time_limit_s=6))
    srv = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.effective_port}", tokens, app, path
    srv.close()


@pytest.fixture(scope="module")
def browser():
    """Headless chromium in a 390x844 window (a phone), never reaching past this machine."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="coldchain-chromium-")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--window-size=390,844", f"--user-data-dir={profile}"):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_window_size(390, 844)
    # headless chromium keeps its window at least 500 px wide: emulate the phone's screen itself
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
    )
    driver.implicitly_wait(0)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def wait(driver, condition, seconds: float = 30):
    return WebDriverWait(driver, seconds, poll_frequency=0.1).until(condition)


def sign_in(driver, base: str, token: str) -> None:
    driver.delete_all_cookies()
    driver.get(base + "/login")
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "#login button").click()
    wait(driver, ec.presence_of_element_located((By.CSS_SELECTOR, "header .who")))


def upload(driver, path: Path) -> None:
    driver.find_element(By.ID, "file").send_keys(str(path))
    driver.find_element(By.CSS_SELECTOR, "#upload button").click()
    wait(driver, ec.presence_of_element_located((By.ID, "upload-result")))


def fits_the_phone(driver) -> bool:
    """The page is 390 px wide and no wider: wide tables scroll inside their box instead."""
    width, scroll = driver.execute_script("return [window.innerWidth, document.documentElement.scrollWidth]")
    return width == 390 and scroll <= width


def only_local_requests(driver, base: str) -> list[str]:
    urls = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    return [u for u in urls if not u.startswith(base)]


@pytest.mark.integration
def test_shippers_upload_and_see_only_their_own_orders(server, browser) -> None:
    """新圩荔香合作社 uploads a good file (its three orders listed open) and 大芦村荔枝合作社 a bad one
    (each bad row shown with its message, nothing added); 大芦村荔枝合作社 sees none of the first's orders,
    and one of them by its address is a 404 page. All on a 390 px wide page."""
    base, tokens, _, _ = server
    d = browser
    sign_in(d, base, tokens[LIXIANG])
    upload(d, DEMO / "lixiang-06-15.csv")
    rows = d.find_elements(By.CSS_SELECTOR, "#orders tbody tr")
    assert [(r.get_attribute("data-order"), r.get_attribute("data-state")) for r in rows] == [
        ("LX-0615-1", "open"),
        ("LX-0615-2", "open"),
        ("LX-0615-3", "open"),
    ]
    assert "added 3 order(s)" in d.find_element(By.ID, "upload-summary").text
    assert fits_the_phone(d)

    sign_in(d, base, tokens[DALU])
    upload(d, DEMO / "dalu-bad.csv")
    assert "nothing was taken" in d.find_element(By.ID, "upload-summary").text
    bad = {
        r.get_attribute("data-line"): r.find_element(By.CSS_SELECTOR, "td.problem").text
        for r in d.find_elements(By.CSS_SELECTOR, "#upload-rows tr.bad")
    }
    assert sorted(bad) == ["2", "3", "4"]
    assert "unknown site" in bad["2"] and "V_DALUX" in bad["2"]
    assert "comma" in bad["3"] and "expected a date and time" in bad["4"]
    assert fits_the_phone(d)
    assert d.find_elements(By.CSS_SELECTOR, "#orders") == [] and "LX-0615" not in d.page_source
    d.get(base + "/orders/LX-0615-1")
    assert d.find_element(By.ID, "error-code").text.startswith("404")
    assert only_local_requests(d, base) == []


@pytest.mark.integration
def test_dispatcher_plans_commits_and_the_map_shows_every_truck(server, browser) -> None:
    """The dispatcher plans the sample day from the book (progress shown while it runs), sees a map with
    one legend entry per truck of the plan and a table per run, and commits; nothing loads from
    outside 127.0.0.1 and the page logs no error (a CSP violation would be one)."""
    base, tokens, app, path = server
    with Book(path) as b:
        for file, who in (("lixiang-06-15.csv", LIXIANG), ("dalu-06-15.csv", DALU)):  # the first may have sent it
            assert b.submit(app.extensions["coldchain"].scenario, DEMO / file, who).accepted
    d = browser
    sign_in(d, base, tokens["admin"])
    d.get_log("browser")  # drop what the pages before this one logged
    d.get(base + "/dispatch")
    assert len(d.find_elements(By.CSS_SELECTOR, "#day-orders tbody tr")) == 6
    t0 = time.monotonic()
    d.find_element(By.ID, "plan-button").click()
    wait(d, ec.presence_of_element_located((By.ID, "progress")))
    seen_running = d.find_element(By.ID, "progress").get_attribute("data-state") == "running"
    wait(d, ec.presence_of_element_located((By.ID, "plan")), 90)
    job = app.extensions["coldchain"].planner.job
    trucks = [r["vehicle"] for r in job.doc["routes"]]
    legend = wait(
        d, lambda x: x.find_elements(By.CSS_SELECTOR, ".leaflet-control-layers-overlays .swatch[data-vehicle]")
    )
    assert seen_running or time.monotonic() - t0 < 3
    assert [e.get_attribute("data-vehicle") for e in legend] == trucks and trucks
    assert all(e.value_of_css_property("background-color") not in ("", "rgba(0, 0, 0, 0)") for e in legend)
    assert [t.get_attribute("data-vehicle") for t in d.find_elements(By.CSS_SELECTOR, "table.run")] == trucks
    assert d.find_elements(By.CSS_SELECTOR, "#map canvas, #map svg")
    assert "bound" in d.find_element(By.ID, "progress-line").text
    assert fits_the_phone(d)
    d.find_element(By.ID, "commit-button").click()
    wait(d, ec.presence_of_element_located((By.ID, "committed")))
    assert "Committed plan 1 for 2026-06-15" in d.page_source
    with Book(path) as b:
        planned = {o.order_id for o in b.list(status="planned")}
    served = {o["id"] for r in job.doc["routes"] for s in r["steps"] for o in s.get("orders") or []}
    assert planned == served and planned
    assert only_local_requests(d, base) == []
    errors = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]  # script errors, CSP, failed loads
    assert errors == []
