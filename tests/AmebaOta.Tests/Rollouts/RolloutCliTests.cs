using System.Text.Json;
using AmebaOta.Fleet.History;
using AmebaOta.Fleet.Rollouts;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Rollouts;

/// <summary><c>fleet rollout</c> as a real process against a <c>device farm</c> (and boards made to fail), with a database of its own.</summary>
public class RolloutCliTests
{
    private static Task<CliResult> Run(TempDir dir, params string[] args) => Support.Cli.RunAsync(dir.Path, args);

    private static async Task<(TempDir Dir, FarmProcess Farm, string Prefix)> StartFarmAsync(int count)
    {
        var dir = new TempDir();
        Assert.Equal(0, (await Run(dir, "image", "make", "--version", "1", "-o", "v1.bin")).ExitCode);
        Assert.Equal(0, (await Run(dir, "image", "make", "--version", "2", "-o", "v2.bin")).ExitCode);
        string prefix = "R" + Guid.NewGuid().ToString("n")[..5];
        var farm = FarmProcess.Start(dir.Path, "--count", count.ToString(), "--image", "v1.bin", "--dir", "boards", "--base-ip", FarmProcess.UniqueBaseIp(),
            "--name-prefix", prefix, "--interface", "lo");
        await farm.WaitForAllListeningAsync(count);
        return (dir, farm, prefix);
    }

    private static List<JsonElement> Events(CliResult run) => [.. run.Lines.Select(l => JsonDocument.Parse(l).RootElement)];

    private static IEnumerable<JsonElement> Boards(IEnumerable<JsonElement> events, string state) =>
        events.Where(e => e.GetProperty("event").GetString() == "board" && e.GetProperty("state").GetString() == state);

    private static int OtaSuccesses(FarmProcess farm, string board) => farm.Serial.Lines.Count(l => l == $"[{board}] OTA success");

    [Fact]
    public async Task Stages_run_canary_first_each_after_the_last_succeeded_then_skip_current_and_the_downgrade_check_use_the_history()
    {
        var (dir, farm, prefix) = await StartFarmAsync(4);
        using var _ = dir;
        await using var __ = farm;
        string[] common = ["--match", prefix + "-*", "--interface", "lo", "--discover-timeout", "1.5", "--wait-reboot", "15", "--db", dir.File("h.db"), "--json"];

        var run = await Run(dir, ["fleet", "rollout", "v2.bin", "--stages", "1,50%,100%", .. common]);

        Assert.True(run.ExitCode == 0, run.ToString());
        var events = Events(run);
        var plan = events[0];
        Assert.Equal(3, plan.GetProperty("stages").GetArrayLength());
        Assert.Equal([$"{prefix}-001"], plan.GetProperty("stages")[0].GetProperty("boards").EnumerateArray().Select(b => b.GetString()));
        // Stage 2 starts only after the canary is back after its reboot; stage 3 only after stage 2's boards are.
        int canaryDone = events.FindIndex(e => e.GetProperty("event").GetString() == "board" && e.GetProperty("board").GetString() == $"{prefix}-001" && e.GetProperty("state").GetString() == "success");
        int stage2 = events.FindIndex(e => e.GetProperty("event").GetString() == "stage" && e.GetProperty("stage").GetInt32() == 2 && e.GetProperty("kind").GetString() == "started");
        int stage2Done = events.FindIndex(e => e.GetProperty("event").GetString() == "stage" && e.GetProperty("stage").GetInt32() == 2 && e.GetProperty("kind").GetString() == "finished");
        int firstStage3 = events.FindIndex(e => e.GetProperty("event").GetString() == "board" && e.GetProperty("stage").GetInt32() == 3 && e.GetProperty("state").GetString() == "uploading");
        Assert.True(canaryDone >= 0 && canaryDone < stage2 && stage2 < stage2Done && stage2Done < firstStage3, run.Stdout);
        Assert.Equal(4, Boards(events, "success").Count());
        Assert.Equal("completed", events[^1].GetProperty("result").GetString());
        for (int i = 1; i <= 4; i++) Assert.Equal(1, OtaSuccesses(farm, $"{prefix}-{i:000}"));

        using (var store = HistoryStore.Open(dir.File("h.db")))
            Assert.All(store.Boards().Where(b => b.Name.StartsWith(prefix + "-")), b => Assert.True(b.BelievedVerified && b.Believed!.Image.SketchVersion == 2));

        // The same image again with --skip-current: every board already runs it, verified: nothing is sent.
        var again = await Run(dir, ["fleet", "rollout", "v2.bin", "--skip-current", .. common]);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(4, Events(again)[^1].GetProperty("alreadyInstalled").GetInt32());
        for (int i = 1; i <= 4; i++) Assert.Equal(1, OtaSuccesses(farm, $"{prefix}-{i:000}"));

        // Version 1 over boards believed to run version 2: refused before anything is sent.
        var downgrade = await Run(dir, ["fleet", "rollout", "v1.bin", .. common]);
        Assert.Equal(2, downgrade.ExitCode);
        Assert.Contains("believed to run version 2", downgrade.Stderr);
        Assert.Contains("--allow-downgrade", downgrade.Stderr);
    }

    [Fact]
    public async Task More_failures_than_allowed_is_an_emergency_stop_and_resume_sends_only_to_the_boards_not_done()
    {
        var (dir, farm, prefix) = await StartFarmAsync(4);
        using var _ = dir;
        await using var __ = farm;
        // Between the canary (-001) and stage 3 (-002 … -004): a board whose upload fails and one that takes it but never comes back.
        await using var refusing = await FakeBoard.RefusingAsync($"{prefix}-001a");
        await using var neverBack = await FakeBoard.NeverBackAsync($"{prefix}-001b");
        string db = dir.File("h.db");

        var run = await Run(dir, "fleet", "rollout", "v2.bin", "--match", prefix + "-*", "--interface", "lo", "--discover-timeout", "1.5",
            "--stages", "1,3,100%", "--max-failures", "1", "--wait-reboot", "3", "--retries", "0", "--db", db, "--json");

        Assert.True(run.ExitCode == 8, run.ToString());
        var events = Events(run);
        long id = events[0].GetProperty("rollout").GetInt64();
        var end = events[^1];
        Assert.Equal("emergency-stopped", end.GetProperty("result").GetString());
        Assert.Equal((1, 2, 3), (end.GetProperty("success").GetInt32(), end.GetProperty("failure").GetInt32(), end.GetProperty("aborted").GetInt32()));
        Assert.Contains("more than --max-failures 1", end.GetProperty("reason").GetString());
        Assert.DoesNotContain(events, e => e.GetProperty("event").GetString() == "board" && e.GetProperty("stage").GetInt32() == 3 && e.GetProperty("state").GetString() == "uploading");
        for (int i = 2; i <= 4; i++) Assert.Equal(0, OtaSuccesses(farm, $"{prefix}-{i:000}"));
        using (var store = HistoryStore.Open(db))
        {
            var record = new RolloutStore(store).Load(id)!;
            Assert.Equal("emergency-stopped", record.State);
            Assert.Equal(["success", "failure", "failure", "aborted", "aborted", "aborted"], record.Plan.Boards.Select(b => b.State.Name()));
            var failed = store.Uploads(new HistoryFilter(RolloutId: id)).Where(u => u.Outcome is UploadOutcome.Failed or UploadOutcome.NotBack).ToList();
            Assert.Equal([4, 7], failed.Select(u => u.ExitCode!.Value).Order());   // refused: cannot connect; never back: no reboot seen
        }

        var resumed = await Run(dir, "fleet", "rollout", "--resume", id.ToString(), "--db", db, "--json");

        Assert.True(resumed.ExitCode == 8, resumed.ToString());   // completed, but two boards failed
        var after = Events(resumed);
        Assert.True(after[0].GetProperty("resumed").GetBoolean());
        Assert.Equal("completed", after[^1].GetProperty("result").GetString());
        Assert.Equal([$"{prefix}-002", $"{prefix}-003", $"{prefix}-004"], Boards(after, "success").Select(e => e.GetProperty("board").GetString()).Order());
        Assert.DoesNotContain(after, e => e.GetProperty("event").GetString() == "board" && e.GetProperty("stage").GetInt32() < 3);
        Assert.Equal(1, OtaSuccesses(farm, $"{prefix}-001"));   // the canary was not sent to again
        Assert.Equal(1, neverBack.Uploads);                     // nor the failed boards
    }

    [Fact]
    public async Task A_rollout_of_a_pre_signed_image_resumes_with_the_image_as_it_was_sent()
    {
        var (dir, farm, prefix) = await StartFarmAsync(2);
        using var _ = dir;
        await using var __ = farm;
        Assert.Equal(0, (await Run(dir, "image", "make", "--version", "2", "--signed", "-o", "v2s.bin")).ExitCode);
        await using var refusing = await FakeBoard.RefusingAsync($"{prefix}-001a");   // between the canary and -002: stops the rollout
        string db = dir.File("h.db");

        var run = await Run(dir, "fleet", "rollout", "v2s.bin", "--match", prefix + "-*", "--interface", "lo", "--discover-timeout", "1.5",
            "--stages", "1,2,100%", "--max-failures", "0", "--wait-reboot", "15", "--retries", "0", "--db", db, "--json");
        Assert.True(run.ExitCode == 8, run.ToString());
        Assert.Equal("emergency-stopped", Events(run)[^1].GetProperty("result").GetString());
        long id = Events(run)[0].GetProperty("rollout").GetInt64();

        // The rollout recorded the image as sent (signature cleared); resuming prepares the file the same way, so it matches.
        var resumed = await Run(dir, "fleet", "rollout", "--resume", id.ToString(), "--db", db, "--json");

        Assert.True(resumed.ExitCode == 8, resumed.ToString());   // completed, but the refusing board failed
        Assert.Equal("completed", Events(resumed)[^1].GetProperty("result").GetString());
        Assert.Contains("signature", resumed.Stderr);
        Assert.Equal([$"{prefix}-002"], Boards(Events(resumed), "success").Select(e => e.GetProperty("board").GetString()));
        Assert.Equal(1, OtaSuccesses(farm, $"{prefix}-002"));
    }

    [Fact]
    public async Task A_rollout_killed_mid_way_leaves_a_consistent_history_and_resumes_without_resending_finished_boards()
    {
        var (dir, farm, prefix) = await StartFarmAsync(6);
        using var _ = dir;
        await using var __ = farm;
        string db = dir.File("h.db");
        await using var rollout = CommandProcess.Start(dir.Path, "fleet", "rollout", "v2.bin", "--match", prefix + "-*", "--interface", "lo",
            "--discover-timeout", "1.5", "--stages", "100%", "--parallel", "1", "--wait-reboot", "15", "--db", db, "--json");
        await rollout.Serial.WaitForAsync(l => l.Contains("\"state\":\"success\""), "a second board done", occurrence: 2, timeout: TimeSpan.FromSeconds(40));

        await rollout.KillAsync();

        long id = JsonDocument.Parse(rollout.Serial.Lines[0]).RootElement.GetProperty("rollout").GetInt64();
        HashSet<string> doneBeforeKill;
        using (var store = HistoryStore.Open(db))
        {
            Assert.Equal("ok", store.IntegrityCheck());
            var record = new RolloutStore(store).Load(id)!;
            Assert.Equal("running", record.State);                   // nobody said it ended: it died
            var uploads = store.Uploads(new HistoryFilter(RolloutId: id));
            doneBeforeKill = [.. record.Plan.Boards.Where(b => b.State == RolloutBoardState.Success).Select(b => b.Target.Name)];
            Assert.True(doneBeforeKill.Count >= 2);
            // Every board marked success has its finished, verified upload; the uploads that never ended (in flight at the kill)
            // belong to boards not marked done.
            foreach (var board in doneBeforeKill)
                Assert.Contains(uploads, u => u.Board == board && u.Outcome == UploadOutcome.Rebooted && u.Ended);
            Assert.All(uploads.Where(u => !u.Ended), u => Assert.DoesNotContain(u.Board, doneBeforeKill));
            Assert.All(uploads.Where(u => u.Ended), u => Assert.NotNull(u.Outcome));
        }

        var resumed = await Run(dir, "fleet", "rollout", "--resume", id.ToString(), "--db", db, "--json");

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var sentAgain = Events(resumed).Where(e => e.GetProperty("event").GetString() == "board").Select(e => e.GetProperty("board").GetString()!).ToHashSet();
        Assert.Empty(sentAgain.Intersect(doneBeforeKill));
        Assert.Equal(6, doneBeforeKill.Count + sentAgain.Count);
        foreach (var board in doneBeforeKill) Assert.Equal(1, OtaSuccesses(farm, board));
        using (var store = HistoryStore.Open(db))
        {
            Assert.Equal("completed", new RolloutStore(store).Load(id)!.State);
            // (Discovery records every board it sees on lo, other tests' too: count this farm's.)
            Assert.Equal(6, store.Boards().Count(b => b.Name.StartsWith(prefix + "-") && b.LastTaken is { } t && b.RunsVerified(t.Image.Sha256) && t.Image.SketchVersion == 2));
        }
    }

    [Fact]
    public async Task Stop_from_another_process_stops_the_rollout_and_leaves_it_resumable()
    {
        var (dir, farm, prefix) = await StartFarmAsync(3);
        using var _ = dir;
        await using var __ = farm;
        string db = dir.File("h.db");
        await using var rollout = CommandProcess.Start(dir.Path, "fleet", "rollout", "v2.bin", "--match", prefix + "-*", "--interface", "lo",
            "--discover-timeout", "1.5", "--stages", "1,100%", "--pause-between", "60", "--db", db, "--json");
        await rollout.Serial.WaitForAsync(l => l.Contains("\"kind\":\"pausing\""), "the pause before stage 2", timeout: TimeSpan.FromSeconds(30));
        long id = JsonDocument.Parse(rollout.Serial.Lines[0]).RootElement.GetProperty("rollout").GetInt64();

        var stop = await Run(dir, "fleet", "rollout", "--stop", id.ToString(), "--db", db);

        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Contains("stop requested", stop.Stdout);
        Assert.Equal(8, await rollout.WaitForExitAsync());
        var end = JsonDocument.Parse(rollout.Serial.Lines[^1]).RootElement;
        Assert.Equal("stopped", end.GetProperty("result").GetString());
        Assert.Equal(2, end.GetProperty("aborted").GetInt32());
        Assert.Equal(0, OtaSuccesses(farm, $"{prefix}-002"));

        var again = await Run(dir, "fleet", "rollout", "--resume", id.ToString(), "--db", db, "--parallel", "2");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("drop --parallel", again.Stderr);
    }
}
