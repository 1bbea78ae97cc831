using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using AmebaOta.Families.AmebaPro2.Images;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.OtaUi;

/// <summary>
/// <c>upload</c>, <c>fleet upload</c> and <c>fleet rollout</c> of AmebaPro2 images through the CLI as a process: it is
/// the boards' server for its run, triggers them and judges them (the boards run the protocol layer's board client in
/// the test process, on loopback addresses, their clock 10 times faster; the CLI's own waits are the real ones).
/// </summary>
public class OtaUiUploadCliTests
{
    private static int _next = 60;

    private static IPAddress NextAddress() => IPAddress.Parse($"127.0.20.{Interlocked.Increment(ref _next)}");

    private static IPEndPoint FreeServer() => OtaUiTestServer.FreeEndPoint();

    private static async Task<Pro2TestBoard> BoardAsync(IPEndPoint server, uint version, ulong timestamp, bool otaMode = true, IPAddress? address = null)
    {
        var board = new Pro2TestBoard(address ?? NextAddress(), Pro2TestBoard.Image(version, server, timestamp: timestamp), server, OtaUiTestServer.Speedup, otaMode);
        board.Start();
        await Task.Yield();
        return board;
    }

    [Fact]
    public async Task Upload_updates_a_board_and_a_later_older_build_is_refused_from_what_the_history_says_it_runs()
    {
        using var dir = new TempDir();
        var server = FreeServer();
        string db = dir.File("history.db");
        await using var board = await BoardAsync(server, 1, 1_700_000_000);
        File.WriteAllBytes(dir.File("v2.bin"), Pro2TestBoard.Image(2, server, timestamp: 1_700_000_200));
        File.WriteAllBytes(dir.File("v1b.bin"), Pro2TestBoard.Image(3, server, timestamp: 1_700_000_100));

        var update = await Support.Cli.RunAsync(dir.Path, "upload", "v2.bin", "--ip", board.Address.ToString(), "--listen", server.ToString(), "--db", db);

        Assert.True(update.ExitCode == 0, update.ToString());
        Assert.Contains($"updating {board.Address} with v2.bin (amebapro2", update.Stdout);
        Assert.Contains("updated: it took all", update.Stdout);
        Assert.Contains("restarted", update.Stdout);
        Assert.Equal(2, board.LastBoot!.ChosenSlot);
        // The history had no build for it before: the restart is proven, the build is not.
        Assert.Contains("which build it boots is not proven", update.Stdout);

        var older = await Support.Cli.RunAsync(dir.Path, "upload", "v1b.bin", "--ip", board.Address.ToString(), "--listen", server.ToString(), "--db", db);
        Assert.True(older.ExitCode == 2, older.ToString());
        Assert.Contains("not newer than the running firmware", older.Stderr);
        Assert.Contains("nothing was sent", older.Stderr);
        Assert.Equal(2, board.Boots);

        var history = await Support.Cli.RunAsync(dir.Path, "history", "--db", db);
        Assert.Contains($"{board.Address}:5000", history.Stdout);
    }

    [Fact]
    public async Task Upload_to_a_board_that_does_not_beat_here_never_starts_exit_4()
    {
        using var dir = new TempDir();
        var server = FreeServer();
        File.WriteAllBytes(dir.File("v2.bin"), Pro2TestBoard.Image(2, server));

        var result = await Support.Cli.RunAsync(dir.Path, "upload", "v2.bin", "--ip", NextAddress().ToString(), "--listen", server.ToString(), "--db", dir.File("h.db"));

        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.Contains("not-started: no heartbeat from it within 10 s", result.Stdout);
    }

    [Fact]
    public async Task A_board_with_a_64_KiB_slot_fails_exit_5_with_the_OTA_Mode_explanation_then_a_second_upload_says_reset_it()
    {
        using var dir = new TempDir();
        var server = FreeServer();
        await using var board = await BoardAsync(server, 1, 1_700_000_000, otaMode: false);
        File.WriteAllBytes(dir.File("big.bin"), Pro2TestBoard.Image(2, server, timestamp: 1_700_000_300, size: 256 * 1024 + 4));

        var failed = await Support.Cli.RunAsync(dir.Path, "upload", "big.bin", "--ip", board.Address.ToString(), "--listen", server.ToString(), "--db", dir.File("h.db"));
        Assert.True(failed.ExitCode == 5, failed.ToString());
        Assert.Contains("OTA Mode: Disable", failed.Stdout + failed.Stderr);

        var again = await Support.Cli.RunAsync(dir.Path, "upload", "big.bin", "--ip", board.Address.ToString(), "--listen", server.ToString(), "--db", dir.File("h.db"));
        Assert.True(again.ExitCode == 4, again.ToString());
        Assert.Contains("reset the board, it ignores triggers until then", again.Stdout);
    }

    [Fact]
    public async Task Fleet_upload_finds_the_boards_by_their_heartbeats_and_updates_them_all()
    {
        using var dir = new TempDir();
        var server = FreeServer();
        var boards = new List<Pro2TestBoard>();
        for (int i = 0; i < 3; i++) boards.Add(await BoardAsync(server, 1, 1_700_000_000));
        try
        {
            File.WriteAllBytes(dir.File("v2.bin"), Pro2TestBoard.Image(2, server, timestamp: 1_700_000_500));
            var result = await Support.Cli.RunAsync(dir.Path, "fleet", "upload", "v2.bin", "--match", "127.0.20.*", "--listen", server.ToString(),
                "--discover-timeout", "2", "--db", dir.File("h.db"));

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("updating 3 boards with v2.bin", result.Stdout);
            Assert.All(boards, b => Assert.Equal(2, b.LastBoot!.ChosenSlot));
        }
        finally
        {
            foreach (var b in boards) await b.DisposeAsync();
        }
    }

    private static List<JsonElement> Events(CliResult run) => [.. run.Lines.Select(l => JsonDocument.Parse(l).RootElement)];

    private static IEnumerable<string> BoardsIn(IEnumerable<JsonElement> events, string state) => events
        .Where(e => e.GetProperty("event").GetString() == "board" && e.GetProperty("state").GetString() == state)
        .Select(e => e.GetProperty("board").GetString()!);

    [Fact]
    public async Task Fleet_rollout_stops_when_a_board_fails_and_resume_triggers_only_the_boards_not_done()
    {
        using var dir = new TempDir();
        var server = FreeServer();
        string db = dir.File("h.db");
        // Named in address order: -11 the canary, -12 with OTA Mode off (the image does not fit its 64 KiB slot), -13, -14.
        string prefix = $"127.0.{21 + Interlocked.Increment(ref _rollouts)}.";
        var boards = new List<Pro2TestBoard>();
        for (int i = 11; i <= 14; i++) boards.Add(await BoardAsync(server, 1, 1_700_000_000, otaMode: i != 12, address: IPAddress.Parse(prefix + i)));
        try
        {
            File.WriteAllBytes(dir.File("v2.bin"), Pro2TestBoard.Image(2, server, timestamp: 1_700_000_600, size: 256 * 1024 + 4));
            var run = await Support.Cli.RunAsync(dir.Path, "fleet", "rollout", "v2.bin", "--match", prefix + "*", "--listen", server.ToString(),
                "--discover-timeout", "2", "--stages", "1,2,100%", "--max-failures", "0", "--db", db, "--json");

            Assert.True(run.ExitCode == 8, run.ToString());
            var events = Events(run);
            long id = events[0].GetProperty("rollout").GetInt64();
            Assert.Equal("emergency-stopped", events[^1].GetProperty("result").GetString());
            Assert.Contains($"{prefix}11:5000", BoardsIn(events, "success"));
            Assert.Equal([$"{prefix}12:5000"], BoardsIn(events, "failure"));
            Assert.Contains("OTA Mode: Disable", run.Stdout);
            Assert.Equal(1, boards[3].Boots);   // stage 3 never triggered

            var resumed = await Support.Cli.RunAsync(dir.Path, "fleet", "rollout", "--resume", id.ToString(), "--db", db, "--json");

            Assert.True(resumed.ExitCode == 8, resumed.ToString());   // completed, the 64 KiB board still failed
            var after = Events(resumed);
            Assert.True(after[0].GetProperty("resumed").GetBoolean());
            Assert.Equal("completed", after[^1].GetProperty("result").GetString());
            Assert.Contains($"{prefix}14:5000", BoardsIn(after, "success"));
            Assert.DoesNotContain($"{prefix}11:5000", BoardsIn(after, "uploading"));
            Assert.DoesNotContain($"{prefix}12:5000", BoardsIn(after, "uploading"));
            Assert.Equal(2, boards[0].LastBoot!.ChosenSlot);
            Assert.Equal(2, boards[0].Boots);   // the canary was not triggered again
            Assert.Equal(2, boards[3].LastBoot!.ChosenSlot);
        }
        finally
        {
            foreach (var b in boards) await b.DisposeAsync();
        }
    }

    private static int _rollouts;

    [Fact]
    public async Task Fleet_upload_updates_a_device_farm_of_amebapro2_boards_each_booting_the_new_build_from_FW2()
    {
        using var dir = new TempDir();
        var server = FreeServer();
        File.WriteAllBytes(dir.File("v1.bin"), Pro2TestBoard.Image(1, server, timestamp: 1_700_000_000));
        File.WriteAllBytes(dir.File("v2.bin"), Pro2TestBoard.Image(2, server, timestamp: 1_700_000_700, size: 64 * 1024 + 4));
        string baseIp = FarmProcess.UniqueBaseIp();
        await using var farm = FarmProcess.Start(dir.Path, "--family", "amebapro2", "--count", "3", "--image", "v1.bin", "--base-ip", baseIp,
            "--sketch-delays", "short", "--flash-timing", "typical/10");
        await farm.WaitForAllListeningAsync(3);

        var result = await Support.Cli.RunAsync(dir.Path, "fleet", "upload", "v2.bin", "--match", baseIp[..^1] + "*", "--listen", server.ToString(),
            "--db", dir.File("h.db"), "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var boards = Events(result);
        Assert.Equal(3, boards.Count(b => b.TryGetProperty("state", out var s) && s.GetString() == "updated"));
        for (int i = 1; i <= 3; i++)
        {
            string name = $"[MyAmeba-{i:000}]";
            await farm.Serial.WaitForAsync($"{name} === Load FW2 ===");
            await farm.Serial.WaitForAsync($"{name} This is version 2");
        }
    }

    [Fact]
    public async Task A_stopped_rollout_follows_the_board_mid_download_to_its_end_triggers_no_other_and_resume_does_the_rest()
    {
        using var dir = new TempDir();
        var server = FreeServer();
        string db = dir.File("h.db");
        File.WriteAllBytes(dir.File("v1.bin"), Pro2TestBoard.Image(1, server, timestamp: 1_700_000_000));
        // 512 KiB at the datasheet's typical flash timing: about 7 s of download, long enough for a stop to land in it.
        File.WriteAllBytes(dir.File("v2.bin"), Pro2TestBoard.Image(2, server, timestamp: 1_700_000_800, size: 512 * 1024 + 4));
        string baseIp = FarmProcess.UniqueBaseIp();
        await using var farm = FarmProcess.Start(dir.Path, "--family", "amebapro2", "--count", "3", "--image", "v1.bin", "--base-ip", baseIp,
            "--sketch-delays", "short", "--flash-timing", "typical");
        await farm.WaitForAllListeningAsync(3);
        int Downloads(string? board = null) => farm.Serial.Lines.Count(l => l.Contains("Download new firmware begin") && (board is null || l.StartsWith(board)));

        await using var rollout = CommandProcess.Start(dir.Path, "fleet", "rollout", "v2.bin", "--match", baseIp[..^1] + "*", "--listen", server.ToString(),
            "--discover-timeout", "8", "--stages", "100%", "--parallel", "1", "--db", db, "--json");   // two heartbeats (3.5 s) and a margin
        string begin;
        try { begin = await farm.Serial.WaitForAsync(l => l.Contains("Download new firmware begin"), "the first board's download", timeout: TimeSpan.FromSeconds(60)); }
        catch (TimeoutException) { throw new TimeoutException($"no download; rollout:\n{string.Join("\n", rollout.Serial.Lines)}\n{string.Join("\n", rollout.Notes.Lines)}"); }
        string first = begin[..(begin.IndexOf(']') + 1)];
        long id = JsonDocument.Parse(rollout.Serial.Lines[0]).RootElement.GetProperty("rollout").GetInt64();

        var stop = await Support.Cli.RunAsync(dir.Path, "fleet", "rollout", "--stop", id.ToString(), "--db", db);
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Equal(8, await rollout.WaitForExitAsync(TimeSpan.FromSeconds(60)));

        // The board mid-download was not cut: it took the image, restarted on it, and the rollout recorded its success.
        await farm.Serial.WaitForAsync($"{first} This is version 2");
        var events = rollout.Serial.Lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var end = events[^1];
        Assert.Equal("stopped", end.GetProperty("result").GetString());
        Assert.Equal(1, end.GetProperty("success").GetInt32());
        Assert.Equal(2, end.GetProperty("aborted").GetInt32());
        var succeeded = Assert.Single(BoardsIn(events, "success"));
        // No other board was triggered.
        Assert.Equal(1, Downloads());
        using (var store = AmebaOta.Fleet.History.HistoryStore.Open(db))
        {
            Assert.Equal("stopped", new AmebaOta.Fleet.Rollouts.RolloutStore(store).Load(id)!.State);
            Assert.Contains(store.Uploads(), u => u.Board == succeeded && u.Outcome is not null);
        }

        var resumed = await Support.Cli.RunAsync(dir.Path, "fleet", "rollout", "--resume", id.ToString(), "--db", db, "--json");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var after = Events(resumed);
        Assert.Equal("completed", after[^1].GetProperty("result").GetString());
        Assert.Equal(2, BoardsIn(after, "success").Count());
        Assert.DoesNotContain(succeeded, BoardsIn(after, "uploading"));
        Assert.Equal(3, Downloads());
        Assert.Equal(1, Downloads(first));
    }
}
