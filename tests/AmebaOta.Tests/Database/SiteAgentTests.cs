using System.Text.Json;
using AmebaOta.Fleet.History;
using AmebaOta.Fleet.Sites;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Database;

/// <summary>
/// Sites for real: each site is a private network namespace of its own with a <c>device farm</c> and an <c>ameba-ota agent</c>
/// (their mDNS cannot see each other: the agent is the only bridge); PostgreSQL is a throwaway cluster whose unix socket every
/// namespace reaches. Rollouts run from the test's own namespace, where no board is visible: only the agents can send.
/// </summary>
public class SiteAgentTests(PostgresFixture pg) : IClassFixture<PostgresFixture>
{
    private sealed class Site(string name, PrivateNetwork network, FarmProcess farm, string prefix) : IAsyncDisposable
    {
        public string Name => name;
        public PrivateNetwork Network => network;
        public FarmProcess Farm => farm;
        public string Prefix => prefix;
        public List<CommandProcess> Agents { get; } = [];

        public int OtaSuccesses(int board) => farm.Serial.Lines.Count(l => l == $"[{prefix}-{board:000}] OTA success");

        public async ValueTask DisposeAsync()
        {
            foreach (var a in Agents) await a.DisposeAsync();
            await farm.DisposeAsync();
            network.Dispose();
        }
    }

    private static async Task<Site> StartSiteAsync(TempDir dir, string name, int boards, string image, string timing = "typical")
    {
        var network = await PrivateNetwork.CreateAsync(256 * 1024);
        string prefix = name.ToUpperInvariant() + Guid.NewGuid().ToString("n")[..4];
        var farm = FarmProcess.StartIn(network, dir.Path, "--count", boards.ToString(), "--image", image, "--dir", $"boards-{name}", "--base-ip", "127.0.0.2",
            "--name-prefix", prefix, "--interface", "lo", "--flash-timing", timing, "--control", dir.File($"{name}.sock"));
        await farm.WaitForAllListeningAsync(boards);
        return new Site(name, network, farm, prefix);
    }

    private static async Task<CommandProcess> StartAgentAsync(Site site, TempDir dir, string url, double lease = 3)
    {
        var agent = CommandProcess.StartIn(site.Network, dir.Path, "agent", "--db", url, "--site", site.Name, "--interface", "lo", "--lease", lease.ToString(System.Globalization.CultureInfo.InvariantCulture));
        site.Agents.Add(agent);
        await agent.Notes.WaitForAsync(l => l.Contains("waiting for work"), "the agent's ready line", timeout: TimeSpan.FromSeconds(30));
        return agent;
    }

    /// <summary>Waits until the site's agents have recorded every board of the site.</summary>
    private static async Task WaitForBoardsAsync(string url, string site, int count)
    {
        using var store = HistoryStore.Open(url);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (store.Boards().Count(b => b.Site == site) < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the agent of {site} recorded {store.Boards().Count(b => b.Site == site)} of {count} boards");
            await Task.Delay(100);
        }
    }

    private static List<JsonElement> Events(LineLog log) => [.. log.Lines.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement)];

    [Fact]
    public async Task One_rollout_across_three_sites_is_sent_by_their_agents_and_rides_out_a_PostgreSQL_restart()
    {
        if (Privileges.Skip("the test runs PostgreSQL as the postgres user")) return;
        using var dir = new TempDir();
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "image", "make", "--version", "1", "-o", "v1.bin")).ExitCode);
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "image", "make", "--version", "2", "-o", "v2.bin")).ExitCode);
        string url = await pg.Server.NewDatabaseAsync();
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "db", "migrate", "--db", url)).ExitCode);
        var sites = new List<Site>();
        try
        {
            foreach (var name in new[] { "lab", "field", "ci" }) sites.Add(await StartSiteAsync(dir, name, 3, "v1.bin"));
            foreach (var site in sites) await StartAgentAsync(site, dir, url);
            foreach (var site in sites) await WaitForBoardsAsync(url, site.Name, 3);

            var listed = await Support.Cli.RunAsync(dir.Path, "sites", "--json", "--db", url);
            var siteRows = JsonDocument.Parse(listed.Stdout).RootElement.GetProperty("sites").EnumerateArray().ToList();
            Assert.Equal(["ci", "field", "lab"], siteRows.Select(s => s.GetProperty("name").GetString()));
            Assert.All(siteRows, s => Assert.Equal((1, 3), (s.GetProperty("agentsUp").GetInt32(), s.GetProperty("boardsOnline").GetInt32())));

            // From here (no board visible by mDNS): one rollout over all nine boards, canary first; PostgreSQL restarts after stage 1.
            await using var rollout = CommandProcess.Start(dir.Path, "fleet", "rollout", "v2.bin", "--db", url, "--stages", "1,50%,100%", "--pause-between", "3",
                "--wait-reboot", "20", "--json");
            await rollout.Serial.WaitForAsync(l => l.Contains("\"event\":\"stage\"") && l.Contains("\"stage\":1") && l.Contains("\"finished\""), "stage 1's end", timeout: TimeSpan.FromSeconds(60));
            await pg.Server.RestartAsync(down: TimeSpan.FromSeconds(2));
            Assert.Equal(0, await rollout.WaitForExitAsync(TimeSpan.FromSeconds(120)));

            var events = Events(rollout.Serial);
            Assert.Equal(9, events.Count(e => e.GetProperty("event").GetString() == "board" && e.GetProperty("state").GetString() == "success"));
            Assert.Equal("completed", events[^1].GetProperty("result").GetString());
            foreach (var site in sites)
                for (int i = 1; i <= 3; i++) Assert.Equal(1, site.OtaSuccesses(i));

            using var store = HistoryStore.Open(url);
            var uploads = store.Uploads();
            Assert.Equal(9, uploads.Count);
            Assert.All(uploads, u => Assert.Equal(UploadOutcome.Rebooted, u.Outcome));
            foreach (var site in sites)
                Assert.All(uploads.Where(u => u.Board.StartsWith(site.Prefix)), u => Assert.Equal((site.Name, Actor.OsUser, "fleet rollout"), (u.Site, u.Actor, u.Command)));
            Assert.All(store.Boards().Where(b => b.Site is not null), b => Assert.True(b.BelievedVerified && b.Believed!.Image.SketchVersion == 2));
            // The restart was noticed and ridden out, by the rollout and by the agents.
            Assert.Contains(rollout.Notes.Lines, l => l.Contains("reconnected to the database") || l.Contains("is back"));
            Assert.Contains(sites.SelectMany(s => s.Agents[0].Notes.Lines), l => l.Contains("lost the database"));
            Assert.Contains(store.AuditTrail(), a => a.Action == "rollout.create" && a.Actor == Actor.OsUser);
        }
        finally
        {
            foreach (var site in sites) await site.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_agent_killed_mid_transfer_is_taken_over_by_another_at_its_site_and_the_board_is_updated_once()
    {
        if (Privileges.Skip("the test runs PostgreSQL as the postgres user")) return;
        using var dir = new TempDir();
        // v2 is large enough to take seconds at typical flash speed.
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "image", "make", "--version", "1", "-o", "v1.bin")).ExitCode);
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "image", "make", "--version", "2", "--size", "256K", "-o", "v2.bin")).ExitCode);
        string url = await pg.Server.NewDatabaseAsync();
        await using var site = await StartSiteAsync(dir, "plant", 1, "v1.bin");
        var first = await StartAgentAsync(site, dir, url);
        await WaitForBoardsAsync(url, "plant", 1);

        await using var rollout = CommandProcess.Start(dir.Path, "fleet", "rollout", "v2.bin", "--db", url, "--site", "plant", "--stages", "100%",
            "--retries", "8", "--retry-delay", "3", "--wait-reboot", "30", "--json");
        using var store = HistoryStore.Open(url);
        var queue = new JobQueue(store);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (queue.OpenJobs() is not [{ Detail: "board-erasing" or "sending" }])
        {
            Assert.True(DateTime.UtcNow < deadline, "the job never started sending");
            await Task.Delay(50);
        }
        await first.KillAsync();   // kill -9, mid-transfer
        // A transfer cut by a dead process may leave a stock board waiting for bytes that never come: it needs a reset.
        using (var control = await ControlClient.ConnectAsync(dir.File("plant.sock"))) await control.SendAsync($"{site.Prefix}-001 reset");
        var second = await StartAgentAsync(site, dir, url);

        int exit;
        try { exit = await rollout.WaitForExitAsync(TimeSpan.FromSeconds(90)); }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the rollout did not end\n--- rollout\n{rollout.Serial}\n{rollout.Notes}\n--- agent 1\n{first.Notes}\n--- agent 2\n{second.Notes}\n--- farm\n{site.Farm.Serial}");
        }
        Assert.True(exit == 0, $"{rollout.Serial}\n{rollout.Notes}\n--- agent 2\n{second.Notes}");
        await second.Notes.WaitForAsync(l => l.Contains("taken over from"), "the takeover");
        var uploads = store.Uploads();
        Assert.Equal(2, uploads.Count);
        var (cut, done) = (uploads[0], uploads[1]);
        Assert.Equal(UploadOutcome.Interrupted, cut.Outcome);       // not failed by the image: its agent died
        Assert.Equal(UploadOutcome.Rebooted, done.Outcome);
        Assert.NotEqual(cut.Agent, done.Agent);
        Assert.True(done.StartedAt >= cut.EndedAt, "the second transfer started before the first was over");
        Assert.Equal(1, site.OtaSuccesses(1));
        Assert.Contains(store.AuditTrail(), a => a.Action == "job.takeover");
        // The rollout counts the cut transfer as no failure.
        Assert.DoesNotContain(Events(rollout.Serial), e => e.GetProperty("event").GetString() == "board" && e.GetProperty("state").GetString() == "failure");
    }

    [Fact]
    public async Task Work_asked_for_a_board_that_already_has_open_work_is_refused_and_never_doubled()
    {
        using var dir = new TempDir();
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "image", "make", "--version", "2", "-o", "v2.bin")).ExitCode);
        string url = await pg.Server.NewDatabaseAsync();
        using var store = HistoryStore.Open(url);
        var board = new AmebaOta.Fleet.FleetTarget("Busy-001", new System.Net.IPEndPoint(System.Net.IPAddress.Parse("127.0.0.2"), 5000), true);
        store.RecordSightings([new BoardSighting(board.Name, board.EndPoint.Address, 5000, null, null, DateTimeOffset.UtcNow) { Site = "nowhere" }]);
        var queue = new JobQueue(store);
        var image = ImageIdentity.Of(AmebaOta.Families.Ameba1.Images.ImageFile.Load(dir.File("v2.bin")), "v2.bin");
        var bytes = File.ReadAllBytes(dir.File("v2.bin"));

        // Two coordinators at once: exactly one gets the board.
        var attempts = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            try { queue.Enqueue([new JobRequest("nowhere", board)], image, bytes, new AmebaOta.Fleet.FleetOptions(), "dashboard", JobQueue.NewBatch()); return true; }
            catch (BoardBusyException) { return false; }
        })));
        Assert.Equal(1, attempts.Count(ok => ok));

        // A rollout from the CLI over the same board is refused, naming the work under way (no agent is up there: --site says which).
        var rollout = await Support.Cli.RunAsync(dir.Path, "fleet", "rollout", "v2.bin", "--db", url, "--site", "nowhere", "--stages", "100%");
        Assert.Equal(10, rollout.ExitCode);
        Assert.Contains("Busy-001 is already being updated (job", rollout.Stderr);
        Assert.Single(queue.OpenJobs());
    }
}
