using AmebaOta.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AmebaOta.Tests.Dashboard;

/// <summary>
/// The dashboard in a real browser (headless Chromium) against a real <c>device farm</c>, all inside a private namespace.
/// Each test works on boards of its own (see the board numbers), so the shared farm never mixes them up.
/// </summary>
public sealed partial class DashboardBrowserTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>, IAsyncLifetime
{
    private readonly List<IPage> _pages = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var page in _pages) await page.CloseAsync();
    }

    private async Task<IPage> OpenAsync(bool withToken = true)
    {
        var page = await fixture.OpenAsync(withToken);
        _pages.Add(page);
        return page;
    }

    private static readonly LocatorAssertionsToHaveTextOptions Long = new() { Timeout = 60_000 };
    private static readonly LocatorAssertionsToContainTextOptions LongContains = new() { Timeout = 60_000 };

    private static ILocator Row(IPage page, int board) => page.Locator($"#boards tbody tr[data-board=\"{DashboardFixture.Board(board)}\"]");

    private static ILocator State(IPage page, int board) => Row(page, board).Locator("td.update .state");

    [Fact]
    public async Task Every_farm_board_appears_online_and_virtual()
    {
        var page = await OpenAsync();
        for (int i = 1; i <= DashboardFixture.BoardCount; i++)
        {
            await Expect(Row(page, i).Locator("td.seen")).ToHaveTextAsync("online");
            await Expect(Row(page, i).Locator("td.name .tag")).ToHaveTextAsync("virtual");
        }
        await Expect(page.Locator("#counts")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex($@"^\d+ boards, (\d+) online$"));
        await Expect(page.Locator("#no-boards")).ToBeHiddenAsync();
        await DashboardFixture.ScreenshotAsync(page, "boards");
    }

    [Fact]
    public async Task A_board_that_announces_itself_appears_without_a_reload_and_goes_offline_on_goodbye()
    {
        var page = await OpenAsync();
        var row = page.Locator("#boards tbody tr[data-board=\"Latecomer\"]");
        await Expect(row).ToHaveCountAsync(0);
        await using (var advertiser = CommandProcess.StartIn(fixture.Network, fixture.Dir.Path,
            "mdns", "advertise", "--name", "Latecomer", "--port", "5000", "--ip", "127.0.9.9", "--interface", "lo"))
        {
            await Expect(row.Locator("td.seen")).ToHaveTextAsync("online");
            await Expect(row.Locator("td.address")).ToHaveTextAsync("127.0.9.9:5000");
            await Expect(row.Locator("td.name .tag")).ToHaveCountAsync(0);   // not one of the farm's
        }
        // Stopping it sends goodbyes (TTL 0): the row stays, marked as last seen.
        await Expect(row.Locator("td.seen")).ToContainTextAsync("last seen");
    }

    [Fact]
    public async Task Dropping_an_image_shows_image_info_and_an_update_of_three_boards_shows_progress_and_ends_with_three_successes()
    {
        var page = await OpenAsync();
        string v2 = fixture.Dir.File("v2-three.bin");
        File.WriteAllBytes(v2, TestImages.Image(2, size: 128 * 1024));
        var info = await Support.Cli.RunAsync(fixture.Dir.Path, "image", "info", v2);
        await page.Locator("#file").SetInputFilesAsync(v2);
        await Expect(page.Locator("#image-info")).ToHaveTextAsync(info.Stdout.TrimEnd('\n'));   // exactly image info's lines
        await Expect(page.Locator("#image-refusal")).ToBeHiddenAsync();

        await RecordStatesAsync(page);
        int[] boards = [1, 2, 3];
        foreach (int b in boards) await Row(page, b).Locator("td.pick input").CheckAsync();
        await Expect(page.Locator("#start-note")).ToHaveTextAsync("3 boards");
        await page.Locator("#start").ClickAsync();

        await Expect(page.Locator("#run-state")).ToHaveTextAsync("completed", Long);
        foreach (int b in boards) await Expect(State(page, b)).ToContainTextAsync("updated");
        await Expect(page.Locator("#run-counts")).ToHaveTextAsync("3 of 3 done: 3 succeeded, 0 failed");
        var seen = await page.EvaluateAsync<string[]>("() => window.__states");
        // Live: each board went through its states on the page, not just to the end.
        foreach (int b in boards)
        {
            string name = DashboardFixture.Board(b);
            Assert.Contains(seen, s => s.StartsWith(name + ": waiting for reboot"));
            Assert.Contains(seen, s => s.StartsWith(name + ": updated · back in"));
        }
        await DashboardFixture.ScreenshotAsync(page, "update-three");

        // The boards run version 2 now: their serial output says so.
        foreach (int b in boards) await fixture.Farm.Serial.WaitForAsync($"[{DashboardFixture.Board(b)}] This is version 2");

        // The history database has them: the board list's last image, and the history view.
        foreach (int b in boards) await Expect(Row(page, b).Locator("td.last")).ToHaveTextAsync("v2-three.bin v2 · came back");
        await page.Locator("#tab-history").ClickAsync();
        await page.Locator("#h-image").FillAsync("v2-three");
        await page.Locator("#h-image").DispatchEventAsync("change");
        var uploads = page.Locator("#uploads tbody tr");
        await Expect(uploads).ToHaveCountAsync(3);
        foreach (int b in boards)
        {
            var upload = page.Locator($"#uploads tbody tr[data-board=\"{DashboardFixture.Board(b)}\"]");
            await Expect(upload.Locator("td.outcome")).ToHaveTextAsync("came back");
        }
        await DashboardFixture.ScreenshotAsync(page, "history");
    }

    [Fact]
    public async Task The_stop_button_halts_a_staged_rollout_and_the_history_keeps_it_resumable()
    {
        var page = await OpenAsync();
        string v3 = fixture.Dir.File("v3-rollout.bin");
        File.WriteAllBytes(v3, TestImages.Image(3));
        await page.Locator("#file").SetInputFilesAsync(v3);
        await Expect(page.Locator("#image-info")).ToContainTextAsync("version 3");
        int[] boards = [6, 7, 8, 9, 10, 11];
        foreach (int b in boards) await Row(page, b).Locator("td.pick input").CheckAsync();
        await page.Locator("input[name=mode][value=rollout]").CheckAsync();
        await page.Locator("#stages").FillAsync("1,2,3,4,5,6");   // one board per stage, canary first
        await page.Locator("#max-failures").FillAsync("0");
        await page.Locator("#start").ClickAsync();

        await Expect(State(page, 6)).ToContainTextAsync("success", LongContains);   // the canary's stage is done
        await page.Locator("#stop").ClickAsync();
        await Expect(page.Locator("#run-state")).ToHaveTextAsync("stopped", Long);
        await Expect(page.Locator("#run-reason")).ToContainTextAsync("stopped from the page");
        await Expect(page.Locator("#run-reason")).ToContainTextAsync("fleet rollout --resume");
        await Expect(State(page, 11)).ToHaveTextAsync("aborted");
        int succeeded = 0;
        foreach (int b in boards) if ((await State(page, b).TextContentAsync())!.StartsWith("success")) succeeded++;
        Assert.InRange(succeeded, 1, boards.Length - 1);
        Assert.DoesNotContain(fixture.Farm.Serial.Lines, l => l == $"[{DashboardFixture.Board(11)}] This is version 3");
        await DashboardFixture.ScreenshotAsync(page, "rollout-stopped");

        await page.Locator("#tab-history").ClickAsync();
        var rollout = page.Locator("#rollouts details.rollout").Filter(new() { HasText = "v3-rollout" });
        await Expect(rollout.Locator("summary")).ToContainTextAsync("· stopped");
        await Expect(rollout.Locator("summary")).ToContainTextAsync("aborted");

        // The CLI resumes it from the shared database: the boards not done get the image, the done ones are not sent to again.
        string id = (await rollout.GetAttributeAsync("data-rollout"))!;
        var resumed = await fixture.Network.CliAsync(fixture.Dir.Path, TimeSpan.FromSeconds(120), "fleet", "rollout", "--resume", id, "--db", fixture.Dir.File("history.db"));
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        await fixture.Farm.Serial.WaitForAsync($"[{DashboardFixture.Board(11)}] This is version 3");
        Assert.Equal(1, fixture.Farm.Serial.Count($"[{DashboardFixture.Board(6)}] This is version 3"));
    }

    [Fact]
    public async Task A_board_whose_upload_fails_shows_why()
    {
        var page = await OpenAsync();
        string v2 = fixture.Dir.File("v2-fail.bin");
        File.WriteAllBytes(v2, TestImages.Image(2));
        await page.Locator("#file").SetInputFilesAsync(v2);
        await Expect(page.Locator("#image-info")).ToContainTextAsync("version 2");

        // Wi-Fi down on board 4 (its button): its OTA port refuses connections; mDNS goes silent, but its records live on (120 s).
        await Row(page, 4).Locator("td.name button").ClickAsync();
        await page.Locator("#vb-wifi").ClickAsync();
        await Expect(page.Locator("#vb-reply")).ToHaveTextAsync("ok: wifi down");
        try
        {
            await Row(page, 4).Locator("td.pick input").CheckAsync();
            await page.Locator("#parallel").FillAsync("1");
            await page.Locator("#start").ClickAsync();
            await Expect(State(page, 4)).ToHaveTextAsync("failed", Long);
            var why = await Row(page, 4).Locator("td.update .why").TextContentAsync();
            Assert.Contains("127.0.0.5:5000", why);
            await Expect(page.Locator("#run-counts")).ToHaveTextAsync("1 of 1 done: 0 succeeded, 1 failed");
            await DashboardFixture.ScreenshotAsync(page, "failed-board");
        }
        finally
        {
            await page.Locator("#vb-wifi").ClickAsync();
            await Expect(page.Locator("#vb-reply")).ToHaveTextAsync("ok: wifi up");
        }
    }

    [Fact]
    public async Task A_virtual_boards_serial_output_streams_and_its_reset_button_produces_a_new_boot_log()
    {
        var page = await OpenAsync();
        await Row(page, 5).Locator("td.name button").ClickAsync();
        var serial = page.Locator("#vb-serial");
        await Expect(serial).ToContainTextAsync("This is version 1");
        await Expect(serial).ToContainTextAsync("Wait for client");
        int boots = await CountAsync(serial, "===== Enter Image 1 ====");
        Assert.True(boots >= 1);

        await page.Locator("#virtual-panel button[data-command=reset]").ClickAsync();
        await Expect(page.Locator("#vb-reply")).ToHaveTextAsync("ok: reset: the board boots again");
        await page.WaitForFunctionAsync($"() => document.getElementById('vb-serial').textContent.split('===== Enter Image 1 ====').length - 1 > {boots}");
        await Expect(serial).ToContainTextAsync("load NEW fw 0");
        await page.Locator("#virtual-panel button[data-command=status]").ClickAsync();
        await Expect(page.Locator("#vb-reply")).ToContainTextAsync("ok: boots 2;");
        await DashboardFixture.ScreenshotAsync(page, "virtual-board");

        // The recovery pin button holds pin 18 high; the buttons show the board's own state when it is opened again.
        await page.Locator("#vb-pin").ClickAsync();
        await Expect(page.Locator("#vb-reply")).ToHaveTextAsync("ok: pin 18 (PE_5) high: read at the next reset (reset to apply)");
        await Row(page, 12).Locator("td.name button").ClickAsync();
        await Expect(page.Locator("#vb-pin")).ToHaveTextAsync("Recovery pin: low");
        await Row(page, 5).Locator("td.name button").ClickAsync();
        await Expect(page.Locator("#vb-pin")).ToHaveTextAsync("Recovery pin: HIGH (reset to apply)");
        await page.Locator("#vb-pin").ClickAsync();
        await Expect(page.Locator("#vb-reply")).ToHaveTextAsync("ok: pin 18 (PE_5) low: read at the next reset (reset to apply)");
        await Expect(page.Locator("#vb-pin")).ToHaveTextAsync("Recovery pin: low");
    }

    [Fact]
    public async Task Bad_images_get_the_clis_own_sentence_and_nothing_can_start()
    {
        var page = await OpenAsync();
        string notImage = fixture.Dir.File("notes.txt");
        File.WriteAllText(notImage, "these are my notes, not firmware\n");
        var cli = await Support.Cli.RunAsync(fixture.Dir.Path, "upload", notImage, "--ip", "127.0.0.1");
        Assert.Equal(2, cli.ExitCode);
        await page.Locator("#file").SetInputFilesAsync(notImage);
        await Expect(page.Locator("#image-error")).ToHaveTextAsync(cli.Stderr.Trim().Replace(notImage, "notes.txt"));   // named as dropped
        await Expect(page.Locator("#start")).ToBeDisabledAsync();

        string tooLarge = fixture.Dir.File("huge.bin");
        File.WriteAllBytes(tooLarge, TestImages.Image(3, size: 0x80000 + 4096));
        cli = await Support.Cli.RunAsync(fixture.Dir.Path, "upload", tooLarge, "--ip", "127.0.0.1");
        Assert.Equal(2, cli.ExitCode);
        await page.Locator("#file").SetInputFilesAsync(tooLarge);
        // The CLI's sentence, with the page's own control in place of --force.
        await Expect(page.Locator("#image-refusal")).ToHaveTextAsync(cli.Stderr.Trim().Replace("(--force sends it anyway)", "(tick \"force\" to send it anyway)"));
        await Expect(page.Locator("#start")).ToBeDisabledAsync();
        await Expect(page.Locator("#start-note")).ToHaveTextAsync("this image is refused (tick \"force\" to send it anyway)");
        await DashboardFixture.ScreenshotAsync(page, "refused-image");
    }

    [Fact]
    public async Task Without_the_token_the_page_is_read_only_and_the_server_refuses_changes()
    {
        var page = await OpenAsync(withToken: false);
        await page.EvaluateAsync("() => sessionStorage.clear()");
        await page.ReloadAsync();
        await Expect(page.Locator("#token-form")).ToBeVisibleAsync();
        await Expect(page.Locator("#start-note")).ToHaveTextAsync("read-only: paste the token");
        int status = await page.EvaluateAsync<int>(@"async () => (await fetch('/api/virtual/MyAmeba-006/control',
            { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ command: 'reset' }) })).status");
        Assert.Equal(401, status);
        status = await page.EvaluateAsync<int>(@"async () => (await fetch('/api/virtual/MyAmeba-006/control',
            { method: 'POST', headers: { 'Content-Type': 'application/json', 'Authorization': 'Bearer 00000000000000000000000000000000' }, body: JSON.stringify({ command: 'reset' }) })).status");
        Assert.Equal(401, status);
        Assert.DoesNotContain(fixture.Farm.Serial.Lines, l => l.StartsWith("[MyAmeba-006]") && l.Contains("reset"));

        await page.Locator("#token-input").FillAsync(fixture.Dashboard.Token);
        await page.Locator("#token-form button").ClickAsync();
        await Expect(page.Locator("#token-ok")).ToBeVisibleAsync();
        await Expect(page.Locator("#start-note")).ToHaveTextAsync("drop an image first");
    }

    /// <summary>Keeps every state text the update column shows, in order, in <c>window.__states</c> ("MyAmeba-001: sending 42%").</summary>
    private static Task RecordStatesAsync(IPage page) => page.EvaluateAsync(@"() => {
        window.__states = [];
        const body = document.querySelector('#boards tbody');
        new MutationObserver(() => {
            for (const s of body.querySelectorAll('td.update .state')) {
                const text = s.closest('tr').dataset.board + ': ' + s.textContent;
                if (window.__states[window.__states.length - 1] !== text && !window.__states.includes(text)) window.__states.push(text);
            }
        }).observe(body, { subtree: true, childList: true, characterData: true });
    }");

    private static async Task<int> CountAsync(ILocator locator, string text) =>
        ((await locator.TextContentAsync()) ?? "").Split(text).Length - 1;
}
