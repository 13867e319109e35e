import java.net.URI;
import java.net.http.*;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import java.util.regex.*;

/** Quick HTTP load for the read routes: java Load.java <base> <token> <workload> <concurrency> <seconds> */
public class Load {
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final Pattern NEXT = Pattern.compile("\"next_cursor\":\"([^\"]+)\"");

    static int zipfOrg(Random r) { return 1 + (int) Math.floor(200 * Math.pow(r.nextDouble(), 2.3)); }

    public static void main(String[] a) throws Exception {
        String base = a[0], token = a[1], workload = a[2];
        int conc = Integer.parseInt(a[3]); long seconds = Long.parseLong(a[4]);
        ConcurrentLinkedQueue<Long> lat = new ConcurrentLinkedQueue<>();
        AtomicInteger errors = new AtomicInteger();
        long warmEnd = System.nanoTime() + 3_000_000_000L, end = warmEnd + seconds * 1_000_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(conc);
        for (int t = 0; t < conc; t++) {
            long seed = t;
            pool.submit(() -> {
                Random r = new Random(seed);
                while (System.nanoTime() < end) {
                    for (String path : sequence(workload, r)) {
                        String p = path;
                        String cursor = null;
                        int pages = p.contains("#pages=") ? Integer.parseInt(p.substring(p.indexOf("#pages=") + 7)) : 1;
                        p = p.contains("#") ? p.substring(0, p.indexOf('#')) : p;
                        for (int i = 0; i < pages; i++) {
                            String url = base + p + (cursor == null ? "" : "&cursor=" + cursor);
                            long t0 = System.nanoTime();
                            try {
                                HttpResponse<String> res = client.send(HttpRequest.newBuilder(URI.create(url))
                                        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
                                long dt = System.nanoTime() - t0;
                                if (res.statusCode() != 200) { errors.incrementAndGet(); System.err.println(res.statusCode() + " " + url + " " + res.body()); break; }
                                if (t0 > warmEnd && t0 < end) lat.add(dt);
                                Matcher m = NEXT.matcher(res.body());
                                if (!m.find()) break;
                                cursor = m.group(1);
                            } catch (Exception e) { errors.incrementAndGet(); break; }
                        }
                    }
                }
                return null;
            });
        }
        pool.shutdown(); pool.awaitTermination(seconds + 60, TimeUnit.SECONDS);
        long[] v = lat.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("%-11s c=%d n=%d err=%d rps=%.0f p50=%.2fms p95=%.2fms p99=%.2fms max=%.2fms%n", workload, conc, v.length, errors.get(),
                v.length / (double) seconds, v[v.length / 2] / 1e6, v[(int) (v.length * 0.95)] / 1e6, v[(int) (v.length * 0.99)] / 1e6, v[v.length - 1] / 1e6);
    }

    static List<String> sequence(String w, Random r) {
        int org = zipfOrg(r);
        switch (w) {
            case "dashboard":
                return List.of(r.nextInt(10) == 0 ? "/api/v1/dashboard" : "/api/v1/dashboard?org_id=" + org);
            case "listing": {
                String[] filters = {"", "&state=running", "&state=error", "&tag=env:prod", "&tag=app:" + r.nextInt(300),
                        "&q=eb-1" + r.nextInt(10), "&node_id=" + (1 + r.nextInt(2000)), "&state=running&state=paused&tag=env:dev"};
                String[] sorts = {"created_at", "-created_at", "name", "-name", "cpu_cores", "-cpu_cores", "memory_mb", "-memory_mb"};
                return List.of("/api/v1/vms?org_id=" + org + filters[r.nextInt(filters.length)] + "&sort=" + sorts[r.nextInt(sorts.length)]
                        + "&limit=50#pages=" + (1 + r.nextInt(100)));
            }
            case "monitoring":
                return List.of(r.nextInt(5) == 0 ? "/api/v1/monitoring/nodes?node_id=" + (1 + r.nextInt(2000))
                        : r.nextInt(4) == 0 ? "/api/v1/monitoring/vms?org_id=" + org + "&node_id=" + (1 + r.nextInt(2000))
                        : "/api/v1/monitoring/vms?org_id=" + org + "&limit=50");
            default:
                return List.of(r.nextBoolean() ? "/api/v1/nodes/capacity?limit=50"
                        : "/api/v1/nodes/capacity?zone=zone-" + r.nextInt(8) + "&fits_cpu=" + (1 << r.nextInt(7)) + "&fits_memory_mb=" + (1024 << r.nextInt(8)));
        }
    }
}
