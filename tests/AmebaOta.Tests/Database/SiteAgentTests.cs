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
    private static List<JsonElement> Events(LineLog log) => Events(log.Lines);
    private static List<JsonElement> Events(string stdout) => Events(stdout.Split('\n'));
    private static List<JsonElement> Events(IEnumerable<string> lines) => [.. lines.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement)];

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
            Assert.True(uploads.Count == 9 && uploads.All(u => u.Outcome == UploadOutcome.Rebooted),
                $"{uploads.Count} uploads recorded, 9 rebooted expected:\n" +
                string.Join("\n", uploads.Select(u => $"{u.Id} {u.Board} {u.Outcome?.ToString() ?? "open"} by {u.Agent} {u.StartedAt:HH:mm:ss.fff}-{u.EndedAt:HH:mm:ss.fff} {u.Error}")) +
                $"\n--- rollout\n{rollout.Serial}\n{rollout.Notes}\n" + string.Join("\n", sites.Select(s => $"--- agent {s.Name}\n{s.Agents[0].Notes}")));
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

    /// <summary>
    /// A rollout's options keep their meaning when the agents send: <c>--site</c> plans over that site's boards only,
    /// <c>--skip-current</c> skips the boards the agents updated and saw back, the downgrade check refuses before anything is
    /// asked for, and a failure at the canary past <c>--max-failures</c> is an emergency stop (no job asked for the rest);
    /// <c>--resume</c> then sends only to the boards not done.
    /// </summary>
    [Fact]
    public async Task Site_filter_skip_current_downgrade_check_and_emergency_stop_keep_their_meaning_through_the_agents()
    {
        if (Privileges.Skip("the test runs PostgreSQL as the postgres user")) return;
        using var dir = new TempDir();
        foreach (int v in new[] { 1, 2, 3 })
            Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "image", "make", "--version", v.ToString(), "-o", $"v{v}.bin")).ExitCode);
        string url = await pg.Server.NewDatabaseAsync();
        var sites = await TestSite.StartManyAsync(dir, url, ["field", "lab"], 3, "v1.bin");
        var (field, lab) = (sites[0], sites[1]);
        try
        {
            // --site: only the lab's boards.
            var labOnly = await Support.Cli.RunAsync(dir.Path, "fleet", "rollout", "v2.bin", "--db", url, "--site", "lab", "--stages", "100%", "--wait-reboot", "20", "--json");
            Assert.True(labOnly.ExitCode == 0, labOnly.ToString());
            Assert.Contains("planning over 3 boards at lab: their sites' agents send", labOnly.Stderr);
            for (int i = 1; i <= 3; i++) Assert.Equal((1, 0), (lab.OtaSuccesses(i), field.OtaSuccesses(i)));
            // boards: each board at its site, and each site's agent up.
            var boards = await Support.Cli.RunAsync(dir.Path, "boards", "--db", url);
            Assert.True(boards.ExitCode == 0, boards.ToString());
            Assert.Contains($"{lab.Board(1)} @lab", boards.Stdout);
            Assert.Contains($"{field.Board(3)} @field", boards.Stdout);
            Assert.Matches(@"\n  field: 3 of 3 boards online; agent up: field/\S+/\d+\n", boards.Stdout);
            Assert.Matches(@"\n  lab: 3 of 3 boards online; agent up: lab/\S+/\d+\n", boards.Stdout);

            // --skip-current over both sites: the lab's boards run v2 (verified back, as the agents recorded it): only the field's are sent.
            var skipping = await Support.Cli.RunAsync(dir.Path, "fleet", "rollout", "v2.bin", "--db", url, "--skip-current", "--stages", "100%", "--wait-reboot", "20", "--json");
            Assert.True(skipping.ExitCode == 0, skipping.ToString());
            var end = Events(skipping.Stdout)[^1];
            Assert.Equal((3, 3), (end.GetProperty("success").GetInt32(), end.GetProperty("alreadyInstalled").GetInt32()));
            for (int i = 1; i <= 3; i++) Assert.Equal((1, 1), (lab.OtaSuccesses(i), field.OtaSuccesses(i)));

            // The downgrade check: refused before anything is asked for.
            using var store = HistoryStore.Open(url);
            int uploads = store.Uploads().Count;
            var downgrade = await Support.Cli.RunAsync(dir.Path, "fleet", "rollout", "v1.bin", "--db", url, "--stages", "100%");
            Assert.True(downgrade.ExitCode == 2, downgrade.ToString());
            Assert.Contains("version 1 is older than what 6 boards are believed to run", downgrade.Stderr);
            Assert.Equal(uploads, store.Uploads().Count);
            Assert.Empty(new JobQueue(store).OpenJobs());

            // The canary (the first board by name: the field's first) cannot be reached: past --max-failures 0, an emergency stop.
            Assert.StartsWith("ok", await field.ControlAsync(1, "wifi down"));
            var stopped = await Support.Cli.RunAsync(dir.Path, "fleet", "rollout", "v3.bin", "--db", url, "--stages", "1,100%", "--max-failures", "0",
                "--retries", "0", "--wait-reboot", "20", "--json");
            Assert.True(stopped.ExitCode == 8, stopped.ToString());
            var stopEvents = Events(stopped.Stdout);
            long id = stopEvents[0].GetProperty("rollout").GetInt64();
            end = stopEvents[^1];
            Assert.Equal("emergency-stopped", end.GetProperty("result").GetString());
            Assert.Equal((0, 1, 5), (end.GetProperty("success").GetInt32(), end.GetProperty("failure").GetInt32(), end.GetProperty("aborted").GetInt32()));
            Assert.Equal(uploads + 1, store.Uploads().Count);   // the canary's attempt, by the field's agent; nothing asked for the others
            var failed = store.Uploads()[^1];
            Assert.Equal((field.Board(1), "field", UploadOutcome.Failed), (failed.Board, failed.Site, failed.Outcome));
            Assert.Empty(new JobQueue(store).OpenJobs());

            // Resumed once the board is back: the five boards not done get v3 through their agents; the failed canary is not resent.
            Assert.StartsWith("ok", await field.ControlAsync(1, "wifi up"));
            var resumed = await Support.Cli.RunAsync(dir.Path, "fleet", "rollout", "--resume", id.ToString(), "--db", url, "--json");
            Assert.True(resumed.ExitCode == 8, resumed.ToString());   // completed, the canary failed
            end = Events(resumed.Stdout)[^1];
            Assert.Equal(("completed", 5, 1), (end.GetProperty("result").GetString(), end.GetProperty("success").GetInt32(), end.GetProperty("failure").GetInt32()));
            Assert.Equal(1, field.OtaSuccesses(1));
            for (int i = 2; i <= 3; i++) Assert.Equal((2, 2), (lab.OtaSuccesses(i), field.OtaSuccesses(i)));
            Assert.Equal(2, lab.OtaSuccesses(1));
        }
        finally
        {
            foreach (var site in sites) await site.DisposeAsync();
        }
    }

    /// <summary>
    /// An agent at a site of Ameba1 and AmebaD boards records each with its family; a rollout of an AmebaD image across sites is
    /// sent by the agent to the AmebaD boards at the port their receiver listens on (8082, whatever mDNS advertises), and the
    /// Ameba1 boards are refused before anything is asked for them; a rollout of one image per family sends each board its own.
    /// </summary>
    [Fact]
    public async Task An_agent_finds_every_family_at_its_site_and_sends_each_board_only_its_family_s_image_at_its_family_s_port()
    {
        if (Privileges.Skip("the test runs PostgreSQL as the postgres user")) return;
        using var dir = new TempDir();
        foreach (var args in new[]
        {
            new[] { "image", "make", "--version", "1", "-o", "ota-v1.bin" },
            ["image", "make", "--version", "2", "-o", "ota-v2.bin"],
            ["image", "make", "--family", "amebad", "--version", "1", "-o", "d-v1.bin"],
            ["image", "make", "--family", "amebad", "--version", "2", "--size", "64K", "-o", "d-v2.bin"],
            ["image", "ota-all", "d-v2.bin", "-o", "OTA_All.bin"],
        })
        {
            var made = await Support.Cli.RunAsync(dir.Path, args);
            Assert.True(made.ExitCode == 0, made.ToString());
        }
        string url = await pg.Server.NewDatabaseAsync();
        await using var site = await TestSite.StartAsync(dir, "plant", 4, ["--family", "ameba1:2,amebad:2", "--image", "ota-v1.bin", "--image", "d-v1.bin",
            "--sketch-delays", "short", "--flash-timing", "typical/10"]);
        await site.StartAgentAsync(dir, url);
        await site.WaitForBoardsAsync(url, 4);
        using var store = HistoryStore.Open(url);
        Assert.Equal(["ameba1", "ameba1", "amebad", "amebad"], store.Boards().Where(b => b.Site == "plant").OrderBy(b => b.Name).Select(b => b.Family));

        var rollout = await Support.Cli.RunAsync(dir.Path, "fleet", "rollout", "OTA_All.bin", "--db", url, "--stages", "100%", "--wait-reboot", "60", "--json");
        Assert.True(rollout.ExitCode == 8, rollout.ToString());   // the two Ameba1 boards were refused
        var end = Events(rollout.Stdout)[^1];
        Assert.Equal(2, end.GetProperty("success").GetInt32());
        Assert.Contains($"{site.Board(1)} is an Ameba1", rollout.Stdout + rollout.Stderr);
        var uploads = store.Uploads();
        Assert.Equal([site.Board(3), site.Board(4)], uploads.Select(u => u.Board).Order());
        Assert.All(uploads, u => Assert.Equal(("amebad", 8082, "plant", UploadOutcome.Rebooted), (u.Family, u.Port, u.Site, u.Outcome)));
        for (int k = 3; k <= 4; k++) await site.Farm.Serial.WaitForAsync($"[{site.Board(k)}] [MODULE_BOOT-LEVEL_INFO]:OTA2 USE");

        // A mixed rollout, one image per family: each board is sent its own family's image by the agent, at its family's port.
        var mixed = await Support.Cli.RunAsync(dir.Path, "fleet", "rollout", "ota-v2.bin", "OTA_All.bin", "--db", url, "--stages", "1,100%", "--wait-reboot", "60", "--json");
        Assert.True(mixed.ExitCode == 0, mixed.ToString());
        Assert.Equal(4, Events(mixed.Stdout)[^1].GetProperty("success").GetInt32());
        var sent = store.Uploads().Skip(2).OrderBy(u => u.Board).ToList();
        Assert.Equal([("ameba1", 5000, "ota-v2.bin"), ("ameba1", 5000, "ota-v2.bin"), ("amebad", 8082, "OTA_All.bin"), ("amebad", 8082, "OTA_All.bin")],
            sent.Select(u => (u.Family, u.Port, u.Image.FileName)));
        Assert.All(sent, u => Assert.Equal(("plant", UploadOutcome.Rebooted), (u.Site, u.Outcome)));
        for (int k = 1; k <= 2; k++) await site.Farm.Serial.WaitForAsync($"[{site.Board(k)}] This is version 2");
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
