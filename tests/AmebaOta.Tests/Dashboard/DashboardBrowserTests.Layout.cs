using AmebaOta.Fleet.History;
using AmebaOta.Images;
using AmebaOta.Tests.Support;
using Microsoft.Playwright;
using AmebaOta.Families.Ameba1.Images;
using static Microsoft.Playwright.Assertions;

namespace AmebaOta.Tests.Dashboard;

/// <summary>What the page shows matches what it does: safe defaults, no hidden boards in a run, honest progress, nothing cut off or out of sight.</summary>
public sealed partial class DashboardBrowserTests
{
    [Fact]
    public async Task A_rollouts_max_failures_defaults_to_0_as_the_cli_does()
    {
        var page = await OpenAsync();
        await page.Locator("input[name=mode][value=rollout]").CheckAsync();
        await Expect(page.Locator("#max-failures")).ToHaveValueAsync("0");
    }

    /// <summary>Boards ticked, then hidden by the filter, are not sent to: Start goes to the boards shown and ticked, and says so.</summary>
    [Fact]
    public async Task Start_sends_only_to_the_ticked_boards_the_filter_shows()
    {
        var page = await OpenAsync();
        string v2 = fixture.Dir.File("v2-filtered.bin");
        File.WriteAllBytes(v2, TestImages.Image(2));
        await page.Locator("#file").SetInputFilesAsync(v2);
        await Expect(page.Locator("#image-info")).ToContainTextAsync("version 2");
        await Row(page, 13).Locator("td.pick input").CheckAsync();
        await Row(page, 14).Locator("td.pick input").CheckAsync();
        await page.Locator("#filter").FillAsync(DashboardFixture.Board(13));
        await Expect(Row(page, 14)).ToBeHiddenAsync();
        await Expect(page.Locator("#start-note")).ToHaveTextAsync("1 board (1 ticked board hidden by the filter is left out)");

        await page.Locator("#start").ClickAsync();
        await Expect(page.Locator("#run-image")).ToContainTextAsync("to 1 board");
        await Expect(page.Locator("#run-state")).ToHaveTextAsync("completed", Long);
        await Expect(State(page, 13)).ToContainTextAsync("updated");
        await page.Locator("#filter").FillAsync("");
        await Expect(Row(page, 14).Locator("td.update")).ToHaveTextAsync("");   // never part of the run
        Assert.DoesNotContain(fixture.Farm.Serial.Lines, l => l == $"[{DashboardFixture.Board(14)}] This is version 2");

        // Every ticked board hidden: nothing can start, and the note says why.
        await page.Locator("#filter").FillAsync("no-such-board");
        await Expect(page.Locator("#start")).ToBeDisabledAsync();
        await Expect(page.Locator("#start-note")).ToHaveTextAsync("the 2 ticked boards are hidden by the filter");
    }

    /// <summary>A run stopped before any board finished shows an empty bar, not a full one; the bar counts boards that ended by an attempt.</summary>
    [Fact]
    public async Task A_stopped_run_shows_the_boards_it_finished_not_the_ones_it_aborted()
    {
        var page = await OpenAsync();
        string v3 = fixture.Dir.File("v3-stopped.bin");
        File.WriteAllBytes(v3, TestImages.Image(3));
        await page.Locator("#file").SetInputFilesAsync(v3);
        await Expect(page.Locator("#image-info")).ToContainTextAsync("version 3");
        foreach (int b in new[] { 15, 16 }) await Row(page, b).Locator("td.pick input").CheckAsync();
        await page.Locator("input[name=mode][value=rollout]").CheckAsync();
        await page.Locator("#stages").FillAsync("1,2");
        await page.Locator("#start").ClickAsync();
        await page.Locator("#stop").ClickAsync();
        await Expect(page.Locator("#run-state")).ToHaveTextAsync("stopped", Long);

        var counts = System.Text.RegularExpressions.Regex.Match((await page.Locator("#run-counts").TextContentAsync())!,
            @"^2 of 2 done: (\d) succeeded, (\d) failed, (\d) aborted$");
        Assert.True(counts.Success, await page.Locator("#run-counts").TextContentAsync());
        Assert.True(int.Parse(counts.Groups[3].Value) >= 1, "the stop came too late to abort a board");
        int finished = int.Parse(counts.Groups[1].Value) + int.Parse(counts.Groups[2].Value);
        Assert.Equal(finished, await page.Locator("#run-progress").EvaluateAsync<int>("p => p.value"));
        Assert.Equal(2, await page.Locator("#run-progress").EvaluateAsync<int>("p => p.max"));
        await DashboardFixture.ScreenshotAsync(page, "run-stopped-early");
    }

    /// <summary>
    /// While a run goes, its panel and the Stop button are on screen without scrolling, on a laptop's 1366 × 768 as on
    /// 1440 × 900 (where Start stays in view too), with an image's info shown and the rollout form open.
    /// </summary>
    [Fact]
    public async Task The_run_panel_and_its_stop_button_are_in_view()
    {
        var page = await OpenAsync();
        string v2 = fixture.Dir.File("v2-view.bin");
        File.WriteAllBytes(v2, TestImages.Image(2));
        await page.Locator("#file").SetInputFilesAsync(v2);
        await Expect(page.Locator("#image-info")).ToContainTextAsync("version 2");
        await page.Locator("input[name=mode][value=rollout]").CheckAsync();
        // The panel as a run shows it (this test starts none: the other tests' boards stay theirs).
        await page.EvaluateAsync(@"() => {
            document.getElementById('run-panel').hidden = false; document.getElementById('stop').hidden = false;
            document.getElementById('run-image').textContent = 'staged rollout of v2-view.bin (version 2) to 16 boards · stage 1 of 4 · waiting for each to come back';
            document.getElementById('run-counts').textContent = '0 of 16 done: 0 succeeded, 0 failed';
            document.getElementById('run-reason').textContent = 'stopped from the page (resume: ameba-ota fleet rollout --resume 12)';
        }");
        foreach (var (width, height, start) in new[] { (1366, 768, false), (1440, 900, true) })
        {
            await page.SetViewportSizeAsync(width, height);
            Assert.Equal(0, await page.EvaluateAsync<int>("() => window.scrollY"));
            var stop = (await page.Locator("#stop").BoundingBoxAsync())!;
            Assert.True(stop.Y + stop.Height <= height, $"the Stop button is at y={stop.Y} on a {width} × {height} window");
            if (!start) continue;
            var box = (await page.Locator("#start").BoundingBoxAsync())!;
            Assert.True(box.Y + box.Height <= height, $"the Start button is at y={box.Y} on a {width} × {height} window");
        }
        await DashboardFixture.ScreenshotAsync(page, "run-panel-in-view");
    }

    /// <summary>At 1400 px a long reason wraps in the History table instead of pushing it sideways.</summary>
    [Fact]
    public async Task A_long_reason_wraps_in_the_history_at_1400_px()
    {
        using (var store = HistoryStore.Open(fixture.Dir.File("history.db")))
        {
            var image = ImageIdentity.Of(ImageFile.Parse(TestImages.Image(4)), "v4-long-reason.bin");
            long id = store.BeginUpload(new UploadStart("Long-Reason-Board", new System.Net.IPEndPoint(System.Net.IPAddress.Parse("127.0.8.8"), 5000), false, image, "upload"));
            store.FinishUpload(id, new UploadEnd(UploadOutcome.Failed,
                string.Concat(Enumerable.Repeat("the board acknowledged nothing for 63 s while it erased, so the connection was reset; ", 6)) +
                "/a/very/long/path/without/any/space/" + new string('x', 120), 5));
        }
        var page = await OpenAsync();
        await page.SetViewportSizeAsync(1400, 900);
        await page.Locator("#tab-history").ClickAsync();
        await page.Locator("#h-board").FillAsync("Long-Reason-Board");
        await page.Locator("#h-board").DispatchEventAsync("change");
        await Expect(page.Locator("#uploads tbody tr")).ToHaveCountAsync(1);
        var wrap = page.Locator("#view-history .table-wrap");
        Assert.True(await wrap.EvaluateAsync<bool>("w => w.scrollWidth <= w.clientWidth"), "the History table is wider than its box");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways");
        await DashboardFixture.ScreenshotAsync(page, "history-long-reason");
    }

    /// <summary>At 800 px every address shows whole; a virtual board's serial lines wrap instead of running off its log.</summary>
    [Fact]
    public async Task Nothing_is_cut_off_at_800_px_and_the_serial_log_wraps()
    {
        var page = await OpenAsync();
        await page.SetViewportSizeAsync(800, 900);
        await Expect(Row(page, DashboardFixture.BoardCount).Locator("td.address")).ToHaveTextAsync($"127.0.0.{DashboardFixture.BoardCount + 1}:5000");
        var cut = await page.EvaluateAsync<string[]>(
            "() => Array.from(document.querySelectorAll('#boards td.address')).filter(td => td.scrollWidth > td.clientWidth).map(td => td.textContent)");
        Assert.True(cut.Length == 0, "addresses cut off: " + string.Join(", ", cut));

        foreach (var (width, height) in new[] { (800, 900), (1440, 900) })
        {
            await page.SetViewportSizeAsync(width, height);
            await Row(page, 14).Locator("td.name button").ClickAsync();
            await Expect(page.Locator("#vb-serial")).ToContainTextAsync("Flash Image2:Addr");
            Assert.True(await page.Locator("#vb-serial").EvaluateAsync<bool>("p => p.scrollWidth <= p.clientWidth"), $"the serial log runs off its box at {width} px");
        }
        await DashboardFixture.ScreenshotAsync(page, "virtual-board-1440");
    }
}
