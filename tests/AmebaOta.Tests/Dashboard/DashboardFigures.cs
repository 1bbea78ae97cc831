using System.Diagnostics;
using System.Globalization;
using AmebaOta.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace AmebaOta.Tests.Dashboard;

/// <summary>Runs only when <c>AMEBAOTA_DASHBOARD_FIGURES=1</c> (bench/dashboard.sh sets it): it takes minutes and a whole machine.</summary>
public sealed class DashboardFiguresFactAttribute : FactAttribute
{
    public DashboardFiguresFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("AMEBAOTA_DASHBOARD_FIGURES") != "1") Skip = "dashboard figures: run bench/dashboard.sh";
    }
}

/// <summary>
/// The figures in BENCHMARKS.md: a <c>device farm</c> of 500 boards (typical flash timing) and a dashboard attached to it, in a
/// private namespace; page load time with 500 boards, the dashboard's memory, the page's frame gaps while 100 boards update,
/// and the time from a board's mDNS announcement to its row in the page.
/// </summary>
public sealed class DashboardFigures(ITestOutputHelper output)
{
    private static int Env(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v : fallback;

    private void Say(string line) => output.WriteLine(line);

    [DashboardFiguresFact]
    public async Task Five_hundred_boards_listed_and_one_hundred_updating()
    {
        int boards = Env("AMEBAOTA_DASHBOARD_BOARDS", 500), updating = Env("AMEBAOTA_DASHBOARD_UPDATING", 100);
        using var dir = new TempDir();
        using var network = await PrivateNetwork.CreateAsync(tcpBuffer: 64 * 1024);
        File.WriteAllBytes(dir.File("v1.bin"), TestImages.Image(1));
        string socket = dir.File("farm.sock");
        var clock = Stopwatch.StartNew();
        await using var farm = FarmProcess.StartIn(network, dir.Path, "--count", boards.ToString(), "--image", "v1.bin", "--flash-timing", "typical",
            "--interface", "lo", "--control", socket);
        await farm.Notes.WaitForAsync(l => l.StartsWith($"[farm] all {boards} boards listening"), "the farm's ready line", timeout: TimeSpan.FromMinutes(5));
        Say($"farm of {boards} boards ready in {clock.Elapsed.TotalSeconds:0.0} s");
        await using var dashboard = await DashboardProcess.StartAsync(network, dir.Path, "--port", "8080", "--interface", "lo", "--attach", socket, "--db", dir.File("history.db"));
        await using var browser = await HeadlessChromium.LaunchAsync(dir.Path, network);

        var page = await browser.Context.NewPageAsync();
        await page.GotoAsync(dashboard.Link);
        await page.WaitForFunctionAsync($"() => document.getElementById('counts').textContent === '{boards} boards, {boards} online'", null,
            new() { Timeout = 300_000 });
        Say($"all {boards} boards online in the page {clock.Elapsed.TotalSeconds:0.0} s after the farm started");
        await Task.Delay(2000);
        Say($"dashboard memory with {boards} boards listed: {Rss(dashboard.Pid)} (managed heap not included separately)");
        await page.CloseAsync();

        // Page load: a fresh tab until the board table's first paint (the page's marks: navigation start, the snapshot's
        // arrival, the frame after the rows in view were drawn; the table draws only the rows in view).
        var loads = new List<(double Load, double Snapshot, double Painted)>();
        for (int i = 0; i < 5; i++)
        {
            var fresh = await browser.Context.NewPageAsync();
            await fresh.GotoAsync(dashboard.Link);
            await fresh.WaitForFunctionAsync("() => performance.getEntriesByName('ameba-boards-painted').length > 0", null, new() { Timeout = 60_000, PollingInterval = 5 });
            var marks = await fresh.EvaluateAsync<double[]>("() => [performance.getEntriesByType('navigation')[0].loadEventEnd, " +
                "performance.getEntriesByName('ameba-snapshot')[0].startTime, performance.getEntriesByName('ameba-boards-painted')[0].startTime]");
            loads.Add((marks[0], marks[1], marks[2]));
            await fresh.CloseAsync();
        }
        Say($"page load with {boards} boards (5 loads): load event {Stats(loads.Select(l => l.Load))}; first paint of the table after the snapshot " +
            $"{Stats(loads.Select(l => l.Painted - l.Snapshot))}, from navigation {Stats(loads.Select(l => l.Painted))}");

        page = await browser.Context.NewPageAsync();
        await page.GotoAsync(dashboard.Link);
        await page.WaitForFunctionAsync("() => performance.getEntriesByName('ameba-boards-painted').length > 0", null, new() { Timeout = 60_000 });
        var typed = new List<double>();
        var cleared = new List<double>();
        for (int i = 0; i < 5; i++)
        {
            var t = await page.EvaluateAsync<double[]>(@"async () => {
                const painted = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r())));
                const f = document.getElementById('filter');
                let t0 = performance.now();
                f.value = 'MyAmeba-1' + Math.floor(Math.random() * 10); f.dispatchEvent(new Event('input'));
                await painted();
                const typed = performance.now() - t0;
                t0 = performance.now();
                f.value = ''; f.dispatchEvent(new Event('input'));
                await painted();
                return [typed, performance.now() - t0]; }");
            typed.Add(t[0]);
            cleared.Add(t[1]);
        }
        int drawn = await page.Locator("#boards tbody tr[data-board]").CountAsync();
        Say($"filter with {boards} boards listed (5 times): typed to painted {Stats(typed)}, cleared to painted (every board back) {Stats(cleared)}; {drawn} rows in the document");
        var cdp = await page.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("Performance.enable");
        var metrics = (await cdp.SendAsync("Performance.getMetrics"))!.Value.GetProperty("metrics").EnumerateArray()
            .ToDictionary(m => m.GetProperty("name").GetString()!, m => m.GetProperty("value").GetDouble());
        Say($"page memory with {boards} boards listed: JS heap {metrics["JSHeapUsedSize"] / 1048576:0.0} MiB used of {metrics["JSHeapTotalSize"] / 1048576:0.0} MiB, " +
            $"{metrics["Nodes"]:0} DOM nodes; dashboard {Rss(dashboard.Pid)}");

        // Announcement to listing: a new board announces itself; when does the page count it (its row may be out of view)?
        await page.EvaluateAsync(@"() => {
            window.__counted = {};
            const watch = () => { const m = /^(\d+) boards/.exec(document.getElementById('counts').textContent); if (m) window.__counted[m[1]] ??= Date.now(); requestAnimationFrame(watch); };
            requestAnimationFrame(watch);
        }");
        var latencies = new List<double>();
        for (int i = 0; i < 10; i++)
        {
            string name = $"Newcomer-{i}";
            await using var advertiser = CommandProcess.StartIn(network, dir.Path, "mdns", "advertise", "--name", name, "--port", "5000", "--ip", $"127.200.0.{i + 1}", "--interface", "lo");
            await advertiser.Serial.WaitForAsync(l => l.StartsWith("advertising "), "the advertiser's line");
            long announced = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            int expected = boards + i + 1;
            await page.WaitForFunctionAsync($"() => window.__counted['{expected}']", null, new() { Timeout = 30_000 });
            long appeared = await page.EvaluateAsync<long>($"() => window.__counted['{expected}']");
            latencies.Add(appeared - announced);
        }
        Say($"mDNS announcement to board listed in the page (10 boards, {boards} listed): {Stats(latencies)}");
        if (updating == 0) return;

        // 100 boards updating at once: the page keeps drawing, the dashboard's memory.
        string image = dir.File("v2.bin");
        File.WriteAllBytes(image, TestImages.Image(2, size: 256 * 1024));
        await page.Locator("#file").SetInputFilesAsync(image);
        await page.Locator("#image-info").WaitForAsync();
        // The boards whose names start with the filter below are ticked (the table draws only the rows in view).
        await page.Locator("#filter").FillAsync(Environment.GetEnvironmentVariable("AMEBAOTA_DASHBOARD_UPDATING_FILTER") ?? "MyAmeba-0");
        await page.Locator("#select-shown").ClickAsync();
        await page.Locator("#filter").FillAsync("");
        await page.EvaluateAsync(@"() => {
            window.__gaps = []; let last = performance.now();
            const frame = (t) => { window.__gaps.push([t, t - last]); last = t; if (!window.__stopFrames) requestAnimationFrame(frame); };
            requestAnimationFrame(frame);
        }");
        var run = Stopwatch.StartNew();
        await page.Locator("#start").ClickAsync();
        string peak = "";
        long peakKb = 0;
        var filterTimes = new List<double>();
        var clearTimes = new List<double>();
        (double Start, double End) screenshot = (0, 0);
        while (true)
        {
            string state = (await page.Locator("#run-state").TextContentAsync()) ?? "";
            long kb = RssKb(dashboard.Pid);
            if (kb > peakKb) { peakKb = kb; peak = Rss(dashboard.Pid); }
            if (run.Elapsed > TimeSpan.FromSeconds(3.5) && filterTimes.Count < 5)
            {
                // Typing in the filter box mid-run, then clearing it: each until the frame after the one that shows it is painted.
                var probe = await page.EvaluateAsync<double[]>(@"async () => {
                    const painted = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r())));
                    const f = document.getElementById('filter');
                    let t0 = performance.now();
                    f.value = 'MyAmeba-1' + Math.floor(Math.random() * 10); f.dispatchEvent(new Event('input'));
                    await painted();
                    const shown = performance.now() - t0;
                    t0 = performance.now();
                    f.value = ''; f.dispatchEvent(new Event('input'));
                    await painted();
                    return [shown, performance.now() - t0]; }");
                filterTimes.Add(probe[0]);
                clearTimes.Add(probe[1]);
            }
            if (screenshot.End == 0 && run.Elapsed > TimeSpan.FromSeconds(4.5))
            {
                // A screenshot (the boards sending) holds the page's frames while it is taken: those do not count as gaps.
                double shotStart = await page.EvaluateAsync<double>("() => performance.now()");
                await page.ScreenshotAsync(new() { Path = Path.Combine(DashboardFixture.ScreenshotDirectory, "dashboard-100-updating.png") });
                double shotEnd = await page.EvaluateAsync<double>("() => performance.now()");
                screenshot = (shotStart, shotEnd);
            }
            if (state is "completed" or "stopped" or "failed") break;
            if (run.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException("the run did not end in 10 minutes");
            await Task.Delay(500);
        }
        await page.EvaluateAsync("() => { window.__stopFrames = true; }");
        var gaps = (await page.EvaluateAsync<double[][]>("() => window.__gaps")).Skip(1)
            .Where(g => g[0] < screenshot.Start || g[0] - g[1] > screenshot.End).Select(g => g[1]).ToList();
        string counts = (await page.Locator("#run-counts").TextContentAsync())!;
        Say($"{updating} boards updating (256 KiB, typical flash, wait for reboot): run took {run.Elapsed.TotalSeconds:0.0} s, {counts}");
        Say($"page frame gaps during the run ({gaps.Count} frames): {Stats(gaps)}; filter typed mid-run to painted: {Stats(filterTimes)}, cleared to painted (every row back): {Stats(clearTimes)}");
        Say($"dashboard memory peak while {updating} boards update: {peak}; after: {Rss(dashboard.Pid)}");
        await page.ScreenshotAsync(new() { Path = Path.Combine(DashboardFixture.ScreenshotDirectory, "dashboard-after-100.png") });
    }

    private static long RssKb(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:")) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return 0;
    }

    private static string Rss(int pid) => $"{RssKb(pid) / 1024.0:0.0} MiB RSS";

    private static string Stats(IEnumerable<double> values)
    {
        var v = values.Order().ToList();
        if (v.Count == 0) return "none";
        double P(double q) => v[Math.Min(v.Count - 1, (int)Math.Ceiling(q * v.Count) - 1)];
        return $"median {P(0.5):0} ms, p95 {P(0.95):0} ms, max {v[^1]:0} ms";
    }
}
