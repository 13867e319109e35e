package io.novacron.app;

import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code demo}, {@code seed} and {@code bench} live in the bench module ({@code novacron-bench.jar}),
 * so the production jar carries no benchmark code. These commands hand their arguments to it
 * when it lies beside this jar (as the build leaves it in {@code target/}), loaded on top of the
 * service's own classes, so a user types the same command either way.
 */
final class Tools {
    static final String JAR = "novacron-bench.jar";
    static final String ENTRY = "io.novacron.bench.cli.BenchMain";

    private Tools() {
    }

    @Command(name = "demo", description = "Run the service on a demo fleet (from " + JAR + "; see demo --help).")
    static final class Demo extends Delegate {
    }

    @Command(name = "seed", description = "Load a generated dataset (from " + JAR + "; see seed --help).")
    static final class Seed extends Delegate {
    }

    @Command(name = "bench", description = "The benchmark (from " + JAR + "; see bench --help).")
    static final class Bench extends Delegate {
    }

    abstract static class Delegate implements Callable<Integer> {
        @Unmatched
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            String name = getClass().getAnnotation(Command.class).name();
            Path jar = besideThisJar();
            if (jar == null) {
                System.err.println("novacron: '" + name + "' needs " + JAR + " beside novacron.jar (built by mvn package)");
                return 2;
            }
            List<String> all = new ArrayList<>();
            all.add(name);
            all.addAll(args);
            // Not closed: the command may leave threads (a serving demo) running on its classes.
            URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, Tools.class.getClassLoader());
            Class<?> entry = Class.forName(ENTRY, true, loader);
            return (Integer) entry.getMethod("run", String[].class).invoke(null, (Object) all.toArray(String[]::new));
        }
    }

    /** {@value #JAR} in the directory of the jar this class was loaded from, or null. */
    static Path besideThisJar() throws URISyntaxException, MalformedURLException {
        var source = Tools.class.getProtectionDomain().getCodeSource();
        if (source == null) {
            return null;
        }
        Path self = Path.of(source.getLocation().toURI());
        Path jar = self.resolveSibling(JAR);
        return Files.isRegularFile(self) && Files.isRegularFile(jar) ? jar : null;
    }
}
