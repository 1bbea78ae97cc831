using System.Net;
using System.Text.Json;
using AmebaOta.Tests.Fleet;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Cli;

/// <summary><c>fleet upload</c> as a real process against virtual boards running in the test process.</summary>
public class FleetCliTests
{
    private static Task<CliResult> Run(TempDir dir, params string[] args) => Support.Cli.RunAsync(dir.Path, args);

    private static async Task<TempDir> ImageDirAsync()
    {
        var dir = new TempDir();
        Assert.Equal(0, (await Run(dir, "image", "make", "--version", "2", "-o", "v2.bin")).ExitCode);
        return dir;
    }

    [Fact]
    public async Task Matching_boards_are_all_updated_and_confirmed_others_are_skipped()
    {
        using var dir = await ImageDirAsync();
        await using var boards = await NamedBoards.StartAsync(3);
        await using var other = await NamedBoards.StartAsync(1);

        var run = await Run(dir, "fleet", "upload", "v2.bin", "--match", boards.Prefix.ToLowerInvariant() + "-*", "--interface", "lo",
            "--discover-timeout", "1.5", "--wait-reboot", "10");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("updating 3 boards with v2.bin", run.Stdout);
        for (int i = 0; i < 3; i++)
            Assert.Contains(run.Lines, l => l.StartsWith($"{boards.Name(i)} (127.0.0.1:{boards.EndPoints[i].Port}): updated in ") && l.Contains("back after its reboot"));
        Assert.Matches(@"3 of 3 boards updated, 0 failed, \d+ skipped \(did not match", run.Stdout);
        foreach (var b in boards.Boards) await b.Serial.WaitForAsync("This is version 2");
        Assert.DoesNotContain("This is version 2", other.Boards[0].Serial.Lines);
    }

    [Fact]
    public async Task Json_writes_one_object_per_board_and_exit_8_when_one_failed()
    {
        using var dir = await ImageDirAsync();
        await using var boards = await NamedBoards.StartAsync(1);
        string dead = $"127.0.0.1:{TestImages.UnusedPort()}";

        var run = await Run(dir, "fleet", "upload", "v2.bin", "--ip", $"127.0.0.1:{boards.EndPoints[0].Port}", "--ip", dead,
            "--retries", "1", "--retry-delay", "0.05", "--json");

        Assert.Equal(8, run.ExitCode);
        var all = run.Lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var lines = all.Where(l => l.TryGetProperty("board", out _)).ToList();
        Assert.Equal(2, lines.Count);
        // The last line: the airtime budget in use (the default 45 Mbit/s) and what one board took.
        var airtime = all[^1].GetProperty("airtime");
        Assert.Equal(45e6 / 8, airtime.GetProperty("maxBytesPerSecond").GetDouble());
        Assert.Equal(JsonValueKind.Null, airtime.GetProperty("maxParallel").ValueKind);
        Assert.True(airtime.GetProperty("bytes").GetInt64() >= TestImages.Image(2).Length);
        Assert.True(airtime.GetProperty("peakBytesPerSecond").GetDouble() > 0);
        Assert.Equal("updated", lines[0].GetProperty("state").GetString());
        Assert.Equal("failed", lines[1].GetProperty("state").GetString());
        Assert.Equal(dead, lines[1].GetProperty("board").GetString());
        Assert.Equal(2, lines[1].GetProperty("attempts").GetInt32());
        Assert.Contains("connection refused", lines[1].GetProperty("error").GetString());
    }

    [Fact]
    public async Task The_summary_names_each_failed_board_and_its_reason()
    {
        using var dir = await ImageDirAsync();
        string dead = $"127.0.0.1:{TestImages.UnusedPort()}";
        var run = await Run(dir, "fleet", "upload", "v2.bin", "--ip", dead, "--retries", "0");
        Assert.Equal(8, run.ExitCode);
        Assert.Contains("0 of 1 boards updated, 1 failed", run.Stdout);
        Assert.Contains($"  failed: {dead} ({dead}): cannot connect to {dead}: connection refused", run.Stdout);
    }

    [Fact]
    public async Task No_matching_board_exits_6()
    {
        using var dir = await ImageDirAsync();
        var run = await Run(dir, "fleet", "upload", "v2.bin", "--match", "Nobody-" + Guid.NewGuid().ToString("n")[..6] + "-*", "--interface", "lo", "--discover-timeout", "0.5");
        Assert.Equal(6, run.ExitCode);
        Assert.StartsWith("error: ", run.Stderr);
    }

    [Fact]
    public async Task A_file_that_is_not_an_image_is_refused_before_anything_is_sent()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("notes.txt"), "not an image");
        var run = await Run(dir, "fleet", "upload", "notes.txt", "--ip", "127.0.0.1");
        Assert.Equal(2, run.ExitCode);
    }

    [Fact]
    public async Task A_known_board_that_does_not_answer_is_listed_and_ctrl_c_counts_boards_as_cancelled_not_failed()
    {
        using var dir = await ImageDirAsync();
        string db = dir.File("h.db");
        var boards = await NamedBoards.StartAsync(2);
        string match = boards.Prefix + "-*";
        var first = await Run(dir, "fleet", "upload", "v2.bin", "--match", match, "--interface", "lo", "--discover-timeout", "1.5", "--db", db);
        Assert.True(first.ExitCode == 0, first.ToString());
        await boards.Boards[1].DisposeAsync();   // the second board is gone: off, unplugged, or out of reach

        var json = await Run(dir, "fleet", "upload", "v2.bin", "--match", match, "--interface", "lo", "--discover-timeout", "1.5", "--db", db, "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        var lines = json.Lines.Select(l => JsonDocument.Parse(l).RootElement).Where(l => l.TryGetProperty("board", out _)).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal(("updated", boards.Name(0)), (lines[0].GetProperty("state").GetString(), lines[0].GetProperty("board").GetString()));
        Assert.Equal(("not-answering", boards.Name(1)), (lines[1].GetProperty("state").GetString(), lines[1].GetProperty("board").GetString()));

        var text = await Run(dir, "fleet", "upload", "v2.bin", "--match", match, "--interface", "lo", "--discover-timeout", "1.5", "--db", db);
        Assert.Contains($"warning: {boards.Name(1)} did not answer (known since", text.Stderr);
        Assert.Contains("1 of 1 boards updated, 0 failed", text.Stdout);
        Assert.Contains($"  not updated: {boards.Name(1)}: known to the history, did not answer", text.Stdout);
        await boards.DisposeAsync();
    }

    [Fact]
    public async Task Ctrl_c_mid_transfer_counts_the_boards_under_way_as_cancelled()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v2.bin"), TestImages.Image(2, 480 * 1024));
        var devices = new List<DeviceProcess>();
        var ips = new List<string>();
        for (int i = 0; i < 2; i++)
        {
            string flash = dir.File($"board{i}.bin");
            AmebaOta.Flash.FlashFile.Save(TestImages.ChipWith(TestImages.Image(1)), flash);
            var device = DeviceProcess.Start(dir.Path, "--flash", flash, "--port", "0", "--no-mdns", "--flash-timing", "typical");
            devices.Add(device);
            ips.AddRange(["--ip", $"127.0.0.1:{await device.WaitForPortAsync()}"]);
        }
        await using var fleet = CommandProcess.Start(dir.Path, ["fleet", "upload", "v2.bin", .. ips]);
        foreach (var d in devices) await d.Serial.WaitForAsync("Read OTA info...", timeout: TimeSpan.FromSeconds(30));   // both erasing: 5 s of it
        await fleet.SignalAsync("INT");
        Assert.Equal(130, await fleet.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        await fleet.Serial.WaitForAsync(l => l.StartsWith("0 of 2 boards updated, 0 failed, 2 cancelled"), "the summary");
        await fleet.Notes.WaitForAsync(l => l.EndsWith("before Ctrl+C (2 cancelled, 0 not started)"), "the error line");
        foreach (var d in devices)
        {
            await d.Serial.WaitForAsync("OTA fail");
            await d.DisposeAsync();
        }
    }
}
