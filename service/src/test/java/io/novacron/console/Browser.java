package io.novacron.console;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, installed by
 * {@code .ci/run}) for one test class. Both the browser and the driver are given by path, so
 * Selenium Manager never runs and nothing is downloaded. Screenshots go to the directory named by
 * the system property {@code console.screenshots}, when set.
 */
final class Browser implements AutoCloseable {
    static final String CHROMIUM = System.getenv().getOrDefault("NOVACRON_TEST_CHROMIUM", "/usr/bin/chromium");
    static final String DRIVER = System.getenv().getOrDefault("NOVACRON_TEST_CHROMEDRIVER", "/usr/bin/chromedriver");
    /** How long a page may take to show what a step waits for: a bound on the wait, not an expectation. */
    static final Duration PATIENCE = Duration.ofSeconds(20);

    final ChromeDriver driver;
    private final Path profile;
    private final String base;

    Browser(String base) {
        if (!new File(CHROMIUM).canExecute() || !new File(DRIVER).canExecute()) {
            throw new IllegalStateException("the console's browser tests need " + CHROMIUM + " and " + DRIVER
                    + ": apt-get install -y --no-install-recommends chromium chromium-driver (.ci/run does)");
        }
        this.base = base;
        try {
            profile = Files.createTempDirectory("novacron-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,1000", "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER)).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
    }

    void open(String pathAndHash) {
        driver.get(base + pathAndHash);
    }

    /** Navigates inside the page (hash change): the console keeps its session and polling. */
    void go(String hash) {
        driver.executeScript("location.hash = arguments[0]", hash);
    }

    WebElement find(String css) {
        return until(d -> {
            List<WebElement> found = d.findElements(By.cssSelector(css));
            return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
        });
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    <T> T until(ExpectedCondition<T> condition) {
        return new WebDriverWait(driver, PATIENCE).pollingEvery(Duration.ofMillis(100))
                .ignoring(StaleElementReferenceException.class).until(condition);
    }

    /** Texts of the first cell of each row of a table, read in one script (the table may be redrawn at any time). */
    @SuppressWarnings("unchecked")
    List<String> firstColumn(String tableCss) {
        return (List<String>) driver.executeScript("return [...document.querySelectorAll(arguments[0] + ' tbody tr')]"
                + ".filter(r => !r.querySelector('td.empty')).map(r => r.cells[0].textContent.trim())", tableCss);
    }

    /** The browser console's errors since the last call (SEVERE: uncaught exceptions, CSP violations, failed loads). */
    List<String> consoleErrors() {
        List<String> errors = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
                errors.add(e.getMessage());
            }
        }
        return errors;
    }

    void screenshot(String name) {
        String dir = System.getProperty("console.screenshots");
        if (dir == null || dir.isBlank()) {
            return;
        }
        try {
            Path target = Path.of(dir).resolve(name + ".png");
            Files.createDirectories(target.getParent());
            Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp directory left behind is harmless
            }
        }
    }
}
