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
        var sites = await TestSite.StartManyAsync(dir, url, ["lab", "field", "ci"], 3, "v1.bin");
        try
        {

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

    /// <summary>
    /// kill -9 of an agent mid-transfer: the uploader armed its socket with SO_LINGER 0, so the kernel resets the board's
    /// connection (the board says <c>Download fail</c> and keeps its old image; it does not spin as after a FIN). Another agent
    /// of the site takes the job over when the lease runs out: the cut upload is recorded as interrupted, and since a stock
    /// <c>ota_basic</c> board listens again only after a reset, the board ends <c>needs-reset</c> (not a failure: no emergency
    /// stop at --max-failures 0). Reset, then <c>--resume</c>: the agents send it once.
    /// </summary>
    [Fact]
    public async Task An_agent_killed_mid_transfer_resets_the_board_and_the_job_taken_over_ends_needs_reset_until_the_board_is_reset_and_resumed()
    {
        if (Privileges.Skip("the test runs PostgreSQL as the postgres user")) return;
        using var dir = new TempDir();
        // v2 is large enough to take seconds at typical flash speed.
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "image", "make", "--version", "1", "-o", "v1.bin")).ExitCode);
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "image", "make", "--version", "2", "--size", "256K", "-o", "v2.bin")).ExitCode);
        string url = await pg.Server.NewDatabaseAsync();
        await using var site = await TestSite.StartAsync(dir, "plant", 1, "v1.bin");
        var first = await site.StartAgentAsync(dir, url);
        await site.WaitForBoardsAsync(url, 1);

        await using var rollout = CommandProcess.Start(dir.Path, "fleet", "rollout", "v2.bin", "--db", url, "--site", "plant", "--stages", "100%",
            "--max-failures", "0", "--retries", "2", "--retry-delay", "1", "--wait-reboot", "30", "--json");
        using var store = HistoryStore.Open(url);
        var queue = new JobQueue(store);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (queue.OpenJobs() is not [{ Detail: "sending", BytesSent: > 0 }])
        {
            Assert.True(DateTime.UtcNow < deadline, $"the job never started sending\n{rollout.Notes}\n{first.Notes}");
            await Task.Delay(50);
        }
        await first.KillAsync();   // kill -9, mid-transfer

        // The board's view: a reset, not a FIN. It ends its download (old image kept) and does not spin; ota_basic listens no more.
        await site.Farm.Serial.WaitForAsync($"[{site.Board(1)}] Download fail", timeout: TimeSpan.FromSeconds(20));
        string status = await site.ControlAsync(1, "status");
        Assert.DoesNotContain("hung", status);
        Assert.Contains("not listening", status);

        var second = await site.StartAgentAsync(dir, url);
        int exit;
        try { exit = await rollout.WaitForExitAsync(TimeSpan.FromSeconds(90)); }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the rollout did not end\n--- rollout\n{rollout.Serial}\n{rollout.Notes}\n--- agent 1\n{first.Notes}\n--- agent 2\n{second.Notes}\n--- farm\n{site.Farm.Serial}");
        }
        await second.Notes.WaitForAsync(l => l.Contains("taken over from"), "the takeover");
        var events = Events(rollout.Serial);
        // Completed, with one board waiting for a reset: exit 8, and no emergency stop although --max-failures is 0.
        Assert.True(exit == 8, $"exit {exit}\n{rollout.Serial}\n{rollout.Notes}\n--- agent 2\n{second.Notes}");
        Assert.Equal(("completed", 1), (events[^1].GetProperty("result").GetString(), events[^1].GetProperty("needsReset").GetInt32()));
        Assert.Contains(events, e => e.GetProperty("event").GetString() == "board" && e.GetProperty("state").GetString() == "needs-reset");
        Assert.DoesNotContain(events, e => e.GetProperty("event").GetString() == "board" && e.GetProperty("state").GetString() == "failure");
        var uploads = store.Uploads();
        Assert.Equal(2, uploads.Count);
        var (cut, refused) = (uploads[0], uploads[1]);
        Assert.Equal(UploadOutcome.Interrupted, cut.Outcome);       // not failed by the image: its agent died
        Assert.Equal(UploadOutcome.Failed, refused.Outcome);
        Assert.StartsWith(AmebaOta.Fleet.Rollouts.RolloutBoard.NeedsResetReason, refused.Error);
        Assert.NotEqual(cut.Agent, refused.Agent);
        Assert.True(refused.StartedAt >= cut.EndedAt, "the second transfer started before the first was over");
        Assert.Equal(0, site.OtaSuccesses(1));
        Assert.Contains(store.AuditTrail(), a => a.Action == "job.takeover");

        // Reset the board; resume (from any machine: the image is in the database): its agent sends it, once.
        await site.ControlAsync(1, "reset");
        deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!(await site.ControlAsync(1, "status")).Contains("listening 127."))
        {
            Assert.True(DateTime.UtcNow < deadline, "the board did not listen again after its reset");
            await Task.Delay(100);
        }
        long id = events[0].GetProperty("rollout").GetInt64();
        var resumed = await Support.Cli.RunAsync(dir.Path, "fleet", "rollout", "--resume", id.ToString(), "--db", url, "--json");
        Assert.True(resumed.ExitCode == 0, $"{resumed.Stdout}\n{resumed.Stderr}\n--- agent 2\n{second.Notes}");
        Assert.Equal(1, site.OtaSuccesses(1));
        Assert.Equal(UploadOutcome.Rebooted, store.Uploads()[^1].Outcome);
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

    /// <summary>A live rollout that has yet to reach a board (a later stage) holds it: new work on it is refused, naming the rollout; once it has ended (stopped, resumable) it holds nothing.</summary>
    [Fact]
    public async Task A_live_rollout_that_has_not_done_a_board_yet_refuses_other_work_on_it()
    {
        using var dir = new TempDir();
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "image", "make", "--version", "2", "-o", "v2.bin")).ExitCode);
        string url = await pg.Server.NewDatabaseAsync();
        using var store = HistoryStore.Open(url);
        var boards = new[] { "Held-001", "Held-002" }.Select((n, i) => new AmebaOta.Fleet.FleetTarget(n, new System.Net.IPEndPoint(System.Net.IPAddress.Parse($"127.0.0.{2 + i}"), 5000), true)).ToList();
        store.RecordSightings(boards.Select(b => new BoardSighting(b.Name, b.EndPoint.Address, 5000, null, null, DateTimeOffset.UtcNow) { Site = "yard" }));
        var image = ImageIdentity.Of(AmebaOta.Families.Ameba1.Images.ImageFile.Load(dir.File("v2.bin")), "v2.bin");
        var settings = new AmebaOta.Fleet.Rollouts.RolloutSettings("1,100%", AmebaOta.Fleet.Rollouts.FailureThreshold.Parse("0"), TimeSpan.Zero,
            new AmebaOta.Fleet.FleetOptions(), false, false, false);
        var plan = AmebaOta.Fleet.Rollouts.RolloutPlan.Create(boards, AmebaOta.Fleet.Rollouts.StagePlan.Parse("1,100%"), image, false, false, _ => null);
        var rollouts = new AmebaOta.Fleet.Rollouts.RolloutStore(store);
        long id = rollouts.Create(image, "v2.bin", settings, plan, "*");
        var queue = new JobQueue(store);

        var conflicts = queue.Conflicts(["held-002"]);
        Assert.Equal($"Held-002 is in another rollout (rollout {id}, asked for by {Actor.OsUser}: pending there)", Assert.Single(conflicts).ToString());
        Assert.Empty(queue.Conflicts(["Held-002"], exceptRollout: id));   // its own stages are not a conflict
        var refused = await Support.Cli.RunAsync(dir.Path, "fleet", "rollout", "v2.bin", "--db", url, "--site", "yard", "--stages", "100%");
        Assert.Equal(10, refused.ExitCode);
        Assert.Contains($"2 of the boards already have work open: Held-001 (rollout {id}, asked for by {Actor.OsUser}: pending there), Held-002 (rollout {id}", refused.Stderr);
        Assert.Contains("nothing was started; wait for that work to end, or stop it", refused.Stderr);

        // Stopped (resumable later, when it is checked again): it holds nothing now.
        rollouts.SetEnded(id, AmebaOta.Fleet.Rollouts.RolloutEnd.Stopped, "interrupted");
        Assert.Empty(queue.Conflicts(["Held-001", "Held-002"]));
    }
}
