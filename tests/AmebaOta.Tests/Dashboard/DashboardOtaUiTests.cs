using System.Net;
using System.Net.Sockets;
using AmebaOta.Protocol.OtaUi;
using AmebaOta.Tests.OtaUi;
using AmebaOta.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AmebaOta.Tests.Dashboard;

/// <summary>
/// <c>dashboard --ota-ui</c> in a real browser: the dashboard (a process) is the OTA UI server three virtual AMB82-mini
/// boards beat to (the protocol layer's board client in the test process, its clock 10 times faster; one built with
/// OTA Mode: Disable, its 64 KiB slot too small for the image). They appear with family and OTA UI state; ticking them and
/// pressing Start triggers them, the page follows their heartbeats, and the one that fails says why and what to do.
/// </summary>
public sealed class DashboardOtaUiTests
{
    private static readonly LocatorAssertionsToHaveTextOptions Long = new() { Timeout = 45_000 };
    private static readonly LocatorAssertionsToContainTextOptions LongContains = new() { Timeout = 45_000 };

    private static IPEndPoint FreeServer() => OtaUiTestServer.FreeEndPoint();

    private static Task RecordStatesAsync(IPage page) => page.EvaluateAsync(@"() => {
        window.__states = [];
        const body = document.querySelector('#boards tbody');
        new MutationObserver(() => {
            for (const s of body.querySelectorAll('td.update .state')) {
                const text = s.closest('tr').dataset.board + ': ' + s.textContent;
                if (!window.__states.includes(text)) window.__states.push(text);
            }
        }).observe(body, { subtree: true, childList: true, characterData: true });
    }");

    private static Task<DashboardProcess> DashboardAsync(TempDir dir, IPEndPoint server, params string[] more) =>
        DashboardProcess.StartAsync(null, dir.Path, ["--port", "0", "--interface", "lo", "--db", dir.File("history.db"), "--ota-ui", "--ota-ui-listen", server.ToString(), .. more]);

    /// <summary>Virtual AMB82-mini boards at 127.0.<paramref name="subnet"/>.1 …, running version 1, beating to <paramref name="server"/>.</summary>
    private static List<Pro2TestBoard> Boards(IPEndPoint server, int subnet, int count, Func<int, bool>? otaMode = null, double speedup = OtaUiTestServer.Speedup)
    {
        var boards = new List<Pro2TestBoard>();
        for (int i = 1; i <= count; i++)
        {
            var board = new Pro2TestBoard(IPAddress.Parse($"127.0.{subnet}.{i}"), Pro2TestBoard.Image(1, server, timestamp: 1_700_000_000), server,
                speedup, otaMode?.Invoke(i) ?? true);
            board.Start();
            boards.Add(board);
        }
        return boards;
    }

    [Fact]
    public async Task OTA_UI_boards_appear_with_family_and_state_and_Start_updates_them_and_a_failure_says_why()
    {
        using var dir = new TempDir();
        var server = FreeServer();
        await using var dashboard = await DashboardAsync(dir, server);
        await using var browser = await HeadlessChromium.LaunchAsync(dir.Path);
        var boards = Boards(server, 44, 3, otaMode: i => i != 2);
        try
        {
            var page = await browser.Context.NewPageAsync();
            await page.GotoAsync(dashboard.Link);
            await Expect(page.Locator("#connection")).ToHaveTextAsync("live");
            ILocator Row(int i) => page.Locator($"#boards tbody tr[data-board=\"127.0.44.{i}:5000\"]");
            for (int i = 1; i <= 3; i++)
            {
                await Expect(Row(i).Locator("td.family")).ToHaveTextAsync("amebapro2");
                await Expect(Row(i).Locator("td.seen")).ToContainTextAsync("OTA UI: idle");
                await Expect(Row(i).Locator("td.address")).ToHaveTextAsync($"127.0.44.{i}:5000");
            }

            string v2 = dir.File("ota.bin");
            File.WriteAllBytes(v2, Pro2TestBoard.Image(2, server, timestamp: 1_700_000_500, size: 256 * 1024 + 4));
            await page.Locator("#file").SetInputFilesAsync(v2);
            await Expect(page.Locator("#image-info")).ToContainTextAsync("AmebaPro2 ota.bin");
            await Expect(page.Locator("#image-refusal")).ToBeHiddenAsync();
            for (int i = 1; i <= 3; i++) await Row(i).Locator("td.pick input").CheckAsync();
            await Expect(page.Locator("#start-note")).ToHaveTextAsync("3 boards");
            await RecordStatesAsync(page);
            await page.Locator("#start").ClickAsync();

            await Expect(page.Locator("#run-state")).ToHaveTextAsync("completed", Long);
            // Live: the page followed each board through its heartbeats to the restart, not just to the end ("connecting" and
            // "sending" can fall between two page updates on a quick machine: the restart, ~1 s of heartbeats, cannot).
            var seen = await page.EvaluateAsync<string[]>("() => window.__states");
            foreach (int i in new[] { 1, 3 })
                Assert.Contains(seen, t => t.StartsWith($"127.0.44.{i}:5000: waiting for reboot"));
            await Expect(page.Locator("#run-counts")).ToHaveTextAsync("3 of 3 done: 2 succeeded, 1 failed");
            await Expect(Row(1).Locator("td.update .state")).ToContainTextAsync("updated");
            await Expect(Row(3).Locator("td.update .state")).ToContainTextAsync("updated");
            await Expect(Row(2).Locator("td.update .state")).ToContainTextAsync("failed");
            await Expect(Row(2).Locator("td.update .why")).ToContainTextAsync("OTA Mode: Disable");
            await Expect(Row(2).Locator("td.update .why")).ToContainTextAsync("reset");
            // The build each took is the history's: the list shows the image the updated boards came back with.
            await Expect(Row(1).Locator("td.last")).ToContainTextAsync("ota.bin", LongContains);
            Assert.Equal(2, boards[0].LastBoot!.ChosenSlot);
            Assert.Equal(2, boards[2].LastBoot!.ChosenSlot);

            // A board that stops beating is shown gone.
            await boards[2].DisposeAsync();
            await Expect(Row(3).Locator("td.seen")).ToContainTextAsync("OTA UI: gone", LongContains);
            await DashboardFixture.ScreenshotAsync(page, "ota-ui");
        }
        finally
        {
            foreach (var b in boards) await b.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_board_stuck_elsewhere_is_explained_force_sends_a_refused_image_and_a_staged_rollout_of_an_OTA_UI_image_runs_from_the_page()
    {
        using var dir = new TempDir();
        var server = FreeServer();
        await using var dashboard = await DashboardAsync(dir, server);
        await using var browser = await HeadlessChromium.LaunchAsync(dir.Path);
        var boards = Boards(server, 45, 4);
        try
        {
            var page = await browser.Context.NewPageAsync();
            await page.GotoAsync(dashboard.Link);
            await Expect(page.Locator("#connection")).ToHaveTextAsync("live");
            ILocator Row(int i) => page.Locator($"#boards tbody tr[data-board=\"127.0.45.{i}:5000\"]");
            for (int i = 1; i <= 4; i++) await Expect(Row(i).Locator("td.seen")).ToContainTextAsync("OTA UI: idle", LongContains);

            // Board 4 is triggered by someone else (Realtek's page, a script): it asks this server, which has nothing for it, and stays COMPLETED.
            await ScriptedOtaUiServer.TriggerAsync(new IPEndPoint(boards[3].Address, 5000));
            await Expect(Row(4).Locator("td.seen")).ToContainTextAsync("OTA UI: completed", LongContains);
            await Expect(Row(4).Locator("td.seen .otaui-note")).ToContainTextAsync("without having downloaded from this server");
            await Expect(Row(4).Locator("td.seen .otaui-note")).ToContainTextAsync("ignores triggers until it is reset");
            await Expect(Row(1).Locator("td.seen .otaui-note")).ToHaveCountAsync(0);

            // An image the checks refuse: the page says how to send it anyway, and "force" does.
            var bad = Pro2TestBoard.Image(2, server, timestamp: 1_700_000_400);
            bad[^1] ^= 0xFF;
            File.WriteAllBytes(dir.File("bad.bin"), bad);
            await page.Locator("#file").SetInputFilesAsync(dir.File("bad.bin"));
            await Expect(page.Locator("#image-refusal")).ToContainTextAsync("(tick \"force\" to send it anyway)");
            Assert.DoesNotContain("--force", await page.Locator("#image-refusal").TextContentAsync());
            await Row(3).Locator("td.pick input").CheckAsync();
            await Expect(page.Locator("#start-note")).ToHaveTextAsync("this image is refused (tick \"force\" to send it anyway)");
            await Expect(page.Locator("#start")).ToBeDisabledAsync();
            await page.Locator("#force").CheckAsync();
            await Expect(page.Locator("#start-note")).ToHaveTextAsync("1 board");
            await page.Locator("#start").ClickAsync();
            await Expect(page.Locator("#run-state")).ToHaveTextAsync("completed", Long);
            await Expect(page.Locator("#run-counts")).ToHaveTextAsync("1 of 1 done: 0 succeeded, 1 failed");
            await Expect(Row(3).Locator("td.update .state")).ToContainTextAsync("failed");   // it took every byte and refused the checksum
            await page.Locator("#force").UncheckAsync();
            await Row(3).Locator("td.pick input").UncheckAsync();

            // A staged rollout of an OTA UI image: a canary, then the rest, each board triggered, served and judged here.
            File.WriteAllBytes(dir.File("v2.bin"), Pro2TestBoard.Image(2, server, timestamp: 1_700_000_500));
            await page.Locator("#file").SetInputFilesAsync(dir.File("v2.bin"));
            await Expect(page.Locator("#image-refusal")).ToBeHiddenAsync();
            await page.Locator("input[name=mode][value=rollout]").CheckAsync();
            await page.Locator("#stages").FillAsync("1,100%");
            foreach (int i in new[] { 1, 2 }) await Row(i).Locator("td.pick input").CheckAsync();
            await page.Locator("#start").ClickAsync();
            await Expect(page.Locator("#run-state")).ToHaveTextAsync("completed", Long);
            await Expect(page.Locator("#run-image")).ToContainTextAsync("staged rollout of v2.bin");
            await Expect(page.Locator("#run-image")).ToContainTextAsync("stage 2 of 2");
            await Expect(page.Locator("#run-counts")).ToHaveTextAsync("2 of 2 done: 2 succeeded, 0 failed");
            await Expect(Row(1).Locator("td.update .state")).ToContainTextAsync("success");
            await Expect(Row(2).Locator("td.update .state")).ToContainTextAsync("success");
            Assert.Equal(2, boards[0].LastBoot!.ChosenSlot);
            Assert.Equal(2, boards[1].LastBoot!.ChosenSlot);

            var history = await Support.Cli.RunAsync(dir.Path, "history", "--db", dir.File("history.db"));
            Assert.Contains(history.Lines, l => l.Contains("127.0.45.1:5000") && l.Contains("v2.bin"));
        }
        finally
        {
            foreach (var b in boards) await b.DisposeAsync();
        }
    }

    private static bool Triggered(Pro2TestBoard board) => board.Serial.Any(l => l.Contains("A client connected to this server", StringComparison.Ordinal));

    [Fact]
    public async Task Stop_on_the_page_during_a_staged_OTA_UI_rollout_triggers_no_other_board_follows_the_triggered_one_to_its_end_and_records_it_stopped()
    {
        using var dir = new TempDir();
        var server = FreeServer();
        await using var dashboard = await DashboardAsync(dir, server);
        await using var browser = await HeadlessChromium.LaunchAsync(dir.Path);
        // Real time (the one such test): the board holds the trigger's connection 500 ms after its echo, and Stop lands in it.
        var boards = Boards(server, 47, 3, speedup: 1);
        try
        {
            var page = await browser.Context.NewPageAsync();
            await page.GotoAsync(dashboard.Link);
            await Expect(page.Locator("#connection")).ToHaveTextAsync("live");
            ILocator Row(int i) => page.Locator($"#boards tbody tr[data-board=\"127.0.47.{i}:5000\"]");
            for (int i = 1; i <= 3; i++) await Expect(Row(i).Locator("td.seen")).ToContainTextAsync("OTA UI: idle", LongContains);

            File.WriteAllBytes(dir.File("v2.bin"), Pro2TestBoard.Image(2, server, timestamp: 1_700_000_500, size: 1024 * 1024 + 4));
            await page.Locator("#file").SetInputFilesAsync(dir.File("v2.bin"));
            await Expect(page.Locator("#image-refusal")).ToBeHiddenAsync();
            await page.Locator("input[name=mode][value=rollout]").CheckAsync();
            await page.Locator("#stages").FillAsync("1,100%");
            for (int i = 1; i <= 3; i++) await Row(i).Locator("td.pick input").CheckAsync();
            await page.Locator("#start").ClickAsync();

            // The canary is triggered; Stop is pressed at once, while the host still waits for the trigger's echo and close.
            Pro2TestBoard? canary = null;
            using (var triggered = new CancellationTokenSource(TimeSpan.FromSeconds(45)))
                while ((canary = boards.FirstOrDefault(Triggered)) is null) await Task.Delay(10, triggered.Token);
            await page.Locator("#stop").ClickAsync();
            await Expect(page.Locator("#run-state")).ToHaveTextAsync("stopped", Long);

            // The triggered board was followed to its end: it took the image, restarted on it, and the run says so.
            int c = boards.IndexOf(canary) + 1;
            await Expect(Row(c).Locator("td.update .state")).ToContainTextAsync("success", LongContains);
            Assert.Equal(2, canary.LastBoot!.ChosenSlot);
            await Expect(page.Locator("#run-counts")).ToContainTextAsync("1 succeeded, 0 failed");
            await Expect(page.Locator("#run-reason")).ToContainTextAsync("stopped from the page");
            // No other board was triggered, then or later (a stage that carried on would have within a heartbeat or two).
            await Task.Delay(TimeSpan.FromSeconds(4));
            foreach (var other in boards.Where(b => b != canary))
            {
                Assert.False(Triggered(other), $"{other.Address} was triggered after the stop");
                Assert.Equal(1, other.Boots);
                Assert.Equal(OtaUiState.Idle, other.State);
            }

            // The history records the rollout stopped (resumable), as 'fleet rollout --stop' leaves it.
            string runId = (await page.Locator("#run-id").TextContentAsync())!;
            long rollout = long.Parse(System.Text.RegularExpressions.Regex.Match(runId, @"rollout (\d+)").Groups[1].Value);
            using var store = AmebaOta.Fleet.History.HistoryStore.Open(dir.File("history.db"));
            Assert.Equal("stopped", new AmebaOta.Fleet.Rollouts.RolloutStore(store).Load(rollout)!.State);
        }
        finally
        {
            foreach (var b in boards) await b.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_AmebaD_image_started_from_the_page_on_an_OTA_Http_board_that_beats_here_goes_by_OTA_UI_not_by_push()
    {
        using var dir = new TempDir();
        var server = FreeServer();
        string baseIp = FarmProcess.UniqueBaseIp();
        string v1 = dir.File("v1.bin"), v2 = dir.File("km0_km4_image2.bin");
        foreach (var (version, file) in new[] { ("1", v1), ("2", v2) })
        {
            var made = await Support.Cli.RunAsync(dir.Path, "image", "make", "--family", "amebad", "--mode", "ota-http", "--server", server.ToString(),
                "--version", version, "-o", file);
            Assert.True(made.ExitCode == 0, made.ToString());
        }
        await using var farm = FarmProcess.Start(dir.Path, "--family", "amebad", "--count", "1", "--image", v1, "--base-ip", baseIp, "--port", "5000",
            "--sketch-delays", "short");
        await using var dashboard = await DashboardAsync(dir, server, "--ota-ui-family", "amebad");
        await using var browser = await HeadlessChromium.LaunchAsync(dir.Path);
        var page = await browser.Context.NewPageAsync();
        await page.GotoAsync(dashboard.Link);
        var row = page.Locator($"#boards tbody tr[data-board=\"{baseIp}:5000\"]");
        await Expect(row.Locator("td.seen")).ToContainTextAsync("OTA UI: idle", LongContains);
        await Expect(row.Locator("td.family")).ToHaveTextAsync("amebad");

        await page.Locator("#file").SetInputFilesAsync(v2);
        await Expect(page.Locator("#image-refusal")).ToBeHiddenAsync();
        await row.Locator("td.pick input").CheckAsync();
        await page.Locator("#start").ClickAsync();
        await Expect(page.Locator("#run-state")).ToHaveTextAsync("completed", Long);
        await Expect(page.Locator("#run-counts")).ToHaveTextAsync("1 of 1 done: 1 succeeded, 0 failed");
        // Pulled after start_ota (OTA_Http), not pushed: the board announced the trigger and downloaded from the dashboard.
        await farm.Serial.WaitForAsync("[MyAmeba-001] [OTA] Received start OTA signal from UI.");
        await farm.Serial.WaitForAsync(l => l.StartsWith("[MyAmeba-001] [http_update_ota] Download new firmware begin"), "the download");
        await farm.Serial.WaitForAsync("[MyAmeba-001] This is version 2");
    }
}
