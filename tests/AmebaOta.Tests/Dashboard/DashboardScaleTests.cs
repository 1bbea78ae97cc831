using System.Net;
using AmebaOta.Fleet.History;
using AmebaOta.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace AmebaOta.Tests.Dashboard;

/// <summary>
/// The board table with 2,000 rows, in Chromium: 1,996 boards the history knows (offline) and 4 live farm boards. Only the
/// rows in view are in the document; the first paint and a filter each take under 100 ms; ticking, the filter and Start
/// keep their meaning (only boards shown and ticked are sent to), whichever rows happen to be drawn.
/// </summary>
public sealed class DashboardScaleTests(ITestOutputHelper output)
{
    private const int Known = 1996, Live = 4, All = Known + Live;

    [Fact]
    public async Task Two_thousand_rows_paint_and_filter_in_under_100_ms_and_only_shown_ticked_boards_start()
    {
        using var dir = new TempDir();
        using (var store = HistoryStore.Open(dir.File("history.db")))
            store.RecordSightings(Enumerable.Range(1, Known).Select(i =>
                new BoardSighting($"MyAmeba-{i:0000}", new IPAddress([127, 60, (byte)(i / 250), (byte)(i % 250 + 1)]), 5000, null, null, DateTimeOffset.UtcNow.AddHours(-1))));
        using var network = await PrivateNetwork.CreateAsync();
        File.WriteAllBytes(dir.File("v1.bin"), TestImages.Image(1));
        await using var farm = FarmProcess.StartIn(network, dir.Path, "--count", Live.ToString(), "--image", "v1.bin", "--flash-timing", "instant",
            "--interface", "lo", "--name-prefix", "Live", "--control", dir.File("farm.sock"));
        await farm.WaitForAllListeningAsync(Live);
        await using var dashboard = await DashboardProcess.StartAsync(network, dir.Path, "--port", "8080", "--interface", "lo", "--attach", dir.File("farm.sock"),
            "--db", dir.File("history.db"));
        await using var browser = await HeadlessChromium.LaunchAsync(dir.Path, network);
        var page = await browser.Context.NewPageAsync();
        await page.GotoAsync(dashboard.Link);
        await Expect(page.Locator("#counts")).ToHaveTextAsync($"{All} boards, {Live} online", new() { Timeout = 60_000 });
        await page.CloseAsync();

        // First paint: a fresh tab, from the snapshot's arrival (and from navigation) to the frame after the rows were drawn.
        var paints = new List<(double Script, double Navigation)>();
        for (int i = 0; i < 5; i++)
        {
            page = await browser.Context.NewPageAsync();
            await page.GotoAsync(dashboard.Link);
            await page.WaitForFunctionAsync("() => performance.getEntriesByName('ameba-boards-painted').length > 0", null, new() { PollingInterval = 10 });
            var marks = await page.EvaluateAsync<double[]>("() => ['ameba-snapshot', 'ameba-boards-painted'].map(n => performance.getEntriesByName(n)[0].startTime)");
            paints.Add((marks[1] - marks[0], marks[1]));
            if (i < 4) await page.CloseAsync();
        }
        await Expect(page.Locator("#counts")).ToHaveTextAsync($"{All} boards, {Live} online");
        int drawn = await page.Locator("#boards tbody tr[data-board]").CountAsync();
        Assert.InRange(drawn, 10, 100);   // a screenful and a few either side, not 2,000

        // A filter typed (2,000 rows to 97) and cleared (all back), each to the frame after the one that shows it.
        var typed = new List<double>();
        var cleared = new List<double>();
        for (int i = 0; i < 5; i++)
        {
            var t = await page.EvaluateAsync<double[]>(@"async () => {
                const painted = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r())));
                const f = document.getElementById('filter');
                let t0 = performance.now();
                f.value = 'MyAmeba-19'; f.dispatchEvent(new Event('input'));
                await painted();
                const typed = performance.now() - t0;
                t0 = performance.now();
                f.value = ''; f.dispatchEvent(new Event('input'));
                await painted();
                return [typed, performance.now() - t0]; }");
            typed.Add(t[0]);
            cleared.Add(t[1]);
        }
        output.WriteLine($"{All} rows: first paint after the snapshot {Stats(paints.Select(p => p.Script))}, from navigation {Stats(paints.Select(p => p.Navigation))}; " +
            $"filter typed {Stats(typed)}, cleared {Stats(cleared)}; {drawn} rows in the document");
        Assert.True(Median(paints.Select(p => p.Script)) < 100, $"first paint {Stats(paints.Select(p => p.Script))}");
        Assert.True(Median(typed) < 100, $"filter typed {Stats(typed)}");
        Assert.True(Median(cleared) < 100, $"filter cleared {Stats(cleared)}");

        // Ticking survives the rows being drawn and dropped: tick the 97 shown, clear the filter, scroll to the end.
        await page.Locator("#filter").FillAsync("MyAmeba-19");
        await Expect(page.Locator("#selected-count")).ToHaveTextAsync($"0 selected · 97 shown");
        await page.Locator("#select-shown").ClickAsync();
        await page.Locator("#filter").FillAsync("");
        await Expect(page.Locator("#selected-count")).ToHaveTextAsync("97 selected");
        await page.Locator("#view-boards .table-wrap").EvaluateAsync("w => { w.scrollTop = w.scrollHeight; }");
        var last = page.Locator("#boards tbody tr[data-board=\"MyAmeba-1996\"]");
        await Expect(last.Locator("td.pick input")).ToBeCheckedAsync();
        Assert.Equal(0, await page.Locator("#boards tbody tr[data-board=\"Live-001\"]").CountAsync());   // scrolled out: not in the document
        Assert.InRange(await page.Locator("#boards tbody tr[data-board]").CountAsync(), 10, 100);
        await page.Locator("#view-boards .table-wrap").EvaluateAsync("w => { w.scrollTop = 0; }");
        await Expect(page.Locator("#boards tbody tr[data-board=\"MyAmeba-0001\"] td.pick input")).Not.ToBeCheckedAsync();
        await page.Locator("#select-none").ClickAsync();
        await Expect(page.Locator("#selected-count")).ToHaveTextAsync("0 selected");

        // Only boards shown and ticked are sent to: two live boards ticked, the filter hides one.
        string v2 = dir.File("v2.bin");
        File.WriteAllBytes(v2, TestImages.Image(2));
        await page.Locator("#file").SetInputFilesAsync(v2);
        await Expect(page.Locator("#image-info")).ToContainTextAsync("version 2");
        await page.Locator("#boards tbody tr[data-board=\"Live-001\"] td.pick input").CheckAsync();
        await page.Locator("#boards tbody tr[data-board=\"Live-002\"] td.pick input").CheckAsync();
        await page.Locator("#filter").FillAsync("Live-001");
        await Expect(page.Locator("#start-note")).ToHaveTextAsync("1 board (1 ticked board hidden by the filter is left out)");
        await page.Locator("#start").ClickAsync();
        await Expect(page.Locator("#run-image")).ToContainTextAsync("to 1 board");
        await Expect(page.Locator("#run-state")).ToHaveTextAsync("completed", new() { Timeout = 60_000 });
        await Expect(page.Locator("#run-airtime")).ToContainTextAsync("airtime: at most");
        await farm.Serial.WaitForAsync("[Live-001] This is version 2");
        Assert.DoesNotContain(farm.Serial.Lines, l => l == "[Live-002] This is version 2");
        await DashboardFixture.ScreenshotAsync(page, "two-thousand-rows");
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToList();
        return v[v.Count / 2];
    }

    private static string Stats(IEnumerable<double> values)
    {
        var v = values.Order().ToList();
        return $"median {v[v.Count / 2]:0} ms (min {v[0]:0}, max {v[^1]:0})";
    }
}
