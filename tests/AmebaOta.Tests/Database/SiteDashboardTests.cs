using System.Net.Http.Json;
using System.Text.Json;
using AmebaOta.Fleet.History;
using AmebaOta.Fleet.Rollouts;
using AmebaOta.Tests.Dashboard;
using AmebaOta.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AmebaOta.Tests.Database;

/// <summary>
/// The dashboard over a shared PostgreSQL database, in a real browser: three sites, each a private namespace with its own farm
/// and agent; the dashboards run in a namespace of their own that sees no board by mDNS, so everything they show of the boards
/// comes from the agents through the database, and everything they send goes through the agents.
/// </summary>
public sealed class SiteDashboardTests(PostgresFixture pg) : IClassFixture<PostgresFixture>
{
    private static readonly LocatorAssertionsToHaveTextOptions Long = new() { Timeout = 120_000 };
    private static readonly LocatorAssertionsToContainTextOptions LongContains = new() { Timeout = 120_000 };
    private readonly LineLog _pageLog = new();

    private static ILocator Row(IPage page, string board) => page.Locator($"#boards tbody tr[data-board=\"{board}\"]");

    private async Task<IPage> OpenAsync(HeadlessChromium browser, DashboardProcess dashboard)
    {
        var page = await browser.Context.NewPageAsync();
        page.Console += (_, m) => _pageLog.Add($"console {m.Type}: {m.Text}");
        page.PageError += (_, e) => _pageLog.Add($"page error: {e}");
        await page.GotoAsync(dashboard.Link);
        await Expect(page.Locator("#connection")).ToHaveTextAsync("live");
        return page;
    }

    private static async Task DropImageAsync(IPage page, string path, uint version)
    {
        await page.Locator("#file").SetInputFilesAsync(path);
        await Expect(page.Locator("#image-info")).ToContainTextAsync($"version {version}");
    }

    [Fact]
    public async Task A_rollout_from_one_dashboard_runs_across_all_three_sites_through_their_agents_and_rides_out_a_lost_database()
    {
        if (Privileges.Skip("the test runs PostgreSQL as the postgres user")) return;
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v1.bin"), TestImages.Image(1));
        File.WriteAllBytes(dir.File("v2.bin"), TestImages.Image(2));
        string url = await pg.Server.NewDatabaseAsync();
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "db", "migrate", "--db", url)).ExitCode);
        var sites = await TestSite.StartManyAsync(dir, url, ["lab", "field", "ci"], 3, "v1.bin");
        using var here = await PrivateNetwork.CreateAsync();
        try
        {
            await using var dashboard = await DashboardProcess.StartAsync(here, dir.Path, "--port", "8080", "--interface", "lo", "--db", url);
            await using var browser = await HeadlessChromium.LaunchAsync(dir.Path, here);
            var page = await OpenAsync(browser, dashboard);

            // Every site's boards, with their site, online by their agents' word; the sites and their agents; the database.
            foreach (var site in sites)
            {
                for (int i = 1; i <= 3; i++)
                {
                    await Expect(Row(page, site.Board(i)).Locator("td.site")).ToHaveTextAsync(site.Name);
                    await Expect(Row(page, site.Board(i)).Locator("td.seen")).ToHaveTextAsync("online");
                }
                var card = page.Locator($"#sites-panel .site-card[data-site=\"{site.Name}\"]");
                await Expect(card.Locator("h3 .pill")).ToHaveTextAsync("1 agent up");
                await Expect(card.Locator(".counts")).ToHaveTextAsync("3 of 3 boards online · 0 open jobs");
                await Expect(card.Locator(".agents li")).ToContainTextAsync($"{site.Name}/");
            }
            await Expect(page.Locator("#counts")).ToHaveTextAsync("9 boards, 9 online");
            await Expect(page.Locator("#database")).ToHaveTextAsync("database");
            await DashboardFixture.ScreenshotAsync(page, "sites");

            // One staged rollout over every board of every site, canary first.
            await DropImageAsync(page, dir.File("v2.bin"), 2);
            await page.Locator("#pattern").FillAsync("*");
            await page.Locator("input[name=mode][value=rollout]").CheckAsync();
            await page.Locator("#stages").FillAsync("1,50%,100%");
            await page.Locator("#max-failures").FillAsync("0");
            await page.Locator("#start").ClickAsync();
            await Expect(page.Locator("#run-image")).ToContainTextAsync("to 9 boards");

            // PostgreSQL goes away after the canary's stage: the page says so, then that it is back; the rollout goes on.
            await Expect(page.Locator("#run-image")).ToContainTextAsync("stage 2 of 3", LongContains);
            await DashboardFixture.ScreenshotAsync(page, "sites-rollout-running");   // docs/images/dashboard-sites.png
            await pg.Server.StopServerAsync();
            await Expect(page.Locator("#database")).ToHaveTextAsync("database lost");
            await Expect(page.Locator("#database-problem")).ToContainTextAsync("lost the database");
            await DashboardFixture.ScreenshotAsync(page, "sites-database-lost");
            await pg.Server.StartServerAsync();
            await Expect(page.Locator("#database")).ToHaveTextAsync("database");
            await Expect(page.Locator("#database-problem")).ToBeHiddenAsync();

            try
            {
                await Expect(page.Locator("#run-state")).ToHaveTextAsync("completed", Long);
            }
            catch (PlaywrightException e)
            {
                throw new InvalidOperationException($"{e.Message}\n--- page\n{_pageLog}\n--- dashboard\n{dashboard.Serial}\n{dashboard.Notes}\n" +
                    string.Join("\n", sites.Select(s => $"--- agent {s.Name}\n{s.Agents[0].Notes}")), e);
            }
            await Expect(page.Locator("#run-counts")).ToHaveTextAsync("9 of 9 done: 9 succeeded, 0 failed");
            foreach (var site in sites)
                for (int i = 1; i <= 3; i++)
                {
                    await Expect(Row(page, site.Board(i)).Locator("td.update .state")).ToContainTextAsync("success");
                    await Expect(Row(page, site.Board(i)).Locator("td.last")).ToHaveTextAsync("v2.bin v2 · came back", Long);
                    Assert.Equal(1, site.OtaSuccesses(i));
                }
            Assert.Contains(dashboard.Notes.Lines, l => l.Contains("reconnected to the database"));
            await DashboardFixture.ScreenshotAsync(page, "sites-rollout");

            // The agents sent and recorded every upload, as asked by the dashboard; the rollout is one over the sites (resumable through them).
            using var store = HistoryStore.Open(url);
            var uploads = store.Uploads();
            Assert.Equal(9, uploads.Count);
            Assert.All(uploads, u => Assert.Equal((UploadOutcome.Rebooted, "dashboard", Actor.OsUser), (u.Outcome, u.Command, u.Actor)));
            foreach (var site in sites)
                Assert.All(uploads.Where(u => u.Board.StartsWith(site.Prefix)), u => Assert.True(u.Site == site.Name && u.Agent!.StartsWith(site.Name + "/")));
            var rollout = new RolloutStore(store).Load(uploads[0].RolloutId!.Value)!;
            Assert.Equal(("completed", "*"), (rollout.State, rollout.Sites));
            Assert.All(rollout.Plan.Boards, b => Assert.Equal(RolloutBoardState.Success, b.State));
        }
        finally
        {
            foreach (var site in sites) await site.DisposeAsync();
        }
    }

    [Fact]
    public async Task Two_dashboards_starting_conflicting_work_one_is_refused_saying_whose_work_it_is_and_each_board_is_updated_by_one_worker_at_a_time()
    {
        if (Privileges.Skip("the test runs PostgreSQL as the postgres user")) return;
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v1.bin"), TestImages.Image(1));
        // About 14 s per board at slow flash speed: the first dashboard's work stays open while the second page and a CLI try theirs.
        File.WriteAllBytes(dir.File("v2.bin"), TestImages.Image(2, size: 128 * 1024));
        File.WriteAllBytes(dir.File("v3.bin"), TestImages.Image(3));
        string url = await pg.Server.NewDatabaseAsync();
        var sites = await TestSite.StartManyAsync(dir, url, ["lab", "field", "ci"], 2, "v1.bin", timing: "slow");
        using var here = await PrivateNetwork.CreateAsync();
        try
        {
            await using var first = await DashboardProcess.StartAsync(here, dir.Path, "--port", "8080", "--interface", "lo", "--db", url);
            await using var second = await DashboardProcess.StartAsync(here, dir.Path, "--port", "8081", "--interface", "lo", "--db", url);
            await using var browser = await HeadlessChromium.LaunchAsync(dir.Path, here);
            var a = await OpenAsync(browser, first);
            var b = await OpenAsync(browser, second);
            var boards = sites.SelectMany(s => new[] { s.Board(1), s.Board(2) }).ToList();
            foreach (var page in new[] { a, b }) await Expect(page.Locator("#counts")).ToHaveTextAsync("6 boards, 6 online");

            // The first dashboard updates every board.
            await DropImageAsync(a, dir.File("v2.bin"), 2);
            await a.Locator("#select-shown").ClickAsync();
            await a.Locator("#start").ClickAsync();
            await Expect(a.Locator("#run-state")).ToHaveTextAsync("running");
            // A CLI asking for the same boards meanwhile is refused the same way (exit 10).
            var cliRun = Support.Cli.RunAsync(dir.Path, "fleet", "rollout", "v3.bin", "--db", url, "--stages", "100%");

            // The second sees that work on its own page (whoever asked for it), and its start over the same boards is refused, saying whose work it is.
            await Expect(Row(b, boards[0]).Locator("td.update .job")).ToContainTextAsync($"for {Actor.OsUser} (dashboard)");
            await DropImageAsync(b, dir.File("v3.bin"), 3);
            await b.Locator("#select-shown").ClickAsync();
            await b.Locator("#start").ClickAsync();
            await Expect(b.Locator("#start-error")).ToContainTextAsync("6 of the boards already have work open: ");
            await Expect(b.Locator("#start-error")).ToContainTextAsync($"{boards.Order(StringComparer.OrdinalIgnoreCase).First()} (job ");
            await Expect(b.Locator("#start-error")).ToContainTextAsync($"asked for by {Actor.OsUser} with dashboard)");
            await Expect(b.Locator("#start-error")).ToContainTextAsync("and 3 more: nothing was started; wait for that work to end, or stop it");
            await Expect(b.Locator("#run-panel")).ToBeHiddenAsync();
            await DashboardFixture.ScreenshotAsync(b, "sites-conflict");
            var cli = await cliRun;
            Assert.True(cli.ExitCode == 10, cli.ToString());
            Assert.Contains("6 of the boards already have work open: ", cli.Stderr);

            await Expect(a.Locator("#run-state")).ToHaveTextAsync("completed", Long);
            await Expect(a.Locator("#run-counts")).ToHaveTextAsync("6 of 6 done: 6 succeeded, 0 failed");
            foreach (var site in sites) for (int i = 1; i <= 2; i++) Assert.Equal(1, site.OtaSuccesses(i));
            // The second page follows: no open work any more, and each board's last image is the first dashboard's.
            foreach (var board in boards)
            {
                await Expect(Row(b, board).Locator("td.update .job")).ToHaveCountAsync(0);
                await Expect(Row(b, board).Locator("td.last")).ToHaveTextAsync("v2.bin v2 · came back", Long);
            }

            // Both start at the same moment (through the API): one gets the boards, the other is refused; no board is sent to twice at once.
            using var httpA = here.NewHttpClient(new Uri(first.Url));
            using var httpB = here.NewHttpClient(new Uri(second.Url));
            string shaA = await AddImageAsync(httpA, first.Token, dir.File("v3.bin"));
            string shaB = await AddImageAsync(httpB, second.Token, dir.File("v3.bin"));
            var starts = await Task.WhenAll(
                StartAsync(httpA, first.Token, shaA, boards),
                StartAsync(httpB, second.Token, shaB, boards));
            var pages = new[] { a, b };
            var ends = new string?[2];
            for (int i = 0; i < 2; i++)
            {
                if (!starts[i].Ok) continue;
                await Expect(pages[i].Locator("#run-id")).ToHaveTextAsync(starts[i].Run!.Value.ToString());
                await Expect(pages[i].Locator("#run-state")).Not.ToHaveTextAsync("running", Long);
                ends[i] = await pages[i].Locator("#run-state").TextContentAsync();
            }
            // Each start either was refused at once (409), or ran and then was refused by the queue ("refused"), or completed: exactly one completed.
            int completed = starts.Select((s, i) => s.Ok && ends[i] == "completed" ? 1 : 0).Sum();
            Assert.True(completed == 1, $"starts: {string.Join(" | ", starts.Select(s => $"{s.Status} {s.Message}"))}; ends: {string.Join(", ", ends)}");
            foreach (var site in sites) for (int i = 1; i <= 2; i++) Assert.Equal(2, site.OtaSuccesses(i));
        }
        finally
        {
            foreach (var site in sites) await site.DisposeAsync();
        }
    }

    private static async Task<string> AddImageAsync(HttpClient http, string token, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/images?name=" + Path.GetFileName(path)) { Content = new ByteArrayContent(File.ReadAllBytes(path)) };
        request.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<(bool Ok, int Status, string Message, long? Run)> StartAsync(HttpClient http, string token, string image, List<string> boards)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/runs") { Content = JsonContent.Create(new { image, boards, mode = "update", waitReboot = true }) };
        request.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(request);
        var reply = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (reply.GetProperty("ok").GetBoolean(), (int)response.StatusCode, reply.GetProperty("message").GetString()!,
            reply.TryGetProperty("run", out var run) && run.ValueKind == JsonValueKind.Number ? run.GetInt64() : null);
    }
}
