"""kbcheck serve in real headless Chromium, driven by Selenium as a trainer would use the page:
load the WhatsApp example, change a fact and watch the conclusions change with their reasons,
click a conclusion for its diagram, move the offence date across 31 January 2024, step through
the firings, answer a question, save the case and assess the saved file with the CLI.

`make test` installs Chromium and ChromeDriver (Debian's chromium and chromium-driver) and sets
KBCHECK_BROWSER_TESTS=required, so there these tests fail rather than skip if either is missing."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WAIT = 30


def _require(program: str, package: str) -> str:
    found = shutil.which(program)
    if found:
        return found
    if os.environ.get("KBCHECK_BROWSER_TESTS") == "required":
        pytest.fail(f"{program} is not installed (apt-get install {package}); make test installs it")
    pytest.skip(f"{program} is not installed (apt-get install {package})")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """`kbcheck serve` itself, on a free port, as a user starts it."""
    kbcheck = Path(sys.executable).with_name("kbcheck")
    process = subprocess.Popen(
        [str(kbcheck), "serve", "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
    assert found, f"no address printed: {line!r} {process.stderr.read() if process.poll() is not None else ''}"
    yield found.group(1)
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or _require("chromium", "chromium")
    driver_path = _require("chromedriver", "chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--lang=en-GB",
        "--window-size=1280,800",
        f"--user-data-dir={tmp_path_factory.mktemp('profile')}",
    ):
        options.add_argument(arg)
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False}
    )
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    yield driver
    driver.quit()


def wait_for(driver, condition, what: str):  # type: ignore[no-untyped-def]
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, WAIT, ignored_exceptions=(StaleElementReferenceException,))
    return wait.until(lambda d: condition(d), message=what)


def assessed(driver, *fragments: str) -> None:  # type: ignore[no-untyped-def]
    """Wait until the page shows the assessment of a case whose data holds these fragments: the
    form's `previous` field is the case as last assessed, swapped in with the conclusions."""
    from selenium.webdriver.common.by import By

    def done(d) -> bool:  # type: ignore[no-untyped-def]
        previous = d.find_element(By.ID, "previous").get_attribute("value")
        return all(f in previous for f in fragments) and not d.find_elements(By.CSS_SELECTOR, ".htmx-request")

    wait_for(driver, done, f"the assessment with {fragments}")


def value_of(driver, conclusion: str) -> str:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, f"c-{conclusion}").get_attribute("data-value")


def settled(driver) -> None:  # type: ignore[no-untyped-def]
    """Wait until htmx has no request in flight."""
    wait_for(driver, lambda d: not d.find_elements("css selector", ".htmx-request"), "htmx to finish")


@pytest.fixture(scope="module")
def page(server: str, browser):  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(server)
    Select(browser.find_element(By.ID, "example")).select_by_value("whatsapp-director")
    browser.find_element(By.ID, "load-example").click()
    wait_for(browser, lambda d: d.find_elements(By.ID, "c-offence.mca_s1"), "the example's conclusions")
    settled(browser)
    return browser


def test_toggling_sender_identified_changes_the_evidence_and_the_outcome_with_reasons(page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    assert page.find_element(By.ID, "case-id").get_attribute("value") == "whatsapp-director"
    assert value_of(page, "evidence.strength") == "strong" and value_of(page, "outcome.likely") == "charge"
    Select(page.find_element(By.ID, "f.sender_identified")).select_by_value("false")
    assessed(page, '"sender_identified": false')
    assert value_of(page, "evidence.strength") == "weak"
    assert value_of(page, "outcome.likely") != "charge"
    box = page.find_element(By.ID, "last-change").text
    assert "sender_identified: true → false" in box
    assert "evidence.strength: was strong, now weak" in box and "now, because" in box
    assert "outcome.likely: was charge" in box
    assert "changed" in page.find_element(By.ID, "c-evidence.strength").get_attribute("class")
    Select(page.find_element(By.ID, "f.sender_identified")).select_by_value("true")  # back, for the next tests
    assessed(page, '"sender_identified": true')
    assert value_of(page, "evidence.strength") == "strong"


def test_clicking_a_conclusion_shows_its_diagram_and_its_chain(page):
    from selenium.webdriver.common.by import By

    page.find_element(By.CSS_SELECTOR, "#c-offence\\.mca_s1 button.name").click()
    settled(page)
    wait_for(page, lambda d: d.find_elements(By.CSS_SELECTOR, "#diagram svg"), "the diagram")
    svg = page.find_element(By.CSS_SELECTOR, "#diagram svg")
    assert svg.size["width"] > 300 and svg.size["height"] > 200
    assert "offence.mca_s1" in page.find_element(By.ID, "why-head").text
    tree = page.find_element(By.ID, "tree")
    assert "legislation.gov.uk" in tree.find_element(By.TAG_NAME, "a").get_attribute("href")


def test_stepping_through_five_firings_keeps_the_diagram_still(page):
    from selenium.webdriver.common.by import By

    page.find_element(By.CSS_SELECTOR, "#c-offence\\.mca_s1 button.name").click()
    settled(page)
    wait_for(page, lambda d: d.find_elements(By.ID, "step-start"), "the explanation")
    page.find_element(By.ID, "step-start").click()
    wait_for(page, lambda d: d.find_elements(By.CSS_SELECTOR, "#diagram[data-step='1']"), "step 1")
    first_box = page.find_element(By.CSS_SELECTOR, "#diagram svg").size
    for n in range(2, 6):
        page.find_element(By.ID, "step-next").click()
        settled(page)
        wait_for(page, lambda d, n=n: d.find_elements(By.CSS_SELECTOR, f"#diagram[data-step='{n}']"), f"step {n}")
    head = page.find_element(By.ID, "step-head").text
    assert re.search(r"Step 5 of \d+", head) and "Firing" in head
    assert page.find_element(By.CSS_SELECTOR, "#diagram svg").size == first_box
    assert page.find_elements(By.CSS_SELECTOR, "#diagram g.new")
    page.find_element(By.ID, "step-back").click()
    wait_for(page, lambda d: d.find_elements(By.CSS_SELECTOR, "#diagram[data-step='4']"), "back to step 4")


def test_moving_the_offence_date_across_31_january_2024_takes_the_threat_limb_away(page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(page.find_element(By.ID, "law-date")).select_by_value("2015-04-13")
    assessed(page, '"offence_date": "2015-04-13"')
    assert value_of(page, "law.content_limbs_available") != "indecent_or_grossly_offensive"
    Select(page.find_element(By.ID, "law-date")).select_by_value("2024-01-31")
    assessed(page, '"offence_date": "2024-01-31"')
    assert "2015-04-13 → 2024-01-31" in page.find_element(By.ID, "law-move").text
    going = [li.text for li in page.find_elements(By.CSS_SELECTOR, "#law-move li.going")]
    assert any("threat" in text.lower() for text in going), going
    assert value_of(page, "law.content_limbs_available") == "indecent_or_grossly_offensive"
    row = page.find_element(By.ID, "c-law.content_limbs_available")
    assert "threat" not in row.find_element(By.CSS_SELECTOR, ".value").text
    assert "threat" in row.find_element(By.CSS_SELECTOR, ".was").text  # what it was before the move


def test_answering_a_question_sets_the_fact_and_assesses_again(page):
    from selenium.webdriver.common.by import By

    wait_for(page, lambda d: d.find_elements(By.CSS_SELECTOR, "#questions button.answer"), "the questions")
    button = page.find_element(By.CSS_SELECTOR, "#questions button.answer")
    fact, value = button.get_attribute("data-fact"), button.get_attribute("data-value")
    button.click()
    assert page.find_element(By.ID, fact).get_attribute("value") == value
    assessed(page, f'"{fact[2:]}": ')
    assert fact[2:] in page.find_element(By.ID, "last-change").text


def test_save_downloads_a_case_the_cli_assesses_to_the_same_conclusions(page, downloads: Path):
    from selenium.webdriver.common.by import By

    settled(page)
    shown = {
        li.get_attribute("id")[2:]: li.get_attribute("data-value")
        for li in page.find_elements(By.CSS_SELECTOR, "li.conclusion")
    }
    page.find_element(By.ID, "save").click()
    target = downloads / "whatsapp-director.yaml"
    wait_for(page, lambda d: target.exists() and target.stat().st_size > 0, "the saved file")
    time.sleep(0.2)
    kbcheck = Path(sys.executable).with_name("kbcheck")
    done = subprocess.run([str(kbcheck), "assess", str(target), "--json"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    conclusions = json.loads(done.stdout)["conclusions"]
    from kbcheck.explain.text import value_text

    assert shown == {name: value_text(value) for name, value in conclusions.items()}
